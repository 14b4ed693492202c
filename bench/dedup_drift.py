"""Variant 3 of the real labelled set: copy drift the matching rules were never shown.

**Never used to tune anything.** No threshold, weight or rule may be chosen by looking at
this variant's scores, either half: it exists to say how the rules do on drift nobody wrote
them for. Tune on the first two variants' tuning halves; read this one afterwards.

What the rules were shown (so what is *not* here): the generator's re-posts
(``standin_api/generator.py``: upper-cased titles, ``Senior`` -> ``Sr.``, ``Engineer`` ->
``Eng.``, ``Junior`` -> ``Jr``, a trailing space, legal-suffix changes ``, Inc.`` / ``LLC`` /
``Corporation`` / a leading ``The``, descriptions cut to four fifths plus ``...`` or with
doubled spaces, the ``Computer-or-internet`` city); the legacy scraper (``standin_api/legacy.py``
and ``bench/dedup_real.py``: ``Chicago, IL`` / ``Hartford, CT 06103`` / ``, US`` locations,
page chrome before the description, ``$120k-$140k`` salaries, post dates as ``10/03/2021``,
``Oct 3, 2021`` or ``3 days ago``, a doubled space in the title); the real set's board
copies (suffixes `` - Remote``, `` | Full Time``, `` - Job ID 48213``, ``Job description:``
prefixes); and the normalisers (``dbt_project/macros/normalise/``: abbreviations, noise
suffixes, punctuation to spaces, state names to codes).

The kinds of drift below are what boards and aggregators really do beyond that. Each copy
shows exactly one kind (so a missed pair names its cause), has a new ``uniq_id`` on another
board, and inherits its source row's label:

``title_reorder``         "Senior Data Scientist" -> "Data Scientist, Senior"; "Data
                          Scientist - Marketing" -> "Marketing - Data Scientist" (ATS order)
``company_division``      the employer with a division or another suffix: "Acme" -> "Acme
                          Group", "Acme USA", "Acme Holdings, Inc.", "Acme Careers"
``description_reflowed``  the same text re-wrapped into lines with bullet characters
                          ("•", "◦", "*") before sentences
``description_trimmed``   the opening sentences (an "About us" block) dropped and the
                          text cut at the end with no ``...``
``description_section_dropped`` a middle third of the sentences removed (benefits, EEO)
``reposted``              the same ad re-posted 3 to 10 days later (post date, crawl time)
``salary_reexpressed``    a yearly range given hourly ("$52.88 - $72.12 an hour") or in k
                          notation ("$110K-$150K/yr"), inferred salary fields to match
``city_alias``            "New York" -> "NYC" / "New York City" / "Manhattan"; "San Francisco"
                          -> "SF"; others "Greater <city> Area" with state null
``unicode_punctuation``   no-break spaces and en dashes in the title, curly quotes and
                          diacritics ("résumé") in the text
``html_entities``         unescaped entities: "&amp;", "&#39;", "&nbsp;" in title and text
``typo``                  two adjacent letters swapped in the title's longest word
``emoji``                 "🚀 " before the title, "✅" before sentences

Hard negatives (labels of their own: a sibling, not a copy), built beside the copies:

``sibling_seniority``     the same ad for another level: "Senior X" <-> "X", "X II"
``sibling_team``          the same company, city and boilerplate for another team: title
                          ", Risk" / ", Marketing"..., its first sentences rewritten
``sibling_nearby_city``   the same ad in a neighbouring city (New York -> Jersey City)

A sibling takes the half of the job it was made from, so it is scored against it.
Rows are given kinds in turn (a row whose kind cannot apply, say no salary, takes the next
that can), so each kind has about as many copies; no randomness.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any

from bench.dedup_drift_build import Chooser, Maker, drift_variant
from bench.dedup_real import LabelledSet

Record = dict[str, Any]

_ALIASES = {"New York": ("NYC", "New York City", "Manhattan"), "San Francisco": ("SF", "San Fran", "SF Bay Area"),
            "Los Angeles": ("LA", "L.A.", "Los Angeles County"), "Washington": ("DC", "Washington DC", "D.C.")}
_NEIGHBOURS = {"New York": ("Jersey City", "NJ"), "San Francisco": ("Oakland", "CA"), "Boston": ("Cambridge", "MA"),
               "Seattle": ("Bellevue", "WA"), "Chicago": ("Evanston", "IL"), "Los Angeles": ("Pasadena", "CA"),
               "Austin": ("Round Rock", "TX"), "Atlanta": ("Marietta", "GA")}
_DIVISIONS = (" Group", " USA", " Holdings, Inc.", " Careers")
_TEAMS = ("Risk", "Marketing", "Supply Chain", "Fraud")
_SENIORITY = ("Senior", "Sr.", "Lead", "Principal", "Staff", "Junior")


def _sentences(text: str) -> list[str]:
    return [s for s in text.replace(". ", ".\x00").split("\x00") if s]


def _title_reorder(r: Record, n: int) -> Record | None:
    title = r["job_title"]
    first, _, rest = title.partition(" ")
    if first in _SENIORITY and rest:
        return {**r, "job_title": f"{rest}, {first}"}
    for sep in (" - ", ", "):
        if sep in title:
            head, tail = title.split(sep, 1)
            return {**r, "job_title": f"{tail}{sep}{head}"}
    words = title.split()
    return {**r, "job_title": f"{words[-1]}, {' '.join(words[:-1])}"} if len(words) > 1 else None


def _company_division(r: Record, n: int) -> Record | None:
    company = r.get("company_name")
    if not company:
        return None
    core = company.removesuffix(", Inc.").removesuffix(" Inc.").removesuffix(" LLC").removesuffix(" Inc")
    return {**r, "company_name": core + _DIVISIONS[n % len(_DIVISIONS)]}


def _description_reflowed(r: Record, n: int) -> Record | None:
    text = r.get("job_description")
    if not text:
        return None
    bullet = ("• ", "◦ ", "* ")[n % 3]
    return {**r, "job_description": "\n".join(bullet + s for s in _sentences(text))}


def _description_trimmed(r: Record, n: int) -> Record | None:
    sentences = _sentences(r.get("job_description") or "")
    if len(sentences) < 8:
        return None
    kept = " ".join(sentences[2:])
    return {**r, "job_description": kept[: len(kept) * 3 // 4]}


def _description_section_dropped(r: Record, n: int) -> Record | None:
    sentences = _sentences(r.get("job_description") or "")
    if len(sentences) < 9:
        return None
    third = len(sentences) // 3
    return {**r, "job_description": " ".join(sentences[:third] + sentences[2 * third:])}


def _reposted(r: Record, n: int) -> Record | None:
    days = (3, 6, 10)[n % 3]
    crawled = datetime.strptime(r["crawl_timestamp"], "%Y-%m-%d %H:%M:%S %z") + timedelta(days=days)
    posted = datetime.fromisoformat(r["post_date"]) + timedelta(days=days)
    return {**r, "crawl_timestamp": crawled.strftime("%Y-%m-%d %H:%M:%S %z"), "post_date": posted.date().isoformat(),
            "cursor": r["cursor"] + days * 86_400_000_000}


def _salary_reexpressed(r: Record, n: int) -> Record | None:
    low, high = r.get("inferred_salary_from"), r.get("inferred_salary_to") or r.get("inferred_salary_from")
    if not low or r.get("inferred_salary_time_unit") != "yearly":
        return None
    if n % 2:
        return {**r, "salary_offered": f"${low / 1000:.0f}K-${high / 1000:.0f}K/yr"}
    hourly_low, hourly_high = round(low / 2080, 2), round(high / 2080, 2)
    return {**r, "salary_offered": f"${hourly_low:.2f} - ${hourly_high:.2f} an hour",
            "inferred_salary_from": hourly_low, "inferred_salary_to": hourly_high,
            "inferred_salary_time_unit": "hourly"}


def _located(r: Record) -> bool:
    """Whether the row is in one place: a remote job (the flag, a title saying so, a city of
    "Remote") is in every place by the matching rule, so another city neither renames it nor
    makes it another job."""
    city = r.get("city")
    return bool(city) and city != "Remote" and r.get("is_remote") != "true" \
        and not re.search(r"\bremote\b", r["job_title"], re.IGNORECASE)


def _city_alias(r: Record, n: int) -> Record | None:
    if not _located(r):
        return None
    city = r["city"]
    words = city.split()
    base = " ".join(words[:-1]) if len(words) > 1 and len(words[-1]) == 2 and words[-1].isupper() else city
    base = base.removesuffix(" City") if base.removesuffix(" City") in _ALIASES else base
    if base in _ALIASES:
        return {**r, "city": _ALIASES[base][n % 3], "inferred_city": _ALIASES[base][(n + 1) % 3]}
    return {**r, "city": f"Greater {base} Area", "inferred_city": f"Greater {base} Area", "state": None}


def _unicode_punctuation(r: Record, n: int) -> Record | None:
    title = r["job_title"].replace(" - ", " \u2013 ").replace(" ", "\u00a0")
    text = (r.get("job_description") or "").replace("'", "\u2019").replace("resume", "résumé").replace(" - ", " — ")
    return {**r, "job_title": title, "job_description": text}


def _html_entities(r: Record, n: int) -> Record | None:
    title = html.escape(r["job_title"], quote=True).replace(" ", "&nbsp;", 1)
    text = html.escape(r.get("job_description") or "", quote=True)
    company = html.escape(r.get("company_name") or "", quote=True) or None
    return {**r, "job_title": title, "job_description": text, "company_name": company}


def _typo(r: Record, n: int) -> Record | None:
    words = r["job_title"].split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 5:
        return None
    i = len(word) // 2
    words[longest] = word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    return {**r, "job_title": " ".join(words)}


def _emoji(r: Record, n: int) -> Record | None:
    text = " ".join("✅ " + s for s in _sentences(r.get("job_description") or ""))
    return {**r, "job_title": "🚀 " + r["job_title"], "job_description": text}


#: Drift kinds, in the order rows are given them.
DRIFT: dict[str, Maker] = {
    "title_reorder": _title_reorder, "company_division": _company_division,
    "description_reflowed": _description_reflowed, "description_trimmed": _description_trimmed,
    "description_section_dropped": _description_section_dropped, "reposted": _reposted,
    "salary_reexpressed": _salary_reexpressed, "city_alias": _city_alias,
    "unicode_punctuation": _unicode_punctuation, "html_entities": _html_entities, "typo": _typo, "emoji": _emoji,
}


def _sibling_seniority(r: Record, n: int) -> Record | None:
    title = r["job_title"]
    first, _, rest = title.partition(" ")
    other = rest if first in _SENIORITY and rest else f"{title} II" if n % 2 else f"Senior {title}"
    return {**r, "job_title": other}


def _sibling_team(r: Record, n: int) -> Record | None:
    sentences = _sentences(r.get("job_description") or "")
    if len(sentences) < 4:
        return None
    team = _TEAMS[n % len(_TEAMS)]
    opening = f"Our {team} team is hiring. You will build models for {team.lower()} decisions."
    return {**r, "job_title": f"{r['job_title']}, {team}", "job_description": " ".join([opening, *sentences[2:]])}


def _sibling_nearby_city(r: Record, n: int) -> Record | None:
    if not _located(r) or r["city"] not in _NEIGHBOURS:
        return None
    city, state = _NEIGHBOURS[r["city"]]
    return {**r, "city": city, "inferred_city": city, "state": state, "url": f"{r['url']}?near={city.lower()}"}


#: Hard-negative kinds, in the order rows are given them.
SIBLINGS: dict[str, Maker] = {
    "sibling_seniority": _sibling_seniority, "sibling_team": _sibling_team,
    "sibling_nearby_city": _sibling_nearby_city,
}


def drift_set() -> LabelledSet:
    """The real rows, one drifted copy of each, and a sibling of every third (deterministic)."""
    return drift_variant(DRIFT, SIBLINGS, sibling_row=2, id_prefix="drift:", sibling_id_prefix="", boards=("dice",),
                         other_board="indeed", copy_url="https://{board}.example/drift/{n}", cursor_steps=(7, 13),
                         choose=_in_turn)


def _in_turn(makers: dict[str, Maker]) -> Chooser:
    """A chooser giving row ``n`` the kind due for it (taken in turn), or the next after it that applies."""
    order = list(makers)

    def choose(record: Record, n: int) -> tuple[str, Record] | None:
        for step in range(len(order)):
            kind = order[(n + step) % len(order)]
            made = makers[kind](record, n)
            if made is not None:
                return kind, made
        return None

    return choose
