"""bench/lighthouse_report.py on a saved Lighthouse result: the parser, the table, the section."""

import json
from pathlib import Path

import pytest

from bench import lighthouse_report as lh

# A real mobile run of the overview (Lighthouse 12.8.2), trimmed to a few audits, with a contrast
# failure, a console error and a refused callback written in by hand.
FIXTURE = Path(__file__).with_name("lighthouse-overview-mobile.json")
REPORT = """# Benchmarks

Latest run: somewhere.

## Targets

| target | measured |
|---|---|

## What was optimized

| change | before | after |

## How each figure is taken

- the method
"""


@pytest.fixture
def summary() -> dict:
    return lh.summarize(json.loads(FIXTURE.read_text()))


def run_of(summaries: dict[str, dict], page: str = "overview", path: str = "/") -> dict:
    return {
        "started": "2026-12-07T18:00:00+00:00",
        "commit": "abc1234",
        "lighthouse": "12.8.2",
        "chromium": "Chromium 156.0.8078.129",
        "cores": 2,
        "runs": 1,
        "pages": {
            page: {
                "path": path,
                **{ff: lh.median_run([s]) for ff, s in summaries.items()},
            }
        },
    }


def test_summary_reads_scores_metrics_and_what_failed(summary):
    assert summary["scores"] == {
        "performance": 47,
        "accessibility": 93,
        "best-practices": 96,
    }
    assert (summary["lcp_ms"], summary["tbt_ms"], summary["cls"]) == (
        6446,
        2920,
        0.0077,
    )
    assert summary["final_path"] == "/"
    assert summary["failed_requests"] == ["400 /_dash-update-component"]
    performance = [a["id"] for a in summary["failing"]["performance"]]
    # Costliest first; the metrics themselves and the hidden network table are not listed.
    assert performance == [
        "mainthread-work-breakdown",
        "bootup-time",
        "unused-javascript",
        "render-blocking-resources",
    ]
    # Files by name, without Dash's fingerprint (.v4_4_1m<mtime>).
    assert summary["failing"]["performance"][2]["where"] == [
        "plotly.min.js",
        "dash_core_components.js",
    ]
    contrast = summary["failing"]["accessibility"][0]
    assert contrast["id"] == "color-contrast"
    assert contrast["where"] == ["nav.navbar > a.nav-link", "span.badge.bg-info"]
    # valid-source-maps fails too but weighs nothing in the score.
    assert [a["id"] for a in summary["failing"]["best-practices"]] == [
        "errors-in-console"
    ]


def test_median_run_keeps_one_runs_figures_together(summary):
    runs = [
        {**summary, "scores": {**summary["scores"], "performance": p}, "lcp_ms": lcp}
        for p, lcp in ((60, 1), (40, 2), (50, 3))
    ]
    median = lh.median_run(runs)
    assert (median["scores"]["performance"], median["lcp_ms"]) == (50, 3)
    assert median["performance_runs"] == [60, 40, 50]


def test_layout_shifts_come_before_milliseconds(summary):
    lhr = json.loads(FIXTURE.read_text())
    lhr["audits"]["layout-shifts"] = {
        "score": 0,
        "scoreDisplayMode": "metricSavings",
        "displayValue": "2 layout shifts found",
        "metricSavings": {"CLS": 0.565},
        "details": {"items": [{"node": {"selector": "div.g-2\n  > label"}}]},
    }
    lhr["categories"]["performance"]["auditRefs"].append(
        {"id": "layout-shifts", "weight": 0, "group": "diagnostics"}
    )
    first = lh.summarize(lhr)["failing"]["performance"][0]
    assert (first["id"], first["where"]) == ("layout-shifts", ["div.g-2 > label"])


def test_table_shows_measured_beside_target_and_what_missed(summary):
    passing = {
        **summary,
        "scores": {"performance": 98, "accessibility": 100, "best-practices": 100},
        "failed_requests": [],
    }
    text = lh.table(run_of({"desktop": passing, "mobile": summary}))
    rows = text.splitlines()
    assert rows[0].startswith("| page | form factor | performance |")
    assert rows[2] == (
        "| overview `/` | desktop | 98 (≥ 95) | 98 | 100 (100) | 100 (100) | 6.4 | 2,920 "
        "| 0.008 (≤ 0.02) | PASS |"
    )
    assert rows[3] == (
        "| overview `/` | mobile | 47 (≥ 75) | 47 | 93 (100) | 96 (100) | 6.4 | 2,920 "
        "| 0.008 (≤ 0.02) | FAIL: performance, accessibility, best practices, failed requests |"
    )


def test_pages_without_a_performance_target_are_judged_on_the_rest(summary):
    text = lh.table(run_of({"desktop": summary}, "approvals", "/approvals"))
    assert "| approvals `/approvals` | desktop | 47 | 47 |" in text
    assert "FAIL: accessibility, best practices, failed requests |" in text


def test_section_replaces_its_own_part_and_keeps_the_rest(summary):
    run = run_of({"mobile": summary})
    first = lh.replace_section(REPORT, run)
    # A first section goes before "What was optimized"; nothing else moves.
    assert first.index("## Targets") < first.index("## Lighthouse")
    assert first.index("## Lighthouse") < first.index("## What was optimized")
    assert first.replace(lh.section(run) + "\n", "") == REPORT
    assert "commit `abc1234` with Lighthouse 12.8.2" in first
    assert "### What Lighthouse holds against each page" in first
    assert "`color-contrast`: `nav.navbar > a.nav-link`, `span.badge.bg-info`" in first
    assert "performance, mobile: `mainthread-work-breakdown` (6.6 s)" in first

    later = {**run, "commit": "def5678"}
    second = lh.replace_section(first, later)
    assert second.count("## Lighthouse") == 1
    assert "def5678" in second and "abc1234" not in second
    assert second.replace(lh.section(later) + "\n", "") == REPORT


def test_section_at_the_end_of_the_file_is_replaced_too(summary):
    text = REPORT + "\n## Lighthouse\n\nold figures\n"
    replaced = lh.replace_section(text, run_of({"mobile": summary}))
    assert "old figures" not in replaced
    assert replaced.startswith(REPORT)
    assert replaced.endswith("\n") and not replaced.endswith("\n\n")


def test_a_regenerated_report_keeps_the_lighthouse_section(summary):
    """`python -m bench` writes the whole file anew: the section is carried over."""
    old = lh.replace_section(REPORT, run_of({"mobile": summary}))
    regenerated = REPORT.replace("somewhere", "later")
    carried = lh.carry_section(old, regenerated)
    assert "Latest run: later." in carried
    assert lh.section(run_of({"mobile": summary})) in carried
    assert lh.carry_section(REPORT, regenerated) == regenerated
