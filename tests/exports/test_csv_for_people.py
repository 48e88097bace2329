"""CSV exports an analyst can hand on: headers and values in words, a UTF-8 byte-order mark,
ISO dates and times, plain numbers; ``?names=machine`` keeps the column names for scripts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pandas as pd
import pytest

from data.csv_encoding import MACHINE, csv_chunks
from data.reads.campaign_list import CAMPAIGN_COLUMNS
from data.reads.metric_rows import METRIC_ROW_COLUMNS
from exports.csv_style import PEOPLE

RANGE = "start=2026-10-05&end=2026-11-01"
BOM = "\ufeff"
CAMPAIGN_HEADERS = [
    "Campaign ID", "Campaign", "Status", "Platforms", "Daily budget", "Impressions",
    "Clicks", "Conversions", "Spend", "Revenue", "Profit", "Fee", "ROAS",
    "ROI (%)", "CPA", "CPC", "CPM", "CTR (%)", "CVR (%)",
]  # fmt: skip
METRIC_ROW_HEADERS = [
    "Date", "Campaign ID", "Campaign", "Platform", "Deployment ID", "Impressions",
    "Clicks", "Conversions", "Spend", "Revenue",
]  # fmt: skip
CENTS = re.compile(r"^-?\d+\.\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")  # no thousands separator, '.' decimals
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def people_table(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark, then the header
    return table(raw.decode("utf-8-sig"))


def test_campaigns_for_people_and_for_scripts_hold_the_same_numbers(client_for):
    client = client_for("acme", "analyst")
    path = f"/export/campaigns.csv?{RANGE}&sort=name&desc=0"
    people = people_table(client.get(path))
    machine = client.get(path + "&names=machine").get_data(as_text=True)
    assert not machine.startswith(BOM)
    scripts = table(machine)
    assert people[0] == CAMPAIGN_HEADERS and scripts[0] == CAMPAIGN_COLUMNS
    assert len(people) == len(scripts) == 5
    words = {"active", "paused", "completed", "draft", "pending_approval"}
    for worded, plain in zip(people[1:], scripts[1:], strict=True):
        row = dict(zip(CAMPAIGN_COLUMNS, plain, strict=True))
        shown = dict(zip(CAMPAIGN_COLUMNS, worded, strict=True))
        assert row["status"] in words
        assert shown["status"] == row["status"].replace("_", " ").capitalize()
        assert shown["platforms"] == ", ".join(
            {"meta": "Meta", "google": "Google", "tiktok": "TikTok"}[p]
            for p in row["platforms"].split(", ")
            if p
        )
        for column in CAMPAIGN_COLUMNS[4:]:  # every number, as the screen rounds it
            assert shown[column] == "" or NUMBER.match(shown[column]), shown[column]
            assert (shown[column] == "") == (row[column] == ""), column
            if row[column] == "":
                continue
            exact = Decimal(row[column])
            if column in ("impressions", "clicks", "conversions"):
                assert shown[column] == row[column]
            elif column in ("ctr", "cvr", "roi"):  # percent to two decimals
                assert CENTS.match(shown[column]), (column, shown[column])
                assert abs(Decimal(shown[column]) - exact * 100) <= Decimal("0.005")
            else:  # money, CPA/CPC/CPM and ROAS to the cent
                assert CENTS.match(shown[column]), (column, shown[column])
                assert abs(Decimal(shown[column]) - exact) <= Decimal("0.005")
    spend = sum(Decimal(r[CAMPAIGN_HEADERS.index("Spend")] or 0) for r in people[1:])
    assert spend == sum(
        Decimal(r[CAMPAIGN_COLUMNS.index("spend")]) for r in scripts[1:]
    )


def test_people_get_cents_and_percent_rounded_half_up_scripts_the_exact_values():
    """Fixed values with their hand-rounded forms: a fee of 12.345 is 12.35 (half up, as an
    invoice rounds), a CTR of 0.023456 is 2.35 (%), a ROAS of 2.0049 is 2.00."""
    frame = pd.DataFrame(
        {
            "fee": [Decimal("12.345"), Decimal("0.004")],
            "roas": [2.0049, float("nan")],
            "ctr": [0.023456, 0.5],
            "cpa": [Decimal("7.125"), None],
        }
    )
    columns = ["fee", "roas", "ctr", "cpa"]
    people = table("".join(csv_chunks([frame], columns, PEOPLE)).lstrip(BOM))
    assert people == [
        ["Fee", "ROAS", "CTR (%)", "CPA"],
        ["12.35", "2.00", "2.35", "7.13"],
        ["0.00", "", "50.00", ""],
    ]
    scripts = table("".join(csv_chunks([frame], columns, MACHINE)))
    assert scripts[1] == ["12.345", "2.0049", "0.023456", "7.125"]


def test_daily_metric_rows_for_people(client_for):
    """Both ways of streaming them (PostgreSQL's COPY, chunks on SQLite) word the header and
    the platforms alike."""
    client = client_for("acme", "analyst")
    people = people_table(client.get(f"/export/metrics/daily.csv?{RANGE}"))
    scripts = table(
        client.get(f"/export/metrics/daily.csv?{RANGE}&names=machine").get_data(
            as_text=True
        )
    )
    assert people[0] == METRIC_ROW_HEADERS and scripts[0] == METRIC_ROW_COLUMNS
    assert len(people) == len(scripts) > 1
    platform = METRIC_ROW_COLUMNS.index("platform")
    assert {r[platform] for r in people[1:]} <= {"Meta", "Google", "TikTok"}
    assert {r[platform] for r in scripts[1:]} <= {"meta", "google", "tiktok"}
    for worded, plain in zip(people[1:], scripts[1:], strict=True):
        assert ISO_DATE.match(worded[0]) and worded[0] == plain[0]
        assert worded[5:] == plain[5:]  # the numbers


@pytest.mark.parametrize(
    "path, first",
    [
        (f"/export/trend.csv?{RANGE}&granularity=week", "Period start"),
        (f"/export/platforms.csv?{RANGE}", "Platform"),
    ],
)
def test_overview_exports_for_people(client_for, path, first):
    rows = people_table(client_for("acme", "analyst").get(path))
    assert rows[0][0] == first and "ROAS" in rows[0] and "Spend" in rows[0]
    if first == "Period start":
        assert all(ISO_DATE.match(r[0]) for r in rows[1:])
    else:
        assert {r[0] for r in rows[1:]} <= {"Meta", "Google", "TikTok"}


def test_campaign_tables_for_people(client_for, world):
    campaign = world["campaigns"]["1"]
    rows = people_table(
        client_for("acme", "analyst").get(
            f"/export/campaign/deployments.csv?campaign_id={campaign}&{RANGE}"
        )
    )
    assert rows[0][:3] == ["Deployment ID", "Platform", "Status"]
    assert {r[1] for r in rows[1:]} <= {"Meta", "Google", "TikTok"} and rows[1:]


def test_audit_times_carry_their_zone(client_for):
    today = dt.datetime.now(dt.UTC).date()
    since, until = today - dt.timedelta(days=300), today + dt.timedelta(days=1)
    client = client_for("acme", "admin")
    client.get(f"/export/trend.csv?{RANGE}")  # one audited export at least
    rows = people_table(client.get(f"/export/audit.csv?start={since}&end={until}"))
    header = rows[0]
    assert header[:4] == ["Audit ID", "When (UTC)", "Action", "Actor"]
    assert rows[1:], "the exports made by these tests are audited"
    for row in rows[1:]:
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$", row[1])
        assert "_" not in row[2]  # "Export made", not "export_made"


@pytest.mark.parametrize("names", ["robots", "", "x" * 5000])
def test_an_unknown_audience_is_named(client_for, names):
    response = client_for("acme", "analyst").get(
        f"/export/campaigns.csv?{RANGE}&names={names}"
    )
    assert response.status_code == 400
    assert response.json["error"]["details"]["param"] == "names"


def test_excel_reads_accented_names_through_the_byte_order_mark():
    frame = pd.DataFrame(
        {"name": ["Café Zürich", "Ñandú"], "spend": [Decimal("1234.50"), Decimal(0)]}
    )
    encoded = "".join(csv_chunks([frame], ["name", "spend"], PEOPLE)).encode("utf-8")
    assert encoded.startswith(b"\xef\xbb\xbf")
    assert table(encoded.decode("utf-8-sig")) == [
        ["Campaign", "Spend"],
        ["Café Zürich", "1234.50"],
        ["Ñandú", "0.00"],
    ]
    plain = "".join(csv_chunks([frame], ["name", "spend"], MACHINE))
    assert plain.startswith("name,spend\r\n")


def test_times_are_iso_with_their_zone_and_missing_ones_empty():
    frame = pd.DataFrame(
        {
            "created_at": [
                pd.Timestamp("2026-11-01 14:03:00", tz="UTC"),
                pd.Timestamp("2026-11-01 14:03:00"),  # SQLite's: UTC without its zone
                pd.NaT,
            ]
        }
    )
    rows = table("".join(csv_chunks([frame], ["created_at"])))
    assert [r[0] for r in rows[1:]] == [
        "2026-11-01T14:03:00+00:00",
        "2026-11-01T14:03:00+00:00",
        "",
    ]
