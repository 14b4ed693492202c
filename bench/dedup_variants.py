"""The real labelled set's variants, each landed in a database of its own, and the hook for
fitting match weights on a tuning half.

1. ``real``: the real rows as exported, with board and scraper variations (``dedup_real``);
2. ``quirks``: the same, carrying the live API's values (``dedup_quirks``);
3. ``drift``: copy drift the rules were never shown (``dedup_drift``; never tuned on);
4. ``blind``: copy drift of kinds the matcher's author had not read (``dedup_drift_blind``;
   never tuned on; the matcher's author has since read it, as variant 3);
5. ``sealed``: copy drift and hard negatives of kinds nobody who changes the matcher has read
   (``dedup_drift_sealed``; never tuned on, not to be read by whoever writes the rules, and
   its by-kind table hidden by the benchmark unless ``DEDUP_SHOW_SEALED_KINDS=1``).

Every variant reuses the real rows' ``uniq_id``s, so two variants in one database would
be one set: each is landed in a fresh database of its own (``Variant.database``).

Fitting weights (another agent's work) reads a built warehouse against the truth::

    from bench.dedup_variants import labelled_variants, VARIANTS
    for name, labelled in labelled_variants().items():
        tuning = labelled.keys_in("tuning")          # record keys "source:source_record_id"
        truth = {k: labelled.truth[k] for k in tuning}  # key -> the job it belongs to
        # dsn: a database built with land_variant(dsn, labelled) and dbt; e.g. join
        # int_job_pairs__matched's left_key/right_key signals to truth[left] == truth[right]

and must fit on ``real`` and ``quirks`` tuning halves only (``Variant.tunable``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import psycopg

from bench.dedup_drift import drift_set
from bench.dedup_drift_blind import blind_drift_set
from bench.dedup_drift_sealed import sealed_drift_set
from bench.dedup_quirks import quirks_set
from bench.dedup_real import LabelledSet, real_set
from devkit.dedup import land_rows

HALVES = ("tuning", "held-out")


@dataclass(frozen=True)
class Variant:
    name: str
    title: str
    database: str
    build: Callable[[], LabelledSet]
    #: Whether weights and thresholds may be fitted on its tuning half.
    tunable: bool
    #: Whether its kinds stay unread by whoever changes the matcher: the benchmarks print its
    #: overall scores only (``bench.eval_dedup.shows_kinds``).
    sealed: bool = False


VARIANTS = (
    Variant("real", "1. real set (200 real JobsPikr rows, hand labels, board and scraper variations, hard negatives)",
            "eval_dedup_real", real_set, tunable=True),
    Variant("quirks", "2. API quirks (placeholders, several cities, JobsPikr's duplicate flag, extra fields, "
            "the (Remote) bridge)", "eval_dedup_quirks", quirks_set, tunable=True),
    Variant("drift", "3. unseen drift (copy drift the rules were never shown; never tuned on)",
            "eval_dedup_drift", drift_set, tunable=False),
    Variant("blind", "4. blind drift (kinds the matcher's author had not read, since read; never tuned on)",
            "eval_dedup_blind", blind_drift_set, tunable=False),
    Variant("sealed", "5. sealed drift (kinds nobody who changes the matcher has read; never tuned on)",
            "eval_dedup_sealed", sealed_drift_set, tunable=False, sealed=True),
)


def labelled_variants() -> dict[str, LabelledSet]:
    """Each variant's records and truth, by name: ``truth`` and ``half`` map every record key
    (``source:source_record_id``, as ``marts.job_listing_records`` names it) to its job and
    its half; ``kinds`` names what made a record. Deterministic: the same on every call."""
    return {variant.name: variant.build() for variant in VARIANTS}


def land_variant(dsn: str, labelled: LabelledSet) -> None:
    """Land a variant's records and legacy rows in ``dsn`` (a fresh database), as the
    extract task and the legacy scraper would."""
    land_rows(dsn, [labelled.records], labelled.legacy_rows, post_date=date(2021, 10, 1), host="export_2021.csv",
              query_key="eval-real")


def marts_grouping(dsn: str, labelled: LabelledSet) -> tuple[dict[str, str], int]:
    """Each labelled record's listing in the built marts, and how many never reached them
    (quarantined: each counted as a listing of its own, so quarantine cannot hide a miss)."""
    with psycopg.connect(dsn) as conn:
        in_marts = dict(conn.execute(
            "select source || ':' || source_record_id, job_listing_id from marts.job_listing_records"))
    grouping = {key: in_marts.get(key, f"not in the marts:{key}") for key in labelled.truth}
    return grouping, sum(1 for key in labelled.truth if key not in in_marts)


@dataclass(frozen=True)
class KindScore:
    """How a kind of made record fared: its true pairs (with the other records of its job)
    that were grouped, and the pairs it was grouped into that are not one job."""

    kind: str
    records: int
    true_pairs: int
    recalled: int
    wrong_pairs: int

    @property
    def recall(self) -> float:
        return self.recalled / self.true_pairs if self.true_pairs else 1.0


def by_kind(predicted: dict[str, str], labelled: LabelledSet, half: str | None = None) -> list[KindScore]:
    """Per kind (``labelled.kinds``), the pairs each of its records makes with every other
    record: truly one job and grouped (recalled), truly one job, grouped but not one job."""
    keys = [k for k in labelled.truth if half is None or labelled.half[k] == half]
    by_truth = Counter(labelled.truth[k] for k in keys)
    by_predicted = Counter(predicted[k] for k in keys)
    by_both = Counter((predicted[k], labelled.truth[k]) for k in keys)
    scores: dict[str, list[int]] = {}
    for key in keys:
        kind = labelled.kinds.get(key)
        if kind is None:
            continue
        true = by_truth[labelled.truth[key]] - 1
        both = by_both[predicted[key], labelled.truth[key]] - 1
        grouped = by_predicted[predicted[key]] - 1
        tally = scores.setdefault(kind, [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += true
        tally[2] += both
        tally[3] += grouped - both
    return [KindScore(kind, *tally) for kind, tally in scores.items()]

