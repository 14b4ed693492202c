"""The real labelled deduplication set: every real row labelled, variations inherit their
row's job, hard negatives are jobs of their own, and the halves split by job."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from bench import dedup_real
from standin_api.real_rows import REAL_EXPORT

pytestmark = pytest.mark.skipif(not REAL_EXPORT.exists(),
                                reason="../shared/data/jobspikr is not beside this clone")


def test_every_real_row_has_one_label_and_some_jobs_span_several_rows() -> None:
    real = {row["uniq_id"] for row in csv.DictReader(REAL_EXPORT.open(newline="", encoding="utf-8"))}
    labels = list(csv.DictReader(dedup_real.LABELS.open(newline="", encoding="utf-8")))
    assert sorted(row["uniq_id"] for row in labels) == sorted(real)
    sizes = Counter(row["group_id"] for row in labels)
    assert any(size > 1 for size in sizes.values()) and len(sizes) < len(real)


def test_variations_inherit_the_job_and_hard_negatives_do_not() -> None:
    labelled = dedup_real.real_set()
    real = {row["uniq_id"]: row["group_id"]
            for row in csv.DictReader(dedup_real.LABELS.open(newline="", encoding="utf-8"))}
    keys = {f"jobspikr:{uniq_id}" for uniq_id in real}
    variations = [key for key in labelled.truth if key not in keys]
    assert len(labelled.legacy_rows) > 50 and len(variations) > 100
    moved = [key for key in variations if "@" in labelled.truth[key]]
    assert moved and all(labelled.truth[key] not in real.values() for key in moved)
    copies = [key for key in variations if "@" not in labelled.truth[key]]
    assert copies and all(labelled.truth[key] in real.values() for key in copies)
    # a job and all its records sit in one half; both halves are used
    assert {labelled.half[key] for key in labelled.truth} == {"tuning", "held-out"}
    by_group: dict[str, set[str]] = {}
    for key, group in labelled.truth.items():
        by_group.setdefault(group, set()).add(labelled.half[key])
    assert all(len(halves) == 1 for halves in by_group.values())
