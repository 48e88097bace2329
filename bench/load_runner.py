"""Locust, headless, as a library: simulated signed-in users ramped in steps until p95 or errors fail.

Runs in its own venv (bench/.venv, see bench/requirements.txt) because locust patches the standard
library with gevent: `bench/.venv/bin/python bench/load_runner.py plan.json result.json`. It knows
nothing of the app: the plan (written by bench/load.py) holds the sessions and request sequences.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time

import gevent
from locust import FastHttpUser, between, events, task
from locust.env import Environment

PLAN: dict = {}
SESSION_TURN = itertools.count()


class SimulatedUser(FastHttpUser):
    """Loads the overview once, then every ~30 s does one action of the plan (weighted)."""

    wait_time = between(20, 40)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        cookies = PLAN["sessions"][next(SESSION_TURN) % len(PLAN["sessions"])]
        self.headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies.get("_csrf_token", ""),
            "Origin": PLAN["base_url"],
            "User-Agent": PLAN["user_agent"],  # the one its session signed in with
            "Content-Type": "application/json",
        }
        self.run_sequence(random.choice(PLAN["first_load"]))

    def run_sequence(self, requests: list[dict]) -> None:
        for item in requests:
            body = json.dumps(item["body"]) if item.get("body") is not None else None
            headers = self.headers
            if item.get("referrer"):
                headers = {**headers, "Referer": PLAN["base_url"] + item["referrer"]}
            with self.client.request(
                item["method"],
                item["path"],
                data=body,
                headers=headers,
                name=item["name"],
                catch_response=True,
            ) as response:
                if response.status_code not in (200, 204):
                    response.failure(f"HTTP {response.status_code}")
                    return

    @task
    def act(self) -> None:
        names = list(PLAN["actions"])
        weights = [PLAN["actions"][n]["weight"] for n in names]
        action = PLAN["actions"][random.choices(names, weights)[0]]
        self.run_sequence(random.choice(action["variants"]))


def _snapshot(env: Environment, users: int, seconds: float) -> dict:
    total = env.stats.total
    by_name = {
        name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
        for (name, _method), entry in env.stats.entries.items()
    }
    errors = [
        {"name": e.name, "error": str(e.error), "count": e.occurrences}
        for e in env.stats.errors.values()
    ]
    return {
        "users": users,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.num_requests / seconds, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "by_request": by_name,
        "errors": errors[:10],
        # A shared machine: how busy it was (all processes, 2 cores) when the window closed.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def ramp(plan: dict) -> dict:
    """Each step: spawn up to the user count, settle, measure a window; stop at the first fail."""
    env = Environment(
        user_classes=[SimulatedUser], events=events, host=plan["base_url"]
    )
    runner = env.create_local_runner()
    steps, held = [], None
    deadline = time.monotonic() + plan["max_seconds"]
    try:
        for users in plan["steps"]:
            runner.start(users, spawn_rate=plan["spawn_rate"])
            while runner.user_count < users and time.monotonic() < deadline:
                gevent.sleep(0.5)
            gevent.sleep(plan["settle_seconds"])
            env.stats.reset_all()
            started = time.monotonic()
            gevent.sleep(plan["window_seconds"])
            step = _snapshot(env, users, time.monotonic() - started)
            step["ok"] = (
                step["failures"] == 0 and step["p95_ms"] <= plan["p95_limit_ms"]
            )
            steps.append(step)
            print(
                json.dumps({k: step[k] for k in ("users", "rps", "p95_ms", "failures")})
            )
            sys.stdout.flush()
            if not step["ok"] or time.monotonic() > deadline:
                break
            held = step
    finally:
        runner.quit()
    return {"steps": steps, "held": held}


def main(plan_path: str, result_path: str) -> None:
    with open(plan_path) as handle:
        PLAN.update(json.load(handle))
    if not PLAN["base_url"].startswith("http://127.0.0.1:"):
        raise SystemExit("the bench only loads loopback servers")
    result = ramp(PLAN)
    with open(result_path, "w") as handle:
        json.dump(result, handle, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
