"""The warm chart renderer: one per process, replaced when its browser dies, killed with every
process under it when a call passes its deadline."""

from __future__ import annotations

import os
import signal
import time

import pytest

from exports import pdf_charts
from exports.pdf_charts import ChartError, figures_to_svg

FIGURE = {"data": [{"type": "bar", "x": [1, 2], "y": [3, 1]}], "layout": {}}


def tree() -> list[int]:
    renderer = pdf_charts._renderer
    return [renderer.process.pid, *pdf_charts._descendants(renderer.process.pid)]


def gone(pids: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    if handle.read().rsplit(")", 1)[1].split()[0] != "Z":
                        alive.append(pid)
            except OSError:
                pass
        if not alive:
            return True
        time.sleep(0.1)
    return False


def browsers(pids: list[int]) -> list[int]:
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if b"chromium" in handle.read().split(b"\0")[0]:
                    found.append(pid)
        except OSError:
            pass
    return found


def test_a_dead_browser_is_replaced_and_a_hung_call_killed_with_its_tree():
    assert figures_to_svg([FIGURE], timeout=10)[0].startswith("<svg")
    first = tree()
    assert browsers(first), first  # Chromium runs under the renderer
    assert figures_to_svg([FIGURE, FIGURE], timeout=10)[1].startswith("<svg")
    assert tree()[0] == first[0]  # the same warm renderer drew again
    for pid in browsers(first):
        os.kill(pid, signal.SIGKILL)
    assert figures_to_svg([FIGURE], timeout=10)[0].startswith("<svg")  # a fresh one
    second = tree()
    assert second[0] != first[0] and gone(first)
    with pytest.raises(ChartError, match="in time"):
        figures_to_svg([FIGURE], timeout=0.001)
    assert pdf_charts._renderer is None and gone(second)
