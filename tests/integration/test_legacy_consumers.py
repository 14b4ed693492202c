"""Features built on the scraper's table keep working on marts.legacy_compatible_jobs.

The queries below are the ones features built on `raw.legacy_scraped_jobs` run today. Each
is written once, against a table name, and run unchanged on the scraper's table and on the
compatibility view: while only the scraper feeds the marts, once JobsPikr's copies join its
jobs, with the flags on JobsPikr, combined, and rolled back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from devkit.dedup import land
from devkit.suite import TEST_ANCHOR, build
from jobspikr_pipeline.cutover.flags import rollback, rollforward, set_flags
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape, write_legacy_rows

pytestmark = pytest.mark.integration

LEGACY_TABLE = "raw.legacy_scraped_jobs"
COMPATIBLE_VIEW = "marts.legacy_compatible_jobs"
NOW = datetime(TEST_ANCHOR.year, TEST_ANCHOR.month, TEST_ANCHOR.day, 12).astimezone()

#: What the scraper's features ask (a company's newest jobs, a city this week, a title search).
CONSUMER_QUERIES = {
    "latest_jobs_for_a_company":
        "select id, title, company, location, url, posted_at, scraped_at from {table}"
        " where company ilike %(company)s order by scraped_at desc, id limit 500",
    "jobs_in_a_city_this_week":
        "select id, title, company, location from {table}"
        " where location ilike %(city)s and scraped_at >= %(now)s::timestamptz - interval '7 days'"
        " order by id",
    "search_by_title":
        "select id, title, company, location from {table} where title ilike %(title)s order by id",
}
COUNT_BY_DAY = "select scraped_at::date as day, count(*) as jobs from {table} group by 1 order by 1"
ARGUMENTS = {"company": "%facebook%", "city": "austin,%", "title": "%data engineer%", "now": NOW}

CATALOGUE = Catalogue(seed=71, size=600, anchor=TEST_ANCHOR, days=10)
LEGACY = LegacyScrape(CATALOGUE, size=300)


def run(conn: psycopg.Connection, query: str, table: str) -> list[tuple]:
    return conn.execute(query.format(table=table), ARGUMENTS).fetchall()


def view_id(job_listing_id: str) -> int:
    """The documented id rule: the first 60 bits of the job's id."""
    return int(job_listing_id[:15], 16)


def job_of_each_legacy_row(conn: psycopg.Connection) -> dict[str, int]:
    return {row: view_id(job) for row, job in conn.execute(
        "select source_record_id, job_listing_id from marts.job_listing_records where source = 'legacy'")}


def jobs_with_jobspikr(conn: psycopg.Connection) -> set[int]:
    return {view_id(job) for (job,) in conn.execute(
        "select job_listing_id from marts.job_listings where 'jobspikr' = any(sources)")}


def results(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    return {name: run(conn, query, COMPATIBLE_VIEW) for name, query in CONSUMER_QUERIES.items()}


def test_a_legacy_feature_switches_to_the_view_by_its_table_name(warehouse: str, conn: psycopg.Connection,
                                                                  flags_file: Path) -> None:
    # The scraper alone, as today: the features' queries on its table.
    apply_raw_schema(conn)
    with conn.transaction():
        write_legacy_rows(conn, LEGACY.rows())
    build()
    # The view has the table's columns, with their types, in their order.
    shape = ("select column_name, data_type, ordinal_position from information_schema.columns"
             " where table_schema = %s and table_name = %s order by ordinal_position")
    legacy_shape = conn.execute(shape, ("raw", "legacy_scraped_jobs")).fetchall()
    assert [name for name, _, _ in legacy_shape][:3] == ["id", "source_site", "external_id"]
    assert conn.execute(shape, ("marts", "legacy_compatible_jobs")).fetchall() == legacy_shape

    on_table = {name: run(conn, query, LEGACY_TABLE) for name, query in CONSUMER_QUERIES.items()}
    rows = LEGACY.rows()
    assert {r[0] for r in on_table["search_by_title"]} == {
        r["id"] for r in rows if "data engineer" in r["title"].lower()}
    assert {r[0] for r in on_table["latest_jobs_for_a_company"]} == {
        r["id"] for r in rows if "facebook" in r["company"].lower()}
    assert {r[0] for r in on_table["jobs_in_a_city_this_week"]} == {
        r["id"] for r in rows
        if r["location"].lower().startswith("austin,") and r["scraped_at"] >= NOW - timedelta(days=7)}
    assert all(on_table.values())  # each query finds something in this scrape

    def covers_the_scrapers_rows(view: dict[str, list[tuple]], job_of_row: dict[str, int], *,
                                 only: set[int] | None = None) -> None:
        """Every job holding a row the feature found on the old table (``job_of_row``: the
        scraper's row id -> its job's id) is found on the view, once: nothing the feature
        showed is lost, nothing is shown twice."""
        for name, table_rows in on_table.items():
            ids = [row[0] for row in view[name]]
            assert len(ids) == len(set(ids)), name
            expected = {job_of_row[str(row[0])] for row in table_rows}
            if only is not None:
                expected &= only
            assert expected and expected <= set(ids), name

    scraper_only = results(conn)
    job_of_row_before = job_of_each_legacy_row(conn)
    covers_the_scrapers_rows(scraper_only, job_of_row_before)
    ids_before_jobspikr = {row[0] for rows_ in scraper_only.values() for row in rows_}

    # JobsPikr's records arrive (later than the scraper saw the jobs) and join its jobs.
    land(warehouse, CATALOGUE, LegacyScrape(CATALOGUE, size=0))
    build()
    combined = results(conn)
    job_of_row = job_of_each_legacy_row(conn)  # the ids stay through the flips below
    covers_the_scrapers_rows(combined, job_of_row)
    assert jobs_with_jobspikr(conn) & ids_before_jobspikr  # JobsPikr joined the scraper's jobs ...
    # ... and each scraper row's job kept its id, unless JobsPikr's copy tied two of the
    # scraper's jobs together: then the row is in the other one (an id that existed before).
    moved = {row: job for row, job in job_of_row.items() if job != job_of_row_before[row]}
    assert len(moved) < len(job_of_row_before) / 20
    assert set(moved.values()) <= set(job_of_row_before.values())
    shown = {row[0] for rows_ in combined.values() for row in rows_}

    # JobsPikr only: the jobs JobsPikr has too are still found, under the same ids.
    set_flags({"legacy": {"enabled": False}}, path=flags_file)
    build()
    jobspikr_only = results(conn)
    with_jobspikr = jobs_with_jobspikr(conn)
    covers_the_scrapers_rows(jobspikr_only, job_of_row, only=with_jobspikr)
    assert {row[0] for rows_ in jobspikr_only.values() for row in rows_} <= with_jobspikr

    # Rolled back: the scraper's jobs again, under the ids they had (JobsPikr's records
    # still group them: two scraper rows one JobsPikr copy tied together stay one job).
    rollback(path=flags_file)
    rolled_back = results(conn)
    covers_the_scrapers_rows(rolled_back, job_of_row)
    assert job_of_each_legacy_row(conn) == job_of_row
    assert {row[0] for rows_ in rolled_back.values() for row in rows_} <= shown
    rolled_back_count = run(conn, COUNT_BY_DAY, COMPATIBLE_VIEW)
    jobs = conn.execute("select count(*) from marts.job_listings").fetchone()[0]
    assert sum(count for _, count in rolled_back_count) == jobs
    rollforward(path=flags_file)
    assert results(conn) == combined


def test_a_consumer_in_the_rollout_is_served_its_variant(warehouse: str, conn: psycopg.Connection,
                                                        flags_file: Path) -> None:
    land(warehouse, CATALOGUE, LegacyScrape(CATALOGUE, size=100))
    set_flags({"jobspikr": {"rollout_percent": 50}}, path=flags_file)
    build()
    variants = dict(conn.execute("select consumer_id, variant from marts.consumer_variants"))
    assert {"combined", "legacy_only"} <= set(variants.values())
    for consumer, variant in variants.items():
        expected = conn.execute("select count(*) from marts.job_listings_by_variant where variant = %s",
                                (variant,)).fetchone()[0]
        dsn = psycopg.conninfo.make_conninfo(warehouse, options=f"-c jobspikr.consumer_id={consumer}")
        with psycopg.connect(dsn) as consumer_conn:
            served = consumer_conn.execute(f"select count(*) from {COMPATIBLE_VIEW}").fetchone()[0]  # noqa: S608
        assert served == expected > 0, consumer
