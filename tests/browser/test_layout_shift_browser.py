"""Pages do not jump while their data arrives: cumulative layout shift (the Layout Instability API,
every shift without recent input, summed from the first paint) is at most 0.02 on every page."""

from __future__ import annotations

import time

import pytest

from tests.browser.a11y import PAGES, page_settled
from tests.browser.conftest import wait_until

LIMIT = 0.02
# Installed before any of the page's own scripts, on every document the tab opens.
OBSERVER = """
window.__kikiShifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (!entry.hadRecentInput) {
      window.__kikiShifts.push({value: entry.value, at: Math.round(entry.startTime),
        sources: (entry.sources || []).map(function (s) {
          const n = s.node;
          return n && n.nodeType === 1
            ? n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') +
              (n.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\\s+/).join('.') : '')
            : String(n && n.nodeName);
        })});
    }
  });
}).observe({type: 'layout-shift', buffered: true});
"""


def layout_shift(duo, path: str, ready: str) -> tuple[float, list]:
    duo.driver.get(duo.server.url + path)
    duo.wait_for_element(ready, timeout=20)
    wait_until(lambda: page_settled(duo), timeout=15, message=f"{path} still loading")
    time.sleep(1.0)  # late shifts: fonts, a chart's second draw
    shifts = duo.driver.execute_script("return window.__kikiShifts")
    return sum(s["value"] for s in shifts), shifts


@pytest.mark.parametrize("width", [1400, 390])
def test_no_page_shifts_its_layout_as_data_arrives(signed_in, width):
    """On a desktop and on a phone (390 px: columns stack, so a late block pushes all below)."""
    duo = signed_in("admin@acme.test", "/")
    duo.driver.set_window_size(width, 1000 if width > 600 else 844)
    duo.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER}
    )
    measured, detail = {}, {}
    for name, (path, ready, _role) in PAGES.items():
        measured[name], detail[name] = layout_shift(duo, path, ready)
    print(f"CLS per page at {width} px:", {k: round(v, 4) for k, v in measured.items()})
    too_much = {k: v for k, v in measured.items() if v > LIMIT}
    assert not too_much, "\n".join(
        f"{name}: CLS {value:.3f} > {LIMIT}; shifts: {detail[name]}"
        for name, value in too_much.items()
    )
