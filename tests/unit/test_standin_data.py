"""The stand-in's generated records look like the real ones and are reproducible."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from standin_api import RECORD_FIELDS, Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan, Storm
from standin_api.real_rows import REAL_EXPORT as EXPORT

CATALOGUE = Catalogue(seed=3, size=2_000)
RECORDS = [CATALOGUE.record(i) for i in range(CATALOGUE.size)]


def test_fields_are_the_real_export_columns_in_order() -> None:
    if not EXPORT.exists():
        pytest.skip("../shared/data/jobspikr is not beside this clone")
    with EXPORT.open(newline="") as f:
        assert tuple(next(csv.reader(f))) == RECORD_FIELDS
    assert all(set(r) <= set(RECORD_FIELDS) for r in RECORDS)


def test_same_seed_same_data_and_pages_can_start_anywhere() -> None:
    again = Catalogue(seed=3, size=2_000)
    assert [again.record(i) for i in (0, 999, 1999)] == [RECORDS[0], RECORDS[999], RECORDS[1999]]
    assert Catalogue(seed=4, size=2_000).record(5) != RECORDS[5]
    cursors = [r["cursor"] for r in RECORDS]
    assert cursors == sorted(set(cursors)) and all(len(str(c)) == 16 for c in cursors)
    assert all(CATALOGUE.index_at_or_after(c) == i for i, c in enumerate(cursors[:200]))


def test_records_carry_real_world_mess() -> None:
    assert len({r["uniq_id"] for r in RECORDS}) == len(RECORDS)
    assert any("apply_url" not in r for r in RECORDS) and any(r.get("inferred_city") is None for r in RECORDS)
    assert Counter(r["country"] for r in RECORDS).keys() >= {"US", "usa", "United States", ""}
    assert any(r["city"] == "Computer-or-internet" for r in RECORDS)
    assert all(r["html_job_description"].startswith("<!DOCTYPE html>") for r in RECORDS)
    # The same job re-posted on other boards: same description, another uniq_id.
    by_description = Counter(r["job_description"] for r in RECORDS)
    assert sum(1 for n in by_description.values() if n > 1) > 100


def test_generated_employers_stay_distinct_after_their_legal_suffix_is_dropped() -> None:
    """Blocks must keep their size as the catalogue grows: 1M records draw 20,000 employers,
    and no two may become one company once the models strip "Inc." or "LLC"."""
    from standin_api.generator import _employer

    legal = re.compile(r",? (Inc\.|LLC|Corporation)$")
    names = [legal.sub("", _employer(n)[0]).lower() for n in range(40_000)]
    assert len(set(names)) == len(names)
    assert Counter(bool(legal.search(_employer(n)[0])) for n in range(40_000))[True] > 10_000


GENERATED: Counter[int] = Counter()


@dataclass(frozen=True)
class CountingCatalogue(Catalogue):
    """Counts how often each record is generated."""

    def record(self, index: int) -> dict[str, Any]:
        GENERATED[index] += 1
        return super().record(index)


def test_a_search_generates_each_record_once_whatever_the_queries_and_pages() -> None:
    """Searches scan the catalogue for every page and every new query's count: the records are
    generated once (the demo run's extract spent most of its time regenerating them), and a
    page's faults alter copies, never the records later pages are made from."""
    catalogue = CountingCatalogue(seed=9, size=300, days=3)
    days = sorted({catalogue.record(i)["post_date"] for i in range(catalogue.size)})
    GENERATED.clear()
    received = 0
    with StandinServer(StandinConfig(catalogue=catalogue, max_page_size=50)) as server:
        for day in days:
            query = {"range": {"post_date": {"gte": day, "lte": day}}}
            cursor = None
            while True:
                status, page = server.search({"size": 50, "cursor": cursor, "search_query_json": query},
                                             Fault("no_uniq_id"))
                assert status == 200
                received += page["size"]
                if not page["job_data"]:
                    break
                assert "uniq_id" not in page["job_data"][0]
                cursor = page["next_cursor"]
        assert received == catalogue.size
        assert GENERATED and set(GENERATED.values()) == {1}
        _, first = server.search({"size": 50, "search_query_json": {"range": {"post_date": {"gte": days[0]}}}})
    assert all("uniq_id" in record for record in first["job_data"])  # the fault altered copies


def test_a_storm_lasts_a_time_from_its_first_request_whatever_the_number_of_requests() -> None:
    now = [100.0]
    storm = FaultPlan(storm=Storm(Fault("status", 429, retry_after=2), seconds=30, from_request=2),
                      clock=lambda: now[0])
    assert storm.fault_for(1) is None
    now[0] = 110  # the storm begins with request 2, not when the plan was made
    assert [storm.fault_for(n) is not None for n in range(2, 50)] == [True] * 48
    now[0] = 139.9
    assert storm.fault_for(50) == Fault("status", 429, retry_after=2)
    now[0] = 140
    assert storm.fault_for(51) is None
