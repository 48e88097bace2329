"""wrk (Debian's package) for fixed-request throughput: signed-in callback POSTs from a Lua script."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.client import USER_AGENT

LUA = """
local sessions = %(sessions)s
local bodies = %(bodies)s
local origin = %(origin)s
local agent = %(agent)s
local turn = 0
request = function()
  turn = turn + 1
  local s = sessions[turn %% #sessions + 1]
  local headers = {["Content-Type"] = "application/json", ["Origin"] = origin,
                   ["User-Agent"] = agent}
  if s[1] ~= "" then headers["Cookie"] = s[1]; headers["X-CSRFToken"] = s[2] end
  return wrk.format("POST", "/_dash-update-component", headers, bodies[turn %% #bodies + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_s": %%.3f, "errors": %%d, "non_2xx": %%d, ' ..
    '"p50_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "mean_ms": %%.2f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's package when it is missing (the bench runs as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def script(base_url: str, sessions: list[dict], bodies: list[dict]) -> str:
    """Lua for wrk: rotate through signed-in ``sessions`` (cookie dicts) and JSON ``bodies``."""
    pairs = [
        (
            "; ".join(f"{k}={v}" for k, v in cookies.items()),
            cookies.get("_csrf_token", ""),
        )
        for cookies in sessions
    ] or [("", "")]
    lua_sessions = (
        "{"
        + ", ".join(f"{{{_lua_string(c)}, {_lua_string(t)}}}" for c, t in pairs)
        + "}"
    )
    lua_bodies = "{" + ", ".join(_lua_string(json.dumps(b)) for b in bodies) + "}"
    return LUA % {
        "sessions": lua_sessions,
        "bodies": lua_bodies,
        "origin": _lua_string(base_url),
        "agent": _lua_string(USER_AGENT),
    }


def run(
    base_url: str,
    sessions: list[dict],
    bodies: list[dict],
    seconds: float,
    connections: int = 8,
) -> dict:
    """One bounded wrk run on loopback; requests, req/s, latency percentiles, errors."""
    if not base_url.startswith("http://127.0.0.1:"):
        raise ValueError("the bench only loads loopback servers")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "callback.lua"
        path.write_text(script(base_url, sessions, bodies))
        out = subprocess.run(
            [
                ensure_wrk(),
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(path),
                base_url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    result = json.loads(line[len("WRKJSON ") :])
    result["rps"] = round(result["requests"] / result["duration_s"], 1)
    return result
