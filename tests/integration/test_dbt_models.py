"""dbt for real on a real Postgres: dedup quality, quarantine, incremental = full refresh, BI role."""

from __future__ import annotations

import re

import psycopg
import pytest

from devkit.dedup import land, score_marts
from devkit.suite import TEST_ANCHOR, build, land_records
from jobspikr_pipeline.dbt import run_dbt
from jobspikr_pipeline.raw_loader import RawLoader
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape, write_legacy_rows

pytestmark = pytest.mark.integration

CATALOGUE = Catalogue(seed=21, size=1500, anchor=TEST_ANCHOR, days=10)
LEGACY = LegacyScrape(CATALOGUE, size=500)


def grouping(conn: psycopg.Connection) -> set[frozenset[str]]:
    """The partition of records into jobs, independent of how the jobs are named."""
    groups: dict[str, set[str]] = {}
    for key, job in conn.execute(
            "select source || ':' || source_record_id, job_listing_id from marts.job_listing_records"):
        groups.setdefault(job, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def matches(conn: psycopg.Connection) -> set[tuple]:
    """The evidence mart's pairs, decisions and whether each pair was merged."""
    return set(conn.execute("select left_record_key, right_record_key, decision, merged, title_similarity,"
                            " opening_similarity, text_similarity from marts.job_listing_matches"))


def test_dedup_meets_targets_bad_rows_are_quarantined_and_bi_reads_only_marts(warehouse, conn) -> None:
    land(warehouse, CATALOGUE, LEGACY)
    good = CATALOGUE.record(0)
    bad = [
        {**good, "uniq_id": "bad-title", "cursor": 1, "job_title": "  "},
        {**good, "uniq_id": "bad-date", "cursor": 2, "post_date": "2099-01-01"},
        {**good, "uniq_id": "bad-url", "cursor": 3, "url": "javascript:alert(1)"},
    ]
    loader = RawLoader(conn, query_key="bad", airflow_run_id="test")
    land_records(loader, bad, post_date=TEST_ANCHOR)
    loader.ledger.finish()
    with conn.transaction():
        write_legacy_rows(conn, [{**LEGACY.row(0), "id": 9999, "title": "NA"}])

    build()  # includes every data test and the raw = staged + quarantined balance
    # dbt's unit tests, which production builds leave out (jobspikr_pipeline.dbt.NOT_IN_PRODUCTION),
    # on the relations the build made
    ran = run_dbt(["test", "--select", "test_type:unit"], conn_id="warehouse_default")
    assert re.search(r"Finished running .*\b[1-9]\d* unit tests\b", ran), ran[-2000:]

    score = score_marts(warehouse, CATALOGUE, LEGACY)
    assert score.true_pairs > 200
    assert score.precision >= 0.98 and score.recall >= 0.95, score
    quarantined = dict(conn.execute(
        "select source || ':' || source_record_id, quarantine_reason from quarantine.job_records_quarantine"))
    assert quarantined == {"jobspikr:bad-title": "missing_title", "jobspikr:bad-date": "post_date_after_crawl",
                           "jobspikr:bad-url": "invalid_url", "legacy:9999": "missing_title"}
    staged = conn.execute("select count(*) from marts.job_listing_records").fetchone()[0]
    assert staged + len(quarantined) == CATALOGUE.size + len(bad) + LEGACY.size + 1

    # The evidence: every job of several records has a matched pair inside it, and a
    # possible duplicate is never what merged two records.
    unexplained = conn.execute("""
        select job_listing_id from marts.job_listing_records group by 1 having count(*) > 1
        except
        select left_job_listing_id from marts.job_listing_matches where decision = 'match' and merged""").fetchall()
    assert unexplained == []
    decisions = dict(conn.execute("""
        select decision, count(*) filter (where merged)::float / count(*) from marts.job_listing_matches group by 1"""))
    assert decisions["match"] > 0.99  # the cluster check split almost none of the generator's matches
    merged_only_as_possible = conn.execute("""
        select count(*) from marts.job_listing_matches p
        where p.decision = 'possible_duplicate' and p.merged
          and not exists (select from marts.job_listing_matches m
                          where m.decision = 'match' and m.merged and m.left_job_listing_id = p.left_job_listing_id)""")
    assert merged_only_as_possible.fetchone()[0] == 0

    conn.execute("create role bi_test_user login in role bi_reader")
    try:
        bi_dsn = psycopg.conninfo.make_conninfo(warehouse, user="bi_test_user", password="")
        with psycopg.connect(bi_dsn, autocommit=True) as bi:
            assert bi.execute("select count(*) from marts.job_listings").fetchone()[0] > 0
            assert bi.execute("select count(*) from marts.job_listing_matches").fetchone()[0] > 0
            for statement in ("select 1 from raw.jobspikr_jobs limit 1",
                              "select 1 from raw.jobspikr_load_log limit 1",
                              "delete from marts.job_listings",
                              "create table marts.mine (x int)",
                              "select 1 from quarantine.job_records_quarantine limit 1",
                              # whole records and history stay out of BI's reach (docs/personal-data.md)
                              "select 1 from raw.jobspikr_jobs_archive limit 1",
                              "select 1 from raw.jobspikr_rejects limit 1",
                              "select 1 from raw.personal_data_erasures limit 1",
                              "select 1 from snapshots.jobspikr_jobs_snapshot limit 1",
                              "select 1 from snapshots.job_listings_snapshot limit 1"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    bi.execute(statement)
    finally:
        conn.execute("drop owned by bi_test_user")
        conn.execute("drop role bi_test_user")


def test_incremental_runs_group_like_a_full_refresh(warehouse, conn) -> None:
    first = Catalogue(seed=21, size=1500, anchor=TEST_ANCHOR, days=10)
    land(warehouse, first, LegacyScrape(first, size=300))
    build()
    # The next day: new JobsPikr jobs, and the scraper re-scraping jobs loaded yesterday,
    # which the incremental run must match against records it does not re-read.
    land(warehouse, Catalogue(seed=22, size=500, anchor=TEST_ANCHOR, days=10), LegacyScrape(first, size=0))
    rescrapes = LegacyScrape(first, size=300, seed=2)
    with conn.transaction():
        write_legacy_rows(conn, [{**row, "id": row["id"] + 1000} for row in rescrapes.rows()])
    build()
    incremental = grouping(conn)
    incremental_matches = matches(conn)
    assert sum(len(g) for g in incremental) == 1500 + 300 + 500 + 300
    day_two_rescrapes = {f"legacy:{n}" for n in range(1001, 1301)}
    merged_rescrapes = [g for g in incremental if g & day_two_rescrapes and len(g) > 1]
    assert len(merged_rescrapes) > 100  # day-two records joined day-one jobs
    build("--full-refresh")
    assert grouping(conn) == incremental
    assert matches(conn) == incremental_matches


def served_by_source(conn: psycopg.Connection) -> dict[str, int]:
    return dict(conn.execute("select source, count(*) from marts.job_listing_records group by source"))


def test_flipping_a_source_flag_switches_what_the_incremental_marts_serve(warehouse, conn) -> None:
    catalogue = Catalogue(seed=31, size=600, anchor=TEST_ANCHOR, days=10)
    land(warehouse, catalogue, LegacyScrape(catalogue, size=200))
    build()
    assert set(served_by_source(conn)) == {"jobspikr", "legacy"}
    both = grouping(conn)

    # The seed's content changes (as after editing source_flags.csv and `dbt seed`), then an
    # incremental run with no new data: the marts must follow the flag, not their last state.
    conn.execute("update seeds.source_flags set enabled = false where source = 'legacy'")
    run_dbt(["run"], conn_id="warehouse_default")
    assert set(served_by_source(conn)) == {"jobspikr"}
    still_citing_legacy = conn.execute(
        "select count(*) from marts.job_listings where 'legacy' = any(sources)").fetchone()[0]
    assert still_citing_legacy == 0
    assert conn.execute("select count(*) from marts.job_listings").fetchone()[0] == len(grouping(conn))

    conn.execute("update seeds.source_flags set enabled = true where source = 'legacy'")
    run_dbt(["run"], conn_id="warehouse_default")
    assert grouping(conn) == both
    run_dbt(["test"], conn_id="warehouse_default")
