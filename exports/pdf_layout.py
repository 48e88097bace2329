"""WeasyPrint's layout of a long document in a child process with a deadline, so the app process
keeps its memory and its interpreter: HTML in on stdin, the PDF out on stdout.

A table of 2,000 rows takes WeasyPrint 13 s of CPU in pure Python and ~400 MB until the PDF is
written (docs/REPORTS.md). In a worker that time holds the GIL against the worker's other
requests, and the memory stayed with the worker after the PDF; in a child both end with it.
"""

from __future__ import annotations

import os
import subprocess
import sys


class LayoutError(RuntimeError):
    """The layout failed or passed its deadline."""


def layout_in_child(html: str, base_url: str, timeout: float) -> bytes:
    """The PDF of ``html``, laid out by a child process killed at ``timeout`` seconds."""
    try:
        done = subprocess.run(
            # A script (-P: its folder not on sys.path): ``-m exports.pdf_layout`` would import
            # the whole exports package, the app with it.
            [sys.executable, "-P", os.path.abspath(__file__), base_url],
            input=html.encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LayoutError(f"the layout took longer than {timeout:g} s") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise LayoutError(f"the layout failed: {' '.join(tail)[:200]}")
    return done.stdout


if __name__ == "__main__":
    import logging

    import weasyprint

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    document = weasyprint.HTML(
        string=sys.stdin.buffer.read().decode(), base_url=sys.argv[1]
    )
    sys.stdout.buffer.write(document.write_pdf())
