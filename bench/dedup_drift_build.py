"""How a drift variant of the real labelled set is built, whatever its kinds (variants 3 to 5).

The drift variants (``bench/dedup_drift.py``, ``bench/dedup_drift_blind.py``,
``bench/dedup_drift_sealed.py``) differ in their kinds and in where their records land, not
in how they are made: each real row, in export order, is kept with its label, one drifted
copy of it goes to another board with the same label, and a sibling (a hard negative, with a
label of its own) is made of every third row. That build is written once, here, so a
variant only declares its makers and its landing places. Nothing here names a kind: this
module can be read by anyone, whatever a variant forbids of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from bench.dedup_real import LabelledSet, labelled_rows, new_id

Record = dict[str, Any]
#: Makes a record of one kind from row ``n``'s record, or None when the kind cannot apply.
Maker = Callable[[Record, int], Record | None]
#: Gives row ``n`` a kind and makes its record: ``(kind, record)``, or None when none applies.
Chooser = Callable[[Record, int], tuple[str, Record] | None]


def least_made(makers: dict[str, Maker]) -> Chooser:
    """A chooser giving each row, of the kinds in ``makers`` that apply to it, the one it has
    made least often so far (the first in ``makers``' order on a tie), so each kind has about
    as many records. It counts what it makes, so each build takes a fresh one."""
    made_so_far: Counter[str] = Counter()

    def choose(record: Record, n: int) -> tuple[str, Record] | None:
        for kind in sorted(makers, key=lambda k: made_so_far[k]):  # stable: ties keep the order
            made = makers[kind](record, n)
            if made is not None:
                made_so_far[kind] += 1
                return kind, made
        return None

    return choose


def drift_variant(drift: dict[str, Maker], siblings: dict[str, Maker], *, sibling_row: int, id_prefix: str,
                  sibling_id_prefix: str, boards: tuple[str, ...], other_board: str, copy_url: str,
                  cursor_steps: tuple[int, int], sibling_query: str | None = None, form_key: str | None = None,
                  choose: Callable[[dict[str, Maker]], Chooser] = least_made) -> LabelledSet:
    """The real rows, one drifted copy of each, and a sibling of every third (deterministic).

    Row ``n``'s copy is of the kind ``choose(drift)`` gives it, with the ``uniq_id`` made
    for ``id_prefix`` and the kind, the board ``boards[n % len(boards)]`` (``other_board``
    when that is the row's own), the url ``copy_url`` with ``{board}`` (in lower case) and
    ``{n}`` filled in, and a cursor ``cursor_steps[0] + n`` after its row's.

    Rows with ``n % 3 == sibling_row`` get a sibling of the kind ``choose(siblings)`` gives
    row ``n // 3``, with the ``uniq_id`` made for ``sibling_id_prefix`` and the kind, a
    cursor ``cursor_steps[1] + n`` after its row's and, given a ``sibling_query``, the row's
    url with ``<sibling_query>=<n>`` added. It is labelled ``<group>~<kind>``, followed by
    ``~<form>`` when its maker names a form under ``form_key`` (taken off the record).
    """
    labelled = LabelledSet()
    copy_of, sibling_of = choose(drift), choose(siblings)
    for n, (record, group) in enumerate(labelled_rows()):
        labelled.records.append(record)
        labelled.add(f"jobspikr:{record['uniq_id']}", group)
        made = copy_of(record, n)
        if made:
            kind, copy = made
            board = boards[n % len(boards)]
            board = other_board if board == record["job_board"] else board
            copy.update(uniq_id=new_id(record, f"{id_prefix}{kind}"), cursor=copy["cursor"] + cursor_steps[0] + n,
                        job_board=board, url=copy_url.format(board=board.lower(), n=n))
            labelled.records.append(copy)
            labelled.add(f"jobspikr:{copy['uniq_id']}", group, kind)
        if n % 3 == sibling_row:
            made = sibling_of(record, n // 3)
            if made:
                kind, sibling = made
                label = f"{group}~{kind}~{sibling.pop(form_key)}" if form_key else f"{group}~{kind}"
                sibling.update(uniq_id=new_id(record, f"{sibling_id_prefix}{kind}"),
                               cursor=sibling["cursor"] + cursor_steps[1] + n)
                if sibling_query:
                    sibling["url"] = f"{record['url']}{'&' if '?' in record['url'] else '?'}{sibling_query}={n}"
                labelled.records.append(sibling)
                labelled.add(f"jobspikr:{sibling['uniq_id']}", label, kind, near=group)
    return labelled
