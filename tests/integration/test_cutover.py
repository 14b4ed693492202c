"""The cutover from the legacy scraper, built for real: hand-checked comparison metrics,
A/B assignment in SQL, rollback and roll-forward, and the dashboard in a headless browser."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path

import psycopg
import pytest

from devkit.browser import HeadlessChromium
from devkit.dedup import land
from devkit.hand_checked import POSTED, jobspikr_record, land_hand_checked_set, legacy_row
from devkit.suite import TEST_ANCHOR, build, land_records
from jobspikr_pipeline.cutover.dashboard import COLOURS, write_dashboard
from jobspikr_pipeline.cutover.flags import read_flags, rollback, rollforward
from jobspikr_pipeline.cutover.report import load_report
from jobspikr_pipeline.dbt import run_dbt
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape, write_legacy_rows

pytestmark = pytest.mark.integration

def totals(conn: psycopg.Connection) -> dict[tuple[str, str], float]:
    return {(s, m): float(v) for s, m, v in conn.execute(
        "select source, metric, value from marts.cutover_run_metrics"
        " where run_at = (select max(run_at) from marts.cutover_run_metrics)")}


def test_comparison_metrics_on_a_hand_checked_set(warehouse: str, conn: psycopg.Connection) -> None:
    land_hand_checked_set(warehouse)
    build()
    m = totals(conn)
    assert (m["jobspikr", "records"], m["jobspikr", "unique_jobs"]) == (3, 2)      # a1, a2 | b1
    assert (m["legacy", "records"], m["legacy", "unique_jobs"]) == (2, 2)          # 1 | 2
    assert (m["overlap", "records"], m["overlap", "unique_jobs"]) == (3, 1)        # a1, a2, 1: job A
    assert m["jobspikr", "coverage_pct"] == pytest.approx(50)    # A of legacy's A, C
    assert m["legacy", "coverage_pct"] == pytest.approx(50)      # A of JobsPikr's A, B
    assert m["jobspikr", "duplicate_rate_pct"] == pytest.approx(100 / 3)  # a2 repeats a1
    assert m["legacy", "duplicate_rate_pct"] == 0
    assert m["jobspikr", "quarantine_rate_pct"] == pytest.approx(25)      # q1 of 4
    assert m["legacy", "quarantine_rate_pct"] == 0
    assert m["jobspikr", "completeness_salary_pct"] == pytest.approx(200 / 3)  # a1, a2 of 3
    assert m["legacy", "completeness_salary_pct"] == pytest.approx(50)         # row 1 of 2
    assert m["jobspikr", "freshness_hours"] == pytest.approx(20)   # median of 10, 20, 30
    assert m["legacy", "freshness_hours"] == pytest.approx(6)      # median of 5, 7
    daily = dict(conn.execute(
        "select source, value from marts.cutover_daily_metrics where metric = 'records' and metric_date = %s",
        (POSTED,)))
    assert {k: float(v) for k, v in daily.items()} == {"jobspikr": 3, "legacy": 2, "overlap": 3}
    checks = dict(conn.execute("select check_name, passed from marts.cutover_threshold_checks"))
    assert checks["jobspikr_coverage_of_legacy_pct"] is False   # 50 < 80
    # BI tools see the column docs as comments; the table comment stays the source-flags marker
    comments = dict(conn.execute("""
        select c.relname || '.' || a.attname, col_description(c.oid, a.attnum)
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'marts' and c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped"""))
    assert comments["job_listings.title"] == "Job title as the representative record spells it."
    assert comments["consumer_job_listings.title"] == comments["job_listings.title"]  # one text, both
    assert comments["cutover_threshold_checks.passed"] == "Whether the value is within the threshold."
    assert all(comments.values()), [k for k, v in comments.items() if not v]
    marker = conn.execute("select obj_description('marts.job_listings'::regclass, 'pg_class')").fetchone()[0]
    assert marker.startswith("source_flags ")
    assert checks["jobspikr_quarantine_rate_pct"] is False      # 25 > 5
    assert checks["completeness_salary_drop_points"] is True    # JobsPikr is better


def test_a_warehouse_built_before_the_marts_were_renamed_keeps_its_cutover_history(
        warehouse: str, conn: psycopg.Connection) -> None:
    """The cutover marts were named migration_*: the per-run history carries over, the stale
    copies of the rebuilt marts go (raw_schema/0010_cutover_history_renamed.sql,
    macros/cutover/carry_renamed_marts.sql)."""
    conn.execute("create schema marts")
    conn.execute("create table marts.migration_run_metrics as select 'an-old-run'::text as invocation_id,"
                 " now() - interval '30 days' as run_at, 'jobspikr'::text as source, 'records'::text as metric,"
                 " 7::numeric as value")
    conn.execute("create table marts.migration_daily_metrics as select 1 as stale")
    land_hand_checked_set(warehouse)  # applies the raw schema, as the DAG does before dbt
    build()
    history = dict(conn.execute("select invocation_id, count(*) from marts.cutover_run_metrics group by 1"))
    assert history.pop("an-old-run") == 1 and len(history) == 1  # the old run, then this one
    assert conn.execute("select to_regclass('marts.migration_run_metrics'),"
                        " to_regclass('marts.migration_daily_metrics')").fetchone() == (None, None)


def test_a_source_that_delivers_nothing_valid_fails_the_checks(warehouse: str, conn: psycopg.Connection) -> None:
    """JobsPikr landed one record, quarantined (no title); the scraper found two jobs."""
    apply_raw_schema(conn)
    loader = RawLoader(conn, query_key="hand", airflow_run_id="hand")
    land_records(loader, [jobspikr_record("q1", 1, job_title="")], post_date=POSTED)
    loader.ledger.finish()
    with conn.transaction():
        write_legacy_rows(conn, [legacy_row(1, title="Accountant", description_html="<p>Ledgers.</p>"),
                                 legacy_row(2, title="Nurse", description_html="<p>Wards.</p>")])
    build()
    checks = dict(conn.execute("select check_name, passed from marts.cutover_threshold_checks"))
    assert checks["jobspikr_coverage_of_legacy_pct"] is False  # no JobsPikr job covers the scraper's
    assert checks["jobspikr_quarantine_rate_pct"] is False
    completeness = {name: passed for name, passed in checks.items() if name.startswith("completeness_")}
    assert len(completeness) == 7 and not any(completeness.values())  # a field nobody delivered does not pass


#: Buckets worked out by hand from the rule (the first 32 bits of md5(id), modulo 100), so a
#: change to the SQL rule shows.
FIXED_BUCKETS = {"consumer-0": 3, "consumer-1": 35, "consumer-2": 40}


def assign_variants(conn: psycopg.Connection, flags: dict[str, tuple[bool, int]]) -> dict[str, tuple[int, set[str]]]:
    """Set each source's (enabled, rollout_percent) and rebuild consumer_variants; return each
    test consumer's bucket and the sources it is served, as SQL (the rule's only home) says."""
    for source, (enabled, percent) in flags.items():
        conn.execute("update seeds.source_flags set enabled = %s, rollout_percent = %s where source = %s",
                     (enabled, percent, source))
    run_dbt(["run", "--select", "consumer_variants"], conn_id="warehouse_default")
    return {cid: (bucket, set(sources)) for cid, bucket, sources in conn.execute(
        "select consumer_id, bucket, sources from marts.consumer_variants where kind = 'test'")}


def seed_test_consumers(conn: psycopg.Connection, count: int) -> list[str]:
    """Migrate, seed, and add ``count`` consumers of kind ``test``; return their ids."""
    apply_raw_schema(conn)
    run_dbt(["seed"], conn_id="warehouse_default")
    ids = [f"consumer-{n}" for n in range(count)]
    with conn.cursor() as cur:
        cur.executemany("insert into seeds.consumers (consumer_id, kind) values (%s, 'test')", [(i,) for i in ids])
    return ids


def test_variant_assignment_in_sql_matches_the_rule_and_the_percentages(
        warehouse: str, conn: psycopg.Connection) -> None:
    ids = seed_test_consumers(conn, 5000)
    conn.execute("update seeds.source_flags set rollout_percent = 30 where source = 'jobspikr'")
    run_dbt(["run", "--select", "consumer_variants"], conn_id="warehouse_default")
    rows = {cid: (bucket, variant) for cid, bucket, variant in conn.execute(
        "select consumer_id, bucket, variant from marts.consumer_variants")}
    assert [rows[i][0] for i in FIXED_BUCKETS] == list(FIXED_BUCKETS.values())
    assert all(rows[i][1] == ("combined" if rows[i][0] < 30 else "legacy_only") for i in ids)
    share = sum(rows[i][1] == "combined" for i in ids) / len(ids)
    assert abs(share - 0.30) < 0.025
    run_dbt(["run", "--select", "consumer_variants"], conn_id="warehouse_default")
    again = dict(conn.execute("select consumer_id, variant from marts.consumer_variants"))
    assert all(again[i] == rows[i][1] for i in ids)   # stable across runs
    conn.execute("update seeds.source_flags set rollout_percent = 50")   # a clean A/B split
    run_dbt(["run", "--select", "consumer_variants"], conn_id="warehouse_default")
    split = dict(conn.execute("select variant, count(*) from marts.consumer_variants group by 1"))
    assert set(split) == {"jobspikr_only", "legacy_only"}


def test_buckets_are_stable_and_uniform_and_the_ranges_split_consumers_as_the_flags_say(
        warehouse: str, conn: psycopg.Connection) -> None:
    ids = seed_test_consumers(conn, 20_000)
    first = assign_variants(conn, {"jobspikr": (True, 30), "legacy": (True, 100)})
    buckets = [first[i][0] for i in ids]
    for percent in (1, 10, 30, 50, 90):
        share = sum(b < percent for b in buckets) / len(buckets)
        assert abs(share - percent / 100) < 0.015, (percent, share)
    by_bucket = {bucket: frozenset(sources) for bucket, sources in first.values()}
    assert sorted(by_bucket) == list(range(100))
    served = list(by_bucket.values())
    assert served.count(frozenset({"jobspikr", "legacy"})) == 30 and served.count(frozenset({"legacy"})) == 70
    # an even A/B split: every consumer gets exactly one source
    even = assign_variants(conn, {"jobspikr": (True, 50), "legacy": (True, 50)})
    assert all(len(sources) == 1 for _, sources in even.values())
    assert all(even[i][0] == first[i][0] for i in ids)  # stable across runs
    # a disabled source is served to nobody, whatever its percentage
    off = assign_variants(conn, {"jobspikr": (True, 100), "legacy": (False, 100)})
    assert not any("legacy" in sources for _, sources in off.values())
    # raising a percentage only adds consumers
    before = {i for i, (_, s) in assign_variants(conn, {"jobspikr": (True, 20), "legacy": (True, 100)}).items()
              if "jobspikr" in s}
    after = {i for i, (_, s) in assign_variants(conn, {"jobspikr": (True, 35), "legacy": (True, 100)}).items()
             if "jobspikr" in s}
    assert before < after


def test_rollback_serves_legacy_only_and_rollforward_restores(warehouse: str, conn: psycopg.Connection,
                                                              flags_file: Path) -> None:
    catalogue = Catalogue(seed=61, size=400, anchor=TEST_ANCHOR, days=10)
    land(warehouse, catalogue, LegacyScrape(catalogue, size=150))
    build()
    before = dict(conn.execute("select source, count(*) from marts.job_listing_records group by 1"))
    listings_before = conn.execute("select count(*) from marts.job_listings").fetchone()[0]

    flags = rollback(path=flags_file)
    assert not flags["jobspikr"].enabled and not read_flags(flags_file)["jobspikr"].enabled
    served = dict(conn.execute("select source, count(*) from marts.job_listing_records group by 1"))
    assert served == {"legacy": before["legacy"]}
    assert conn.execute("select count(*) from marts.job_listings where 'jobspikr' = any(sources)"
                        ).fetchone()[0] == 0
    assert conn.execute("select count(*) from raw.legacy_scraped_jobs").fetchone()[0] == 150   # history kept
    assert conn.execute("select count(*) from raw.jobspikr_jobs").fetchone()[0] == 400         # still landed

    rollforward(path=flags_file)
    assert dict(conn.execute("select source, count(*) from marts.job_listing_records group by 1")) == before
    assert conn.execute("select count(*) from marts.job_listings").fetchone()[0] == listings_before


def png_colours(path: Path) -> set[tuple[int, int, int]]:
    """The RGB colours in an 8-bit RGB/RGBA PNG (as Chromium writes screenshots)."""
    data = path.read_bytes()
    chunks, offset = {}, 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert depth == 8 and colour_type in (2, 6)
    channels = 4 if colour_type == 6 else 3
    raw, stride = zlib.decompress(b"".join(chunks[b"IDAT"])), width * channels
    previous, colours = bytearray(stride), set()
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        colours.update(tuple(line[i:i + 3]) for i in range(0, stride, channels))
        previous = line
    return colours


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed "
                    "(./pipeline test installs it when it can: apt-get install chromium)")
def test_dashboard_shows_the_charts_with_data_in_headless_chromium(warehouse: str, conn: psycopg.Connection,
                                                                   tmp_path: Path) -> None:
    catalogue = Catalogue(seed=71, size=600, anchor=TEST_ANCHOR, days=10)
    land(warehouse, catalogue, LegacyScrape(catalogue, size=200))
    build()
    run_dbt(["run", "--select", "cutover_run_metrics"], conn_id="warehouse_default")  # a second run
    dashboard = write_dashboard(load_report(conn), tmp_path / "dashboard.html")
    charts = ("records", "coverage_pct", "completeness", "freshness_hours", "history")
    with HeadlessChromium(tmp_path / "chromium", window="1280,1900") as browser:
        page = browser.open(dashboard.as_uri())
        # Every chart drawn, not five .main-svg elements: each plot has several, so three drawn charts
        # would pass that while the last two are still being drawn on a busy machine.
        page.wait_for(f"{json.dumps(charts)}.every(id => document.querySelector(`#${{id}}.js-plotly-plot .main-svg`))",
                      what="every chart")
        drawn_traces = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')].map("
            "gd => [gd.id, gd.data.map(t => [t.name, t.x.length])]))")
        ticks = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')].map("
            "gd => [gd.id, [gd.querySelectorAll('.xtick').length, gd.querySelectorAll('.ytick').length]]))")
        bar_labels = page.evaluate(
            "[...document.querySelectorAll('#completeness .bartext')].map(t => t.textContent)")
        page.evaluate("Plotly.Fx.hover('records', [{curveNumber: 0, pointNumber: 2}])")
        hover = page.wait_for("document.querySelector('#records .hoverlayer').textContent", what="a hover label")
        screenshot = page.screenshot(tmp_path / "dashboard.png")
    assert set(drawn_traces) == set(charts)
    volume = dict(drawn_traces["records"])
    assert set(volume) == {"jobspikr", "legacy", "overlap"}
    assert min(volume.values()) >= 5, volume   # a point per post date
    assert dict(drawn_traces["history"])["jobspikr"] == 2   # one point per dbt run
    for chart, (x_ticks, y_ticks) in ticks.items():
        assert x_ticks >= 3 and y_ticks >= 3, (chart, x_ticks, y_ticks)   # ticked axes, not two end labels
    assert "0%" in bar_labels   # legacy's job_type: a labelled 0% bar, not a missing one
    assert "records" in hover and any(ch.isdigit() for ch in hover), hover
    drawn = png_colours(screenshot)
    for source, colour in COLOURS.items():
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in drawn, f"no {source} line or bar on the rendered page"
