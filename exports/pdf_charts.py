"""Plotly figures to vector SVG with Kaleido 1.x in Debian's Chromium, in a child process with a deadline.

Kaleido drives a headless Chromium through choreographer; a browser that hangs would hang the
request with it, so the conversion runs in ``python -m exports.pdf_charts`` (figures as JSON on
stdin, SVG strings as JSON on stdout) that is killed at the deadline. Nothing is downloaded:
plotly.js comes from the installed ``plotly`` package and MathJax (a CDN default) is off.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

CHART_WIDTH, CHART_HEIGHT = 900, 420
DEFAULT_BROWSER = "/usr/bin/chromium"


class ChartError(RuntimeError):
    """The charts could not be drawn (no browser, a crash, or the deadline passed)."""


def figures_to_svg(
    figures: list[dict], *, timeout: float, browser: str = DEFAULT_BROWSER
) -> list[str]:
    """One SVG document per figure (same order); raises ChartError on failure or timeout."""
    if not figures:
        return []
    env = {**os.environ, "BROWSER_PATH": browser}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "exports.pdf_charts"],
            input=json.dumps(figures, default=str).encode(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChartError(f"the charts took longer than {timeout:g} s") from exc
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise ChartError(f"the chart renderer failed: {' '.join(tail)[:200]}")
    svgs = json.loads(done.stdout)
    if len(svgs) != len(figures) or not all(s.startswith("<svg") for s in svgs):
        raise ChartError("the chart renderer returned no drawing")
    return svgs


async def _render(figures: list[dict]) -> list[str]:
    import kaleido  # imported in the child only: the app never starts a browser itself

    opts = {"format": "svg", "width": CHART_WIDTH, "height": CHART_HEIGHT}
    async with kaleido.Kaleido(n=1, timeout=None, mathjax=False) as renderer:
        return [
            (await renderer.calc_fig(figure, opts=opts)).decode() for figure in figures
        ]


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_render(json.load(sys.stdin)))))
