"""Plotly figures to vector SVG with Kaleido 1.x in Debian's Chromium, kept warm in a child
process of each app process, with a deadline on every call.

Starting Python, Kaleido and Chromium took 3-6 s of every PDF with charts; drawing a chart in a
warm browser takes 0.15-0.4 s. So each app process keeps one renderer: a child process
(this file run as a script: JSON lines in on stdin, JSON lines out) holding one Kaleido
and its Chromium, started on the first PDF with charts (never at import), used by one request
at a time, and killed with its browser (the whole process tree) when a call passes its deadline
or fails, so a browser that hangs cannot hang a request; the next PDF starts a fresh one. The
child leaves by itself after ``IDLE_SECONDS`` without work, or when its parent goes away.
Nothing is downloaded: plotly.js comes from the installed ``plotly`` package and MathJax (a CDN
default) is off.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

CHART_WIDTH, CHART_HEIGHT = 900, 420
DEFAULT_BROWSER = "/usr/bin/chromium"
START_SECONDS = 30.0  # Python, Kaleido and Chromium starting on a busy 2-core machine
# A renderer unused this long gives its memory back (0.4-0.7 GB PSS with Chromium: REPORTS.md).
IDLE_SECONDS = 600.0


class ChartError(RuntimeError):
    """The charts could not be drawn (no browser, a crash, or the deadline passed)."""


class ChartTimeout(ChartError):
    """The renderer did not answer before the deadline."""


class Renderer:
    """One child process holding a Kaleido and its Chromium; one call at a time."""

    def __init__(self, browser: str) -> None:
        self.browser = browser
        self.pid = os.getpid()  # its app process (a fork does not inherit it)
        # Chromium's chatter, the tail kept for errors; closed by kill()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            # This file as a script (-P: its folder not on sys.path), not ``-m exports.pdf_charts``,
            # which imported the whole exports package (Flask, pandas, the app's modules): the
            # child's Python held 113 MB and took longer to start.
            [sys.executable, "-P", os.path.abspath(__file__), str(IDLE_SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env={**os.environ, "BROWSER_PATH": browser},
            start_new_session=True,  # a signal to the app's group does not reach it
        )
        self._pending = b""
        os.set_blocking(
            self.process.stdin.fileno(), False
        )  # writes keep the deadline too

    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, timeout: float) -> None:
        """Wait for the child's ``ready`` (Kaleido open, Chromium up)."""
        self._answer(time.monotonic() + timeout, "start")

    def draw(self, figures: list[dict], timeout: float) -> list[str]:
        """One SVG document per figure, all in one round trip."""
        deadline = time.monotonic() + timeout
        self._send(
            json.dumps({"figures": figures}, default=str).encode() + b"\n", deadline
        )
        return self._answer(deadline, "draw")["svgs"]

    def _send(self, data: bytes, deadline: float) -> None:
        """Write ``data`` to the child by the deadline (a hung child stops reading: a blocking
        write of more than a pipe's 64 KiB would wait for ever)."""
        stdin, view = self.process.stdin.fileno(), memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [stdin], [], left)[1]:
                raise ChartTimeout(
                    "the chart renderer did not take the figures in time"
                )
            try:
                view = view[os.write(stdin, view) :]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise ChartError("the chart renderer went away") from exc

    def _answer(self, deadline: float, step: str) -> dict:
        stdout = self.process.stdout.fileno()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdout], [], [], left)[0]:
                raise ChartTimeout(f"the chart renderer did not {step} in time")
            chunk = os.read(stdout, 1 << 20)
            if not chunk:
                raise ChartError(f"the chart renderer failed: {self._tail()}")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        try:
            answer = json.loads(line)
        except ValueError as exc:
            raise ChartError("the chart renderer answered nonsense") from exc
        if "error" in answer:
            raise ChartError(f"the chart renderer failed: {answer['error'][:200]}")
        return answer

    def _tail(self) -> str:
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - 2000))
        lines = self.stderr.read().decode(errors="replace").strip().splitlines()
        return " ".join(lines[-1:])[:200] or f"exit status {self.process.poll()}"

    def kill(self) -> None:
        """SIGKILL the child and every process under it (Chromium's wrapper, browser, renderers:
        they start sessions of their own, so a process group would miss them)."""
        if os.getpid() != self.pid:
            return
        for pid in [*_descendants(self.process.pid), self.process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.process.stdin, self.process.stdout, self.stderr):
            try:
                pipe.close()
            except OSError:
                pass


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid``, from /proc (children before their parents' siblings)."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


_lock = threading.Lock()
_renderer: Renderer | None = None


def _reset_after_fork() -> None:
    global _lock, _renderer
    _lock, _renderer = threading.Lock(), None


os.register_at_fork(after_in_child=_reset_after_fork)


def figures_to_svg(
    figures: list[dict],
    *,
    timeout: float,
    browser: str = DEFAULT_BROWSER,
    start_timeout: float = START_SECONDS,
) -> list[str]:
    """One SVG document per figure (same order), drawn by this process's renderer (started
    here when there is none, or when it died or was killed; a warm one that fails is replaced
    once). ``timeout`` is the deadline per figure. Raises ChartError on failure or timeout,
    after killing the renderer."""
    global _renderer
    if not figures:
        return []
    deadline = time.monotonic() + start_timeout + timeout * len(figures)
    if not _lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise ChartError("the chart renderer is busy")
    try:
        for attempt in range(2):
            renderer = _renderer
            if renderer is not None and (
                not renderer.alive() or renderer.browser != browser
            ):
                renderer.kill()
                renderer = _renderer = None
            fresh = renderer is None
            try:
                if fresh:
                    renderer = _renderer = Renderer(browser)
                    renderer.start(start_timeout)
                svgs = renderer.draw(figures, timeout * len(figures))
            except ChartError as exc:
                renderer.kill()
                _renderer = None
                if fresh or attempt or isinstance(exc, ChartTimeout):
                    raise
                continue  # a renderer that died (or left when idle) since the last PDF: a new one
            if len(svgs) != len(figures) or not all(s.startswith("<svg") for s in svgs):
                renderer.kill()
                _renderer = None
                raise ChartError("the chart renderer returned no drawing")
            return svgs
        raise ChartError("the chart renderer could not start")  # not reached
    finally:
        _lock.release()


def shutdown() -> None:
    """Stop this process's renderer (at exit; tests and the bench call it too)."""
    global _renderer
    if _renderer is not None:
        _renderer.kill()
        _renderer = None


atexit.register(shutdown)


def _serve(idle: float) -> None:
    """The child: open Kaleido, say ready, then answer each line of figures with their SVGs."""
    import asyncio

    import kaleido  # imported in the child only: the app process never starts a browser itself

    opts = {"format": "svg", "width": CHART_WIDTH, "height": CHART_HEIGHT}
    # stdout is the answers' channel alone: anything else printed (by a library, or by a C
    # library on file descriptor 1) goes to stderr instead.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def say(answer: dict) -> None:
        answers.write(json.dumps(answer) + "\n")
        answers.flush()

    async def serve() -> int:
        loop = asyncio.get_running_loop()
        async with kaleido.Kaleido(n=1, timeout=None, mathjax=False) as renderer:
            say({"ready": True})
            while True:
                ready = await loop.run_in_executor(
                    None, select.select, [sys.stdin], [], [], idle
                )
                if not ready[0]:
                    return 0  # no work for a while: the memory back
                line = await loop.run_in_executor(None, sys.stdin.readline)
                if not line:
                    return 0  # the app process went away
                try:
                    figures = json.loads(line)["figures"]
                    svgs = [
                        (await renderer.calc_fig(f, opts=opts)).decode()
                        for f in figures
                    ]
                except Exception as exc:  # noqa: BLE001 - the parent decides what it means
                    say({"error": f"{type(exc).__name__}: {exc}"})
                else:
                    say({"svgs": svgs})

    try:
        status = asyncio.run(serve())
    except Exception as exc:  # noqa: BLE001 - Chromium missing or crashed on start
        say({"error": f"{type(exc).__name__}: {exc}"})
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    _serve(float(sys.argv[1]) if len(sys.argv) > 1 else IDLE_SECONDS)
