"""deploy/prometheus: promtool checks and unit-tests the alert rules; every alert has its runbook
and reads only metrics the app really exports. Without promtool: fails in CI, skips elsewhere."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import data.telemetry  # noqa: F401 - registers the kiki_* metrics in REGISTRY
from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "deploy" / "prometheus"
RULES = RULES_DIR / "kiki-alerts.yml"
SEVERITIES = {"page", "ticket"}
# Metrics that do not come from the app, and where each comes from (kiki-alerts.yml's header).
FOREIGN = {
    "up": "Prometheus",
    "node_filesystem_avail_bytes": "node_exporter",
    "node_filesystem_size_bytes": "node_exporter",
    "node_filesystem_readonly": "node_exporter",
    "probe_ssl_earliest_cert_expiry": "blackbox_exporter",
}
PROMQL_WORDS = {
    "sum",
    "by",
    "rate",
    "max",
    "min",
    "time",
    "histogram_quantile",
    "and",
    "or",
}


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool is not installed (Debian: apt-get install prometheus)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [promtool(), *args],
        cwd=RULES_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # the tests read the output
    )


def alerts() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_promtool_checks_the_rules():
    result = run_promtool("check", "rules", RULES.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alerts())} rules found" in result.stdout


def test_promtool_unit_tests_pass():
    result = run_promtool("test", "rules", "kiki-alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_example_scrape_config_is_valid():
    result = run_promtool("check", "config", "--syntax-only", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_unit_tested_firing_and_not_firing():
    tests = yaml.safe_load((RULES_DIR / "kiki-alerts.test.yml").read_text())["tests"]
    checks = [check for test in tests for check in test["alert_rule_test"]]
    for rule in alerts():
        mine = [check for check in checks if check["alertname"] == rule["alert"]]
        assert any(check["exp_alerts"] for check in mine), (
            f"{rule['alert']} never fires"
        )
        assert any(not check["exp_alerts"] for check in mine), (
            f"{rule['alert']}: no negative"
        )


def test_every_alert_has_severity_for_and_an_existing_runbook():
    for rule in alerts():
        name = rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, name
        assert re.fullmatch(r"\d+[smh]", rule["for"]), name
        assert rule["annotations"]["runbook_url"] == f"docs/runbooks/{name}.md"
        runbook = ROOT / "docs" / "runbooks" / f"{name}.md"
        assert runbook.is_file(), f"{name}: no {runbook.relative_to(ROOT)}"
        text = runbook.read_text()
        for heading in (
            "## What it means",
            "## Confirm",
            "## Fix",
            "## Verify",
            "## Tried",
        ):
            assert heading in text, f"{runbook.name} lacks {heading!r}"
    index = (ROOT / "docs" / "runbooks" / "README.md").read_text()
    for rule in alerts():
        assert f"({rule['alert']}.md)" in index, (
            f"runbooks/README.md misses {rule['alert']}"
        )


def exported_names() -> set[str]:
    """Every sample name the app's registry can expose (histograms' _bucket, _count, _sum)."""
    names = set()
    for metric in REGISTRY.collect():
        suffixes = {
            "histogram": ("_bucket", "_count", "_sum"),
            "counter": ("_total",),
        }.get(metric.type, ("",))
        names.update(metric.name + suffix for suffix in suffixes)
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads: identifiers left once label matchers, grouping
    label lists and range selectors are removed, minus PromQL's own words."""
    bare = re.sub(r"\{[^}]*\}", "", expr)
    bare = re.sub(r"\b(by|without)\s*\([^)]*\)", "", bare)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    return set(re.findall(r"\b[a-z_][a-z0-9_]*\b", bare)) - PROMQL_WORDS


def test_rules_read_only_metrics_that_exist():
    exported = exported_names()
    for rule in alerts():
        metrics = metric_names(rule["expr"])
        assert metrics, rule["alert"]
        for metric in metrics:
            assert metric in exported or metric in FOREIGN, (
                f"{rule['alert']} reads {metric}, which neither the app nor a documented "
                f"exporter provides"
            )
