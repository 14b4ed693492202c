"""Variant 5 of the real labelled set: sealed drift, kinds nobody who changes the matcher has read.

**Never used to tune anything.** No threshold, weight or rule may be chosen by looking at
this variant's scores (either half) or at this module: variants 3 and 4
(``bench/dedup_drift.py``, ``bench/dedup_drift_blind.py``) have both been read by the
matcher's author, so neither says any longer how the rules generalise. This one is written
beside the matcher, not for it: **if you write or tune the matching rules, do not read below
this paragraph**, nor the kinds in the benchmark's by-kind table (the benchmark hides them
unless ``DEDUP_SHOW_SEALED_KINDS=1``, which is for reviewers); read the overall scores only.
A rule written after reading a kind here makes this variant as worthless as the two before it.

The kinds below are what real job boards, aggregators, ATS exports, staffing agencies and
scrapers do to a copy of an ad, and are none of what the rules were shown (the generator's
and the legacy scraper's variations, the real set's board copies, the API quirks of variant
2, the normalisers: see ``bench/dedup_drift.py``) nor any of variant 3's or variant 4's
kinds. Each copy shows exactly one kind (so a missed pair names its cause), has a new
``uniq_id`` on another board, and inherits its source row's label:

``agency_repost``             a staffing agency re-advertising its client's opening: the
                              company is the agency ("TEKsystems", "Robert Half", ...), the
                              employer's name in the text written "our client", a sentence
                              saying who recruits, the agency's contact e-mail, and JobsPikr's
                              company type "agency"; only rows whose employer is a company
                              (not already an agency) and named in the text
``title_skills_appended``     a recruiter's keywords after the title, as Dice and agency ads
                              carry them: "X (Python, SQL, AWS)", "X - Python/Spark",
                              "X with Python and SQL"; the skills are the ones the text names
``title_url_slug``            the title taken from the page's URL slug, as a scraper does
                              when the heading is not found: "data-scientist-gbm-analytics",
                              or with the board's hex id after it (Indeed's form)
``title_badge_glued``         a listing badge glued to the title by a scraper reading the
                              card's heading: "newX" (Indeed's "new" label, no space),
                              "X - job post" (Indeed's hidden heading text), "X Easy Apply"
``job_type_relabelled``       the employment type in the receiving board's taxonomy:
                              schema.org's ``FULL_TIME`` / ``CONTRACTOR`` / ``PART_TIME`` /
                              ``INTERN`` (Google for Jobs), Workday's "Regular", "Permanent",
                              "Contract W2"...; only rows whose type is known
``location_ats_code``         the location as an ATS writes it, all in the city field:
                              "US-IL-Chicago" (Taleo/iCIMS), "Chicago, Illinois, United
                              States of America" (Workday), "USA - Chicago, IL"; the state
                              field empty and JobsPikr's inferred city and state empty (it
                              could not read the code); only rows with a city and a state
``description_snippet``       an aggregator's feed or job alert carrying a summary only: the
                              opening sentences (200 to 400 characters), or the first 300
                              characters cut at a word, with no ellipsis; only rows with at
                              least four sentences
``description_facts_header``  a staffing-style block of key facts before the text:
                              "Position: X / Location: Chicago, IL / Duration: Full Time /
                              Compensation: ..." on lines, or one line with " | " between
``salary_one_bound``          a range given by one bound, as boards show it: "From $110,000
                              a year" (the upper inferred bound empty) or "Up to $150,000 a
                              year" (the lower empty); only rows with a range
``inferred_fields_disagree``  JobsPikr's enrichment run on the other board's page disagreeing
                              with the first: the inferred seniority level one step off
                              (Mid <-> Entry, Executive -> Mid), the inferred skills a
                              shorter list in another order, the department's score lower

Hard negatives (labels of their own: another job, not a copy), built beside the copies:

``sibling_people_manager``    the manager's requisition for the same team: "Data Science
                              Manager, ..." (or "Manager, X") with the level words dropped
                              ("Senior", "Associate", "Level I"), and an opening sentence on
                              leading a team of data scientists; the rest of the ad as it is
``sibling_talent_pipeline``   the company's evergreen "talent community" posting for the
                              role, not an open position: "X - Talent Community", "Future
                              Opportunities: X", "X (Evergreen)", and a sentence saying it is
                              not a current vacancy
``sibling_language_market``   the same role on a separate requisition for a language market:
                              "X - Bilingual Spanish", "X (Japanese Speaking)", "X, LATAM
                              Markets (Portuguese)", and a sentence requiring the language

A sibling is a new requisition (a new ``uniq_id`` and URL) on the same board, with the same
company, place and date, and takes the half of the job it was made from, so it is scored
against it. Siblings made from two records of one job are one job when they are of one form
(a manager, a talent community, one language), else two.

Each row, in export order, is given the kind made least often so far among those that apply
to it (ties in the order above), so each kind has about as many copies; a sibling is made of
every third row (the first, the fourth, ...). Which form of its kind a record takes is fixed
by its row's ``uniq_id``. No randomness.
"""

from __future__ import annotations

import re
from typing import Any

from bench.dedup_drift_build import Maker, drift_variant
from bench.dedup_real import LabelledSet, new_id

Record = dict[str, Any]

_LEGAL = (", Inc.", " Inc.", ", Inc", " Inc", " INC", ", LLC", " LLC", " Corp.", " Corporation", " Co.")
_AGENCIES = ("TEKsystems", "Robert Half", "Insight Global", "Kforce", "Apex Systems", "Randstad Technologies")
#: Skills a recruiter puts in a title, in the order they are taken (found as whole words in the text).
_SKILLS = ("Python", "SQL", "Spark", "AWS", "Tableau", "TensorFlow", "PyTorch", "SAS", "Hadoop", "Scala", "Azure",
           "Java")
_JOB_TYPES = {"Full Time": ("FULL_TIME", "Regular", "Permanent"),
              "Contract": ("CONTRACTOR", "Contract W2", "Contract/Temp"),
              "Part Time": ("PART_TIME", "Part-time", "Regular Part-Time"),
              "Internship": ("INTERN", "Intern", "Internship/Co-op")}
_SENIORITY_STEP = {"Mid Level": "Entry Level", "Entry Level": "Mid Level", "Executive Level": "Mid Level"}
#: Level words a manager's requisition does not carry ("Senior", "Entry Level - ", " - Level I").
_SENIORITY = re.compile(r"\b(?:Senior|Sr\.?|Staff|Lead|Principal|Junior|Jr\.?|Associate|Entry[- ]Level)\b\s*[-,]?\s*"
                        r"|\s*-?\s*\bLevel [IV\d]+\b", re.IGNORECASE)
_UNITS = {"yearly": "a year", "hourly": "an hour", "monthly": "a month", "weekly": "a week"}
#: The key a sibling maker names its form by (two siblings of one job are one job only in one
#: form: a Spanish and a Japanese requisition are two); taken off before the record is landed.
_FORM = "_sibling_form"


def _sentences(text: str) -> list[str]:
    return [s for s in text.replace(". ", ".\x00").split("\x00") if s]


def _core_company(company: str) -> str:
    for suffix in _LEGAL:
        company = company.removesuffix(suffix)
    return company.strip()


def _placed(r: Record) -> bool:
    """Whether the record names a city of its own (not remote, not several)."""
    city = r.get("city")
    return bool(city) and city not in ("Remote", "Multiple Cities") and r.get("is_remote") != "true" \
        and not city.startswith("Remote")


def _place(r: Record) -> str:
    """The record's city and state as a board writes them ("Chicago, IL"), else "Remote"."""
    if not _placed(r):
        return "Remote"
    city, state = _bare_city(r), r.get("state")
    return f"{city}, {state}" if state else city


def _bare_city(r: Record) -> str:
    """The city without the state code some rows carry in it ("San Francisco CA")."""
    city, state = r["city"], r.get("state") or ""
    while state and city.endswith(f" {state}"):
        city = city.removesuffix(f" {state}")
    return city


def _pick(r: Record, options: tuple[Any, ...]) -> Any:
    """One of ``options`` for the record, fixed by its ``uniq_id`` (so the forms of a kind are
    spread over its copies whatever the order kinds are given in)."""
    return options[int(r["uniq_id"][:8], 16) % len(options)]


def _money(value: float) -> str:
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def _agency_repost(r: Record, n: int) -> Record | None:
    company = r.get("company_name")
    text = r.get("job_description") or ""
    if not company or r.get("inferred_company_type") != "company":
        return None
    core = _core_company(company)
    alternatives = "|".join(re.escape(name) for name in sorted({company, core}, key=len, reverse=True))
    # "the Acme Promise" is scrubbed to "our client Promise", not "the our client Promise"
    names = re.compile(rf"(?:\b[Tt]he )?(?<![\w@.])(?:{alternatives})(?!\w|\.\w)")
    if len(core) < 3 or not names.search(text):
        return None
    agency = _pick(r, _AGENCIES)
    scrubbed = names.sub("our client", text)
    # "our client" opening a sentence is written with a capital
    scrubbed = re.sub(r"(^|[.!?]\s+|\n\s*)our client", lambda m: f"{m.group(1)}Our client", scrubbed)
    opening = _pick(r, (f"{agency} is partnering with our client to fill this position.",
                        "Our client has engaged us to hire for this position; the details are below.",
                        f"Job posted by {agency} on behalf of our client."))
    domain = re.sub(r"[^a-z]", "", agency.lower())
    return {**r, "company_name": agency, "job_description": f"{opening} {scrubbed}",
            "contact_email": f"recruiting@{domain}.com", "inferred_company_type": "agency"}


def _skills_in(r: Record) -> list[str]:
    text, title = r.get("job_description") or "", r["job_title"]
    return [skill for skill in _SKILLS
            if re.search(rf"(?<![\w+#]){skill}(?![\w+#])", text) and skill.lower() not in title.lower()]


def _title_skills_appended(r: Record, n: int) -> Record | None:
    skills = _skills_in(r)
    if len(skills) < 2:
        return None
    title = r["job_title"]
    form = _pick(r, (f"{title} ({', '.join(skills[:3])})", f"{title} - {'/'.join(skills[:2])}",
                     f"{title} with {skills[0]} and {skills[1]}"))
    return {**r, "job_title": form}


def _title_url_slug(r: Record, n: int) -> Record | None:
    slug = re.sub(r"[^a-z0-9]+", "-", r["job_title"].lower()).strip("-")
    if not slug:
        return None
    return {**r, "job_title": _pick(r, (slug, f"{slug}-{new_id(r, 'slug')[:16]}"))}


def _title_badge_glued(r: Record, n: int) -> Record | None:
    title = r["job_title"]
    return {**r, "job_title": _pick(r, (f"new{title}", f"{title} - job post", f"{title} Easy Apply"))}


def _job_type_relabelled(r: Record, n: int) -> Record | None:
    names = _JOB_TYPES.get(r.get("job_type") or "")
    if not names:
        return None
    return {**r, "job_type": _pick(r, names)}


def _location_ats_code(r: Record, n: int) -> Record | None:
    state = r.get("state") or ""
    if not _placed(r) or not re.fullmatch(r"[A-Z]{2}", state) or not r.get("inferred_state"):
        return None
    city = _bare_city(r)
    state_name = " ".join(w if w in ("of", "and") else w.capitalize() for w in r["inferred_state"].split())
    form = _pick(r, (f"US-{state}-{city}", f"{city}, {state_name}, United States of America",
                     f"USA - {city}, {state}"))
    return {**r, "city": form, "state": None, "inferred_city": None, "inferred_state": None}


def _description_snippet(r: Record, n: int) -> Record | None:
    text = r.get("job_description") or ""
    sentences = _sentences(text)
    if len(sentences) < 4:
        return None
    kept: list[str] = []
    for sentence in sentences:
        kept.append(sentence)
        if len(" ".join(kept)) >= 200:
            break
    snippet = " ".join(kept)
    if _pick(r, (False, True)) or len(snippet) > 400:  # a feed's character limit, cut at a word
        cut = text[:300]
        snippet = cut[:cut.rfind(" ")] if " " in cut else cut
    if len(snippet) > len(text) // 2:
        return None
    return {**r, "job_description": snippet.rstrip()}


def _description_facts_header(r: Record, n: int) -> Record | None:
    text = r.get("job_description")
    if not text:
        return None
    facts = [("Position", r["job_title"]), ("Location", _place(r))]
    on_lines = _pick(r, (True, False))
    if r.get("job_type") and r["job_type"] != "Undefined":
        facts.append(("Duration" if on_lines else "Employment Type", r["job_type"]))
    facts.append(("Compensation", r.get("salary_offered") or "DOE"))
    if on_lines:
        header = "\n".join(f"{name}: {value}" for name, value in facts) + "\n\n"
    else:
        header = " | ".join(f"{name}: {value}" for name, value in facts) + " "
    return {**r, "job_description": header + text}


def _salary_one_bound(r: Record, n: int) -> Record | None:
    low, high, unit = r.get("inferred_salary_from"), r.get("inferred_salary_to"), r.get("inferred_salary_time_unit")
    if not low or not high or high <= low or unit not in _UNITS:
        return None
    if _pick(r, (False, True)):
        return {**r, "salary_offered": f"Up to {_money(high)} {_UNITS[unit]}", "inferred_salary_from": None}
    return {**r, "salary_offered": f"From {_money(low)} {_UNITS[unit]}", "inferred_salary_to": None}


def _inferred_fields_disagree(r: Record, n: int) -> Record | None:
    level = _SENIORITY_STEP.get(r.get("inferred_seniority_level") or "")
    if not level:
        return None
    skills = [s for s in (r.get("inferred_skills") or "").split("|") if s]
    kept = skills[::-1][: max(1, 2 * len(skills) // 3)] if skills else []
    score = r.get("inferred_department_score")
    return {**r, "inferred_seniority_level": level, "inferred_skills": "|".join(kept) or None,
            "inferred_department_score": max(score - 20, 30) if isinstance(score, int) else score}


#: Drift kinds, in the order rows are given them.
DRIFT: dict[str, Maker] = {
    "agency_repost": _agency_repost, "title_skills_appended": _title_skills_appended,
    "title_url_slug": _title_url_slug, "title_badge_glued": _title_badge_glued,
    "job_type_relabelled": _job_type_relabelled, "location_ats_code": _location_ats_code,
    "description_snippet": _description_snippet, "description_facts_header": _description_facts_header,
    "salary_one_bound": _salary_one_bound, "inferred_fields_disagree": _inferred_fields_disagree,
}

#: The fields each drift kind changes (every one of them, on every copy); a copy leaves the
#: other fields the tests watch as its row has them.
CHANGES: dict[str, tuple[str, ...]] = {
    "agency_repost": ("company_name", "job_description"), "title_skills_appended": ("job_title",),
    "title_url_slug": ("job_title",), "title_badge_glued": ("job_title",), "job_type_relabelled": ("job_type",),
    "location_ats_code": ("city",), "description_snippet": ("job_description",),
    "description_facts_header": ("job_description",), "salary_one_bound": ("salary_offered",),
    "inferred_fields_disagree": ("inferred_seniority_level",),
}


def _with_opening(r: Record, sentence: str) -> str:
    return f"{sentence} {r.get('job_description') or ''}".strip()


def _sibling_people_manager(r: Record, n: int) -> Record | None:
    title = _SENIORITY.sub("", r["job_title"]).strip(" -,") or r["job_title"]
    found = re.search(r"data scientist", title, re.IGNORECASE)
    manager = (f"{title[:found.start()]}Data Science Manager{title[found.end():]}" if found
               else f"Manager, {title}")
    team = _pick(r, (4, 5, 6, 7, 8))
    opening = (f"This is a people-management role: you will lead a team of {team} data scientists, own its "
               "hiring and roadmap, and report to the head of analytics.")
    return {**r, "job_title": manager, "job_description": _with_opening(r, opening), _FORM: "manager"}


def _sibling_talent_pipeline(r: Record, n: int) -> Record | None:
    title = r["job_title"]
    form = _pick(r, (f"{title} - Talent Community", f"Future Opportunities: {title}", f"{title} (Evergreen)"))
    opening = ("This is an evergreen posting for future openings, not a current vacancy: applicants join our "
               "talent community and are contacted when a matching position opens.")
    return {**r, "job_title": form, "job_description": _with_opening(r, opening), _FORM: "pipeline"}


def _sibling_language_market(r: Record, n: int) -> Record | None:
    title = r["job_title"]
    form, suffix, opening = _pick(r, (
        ("spanish", " - Bilingual Spanish",
         "Professional fluency in Spanish and English is required: this position supports our Spanish-speaking "
         "markets and partners."),
        ("japanese", " (Japanese Speaking)",
         "Business-level Japanese is required: this position works daily with our teams and clients in Japan."),
        ("portuguese", ", LATAM Markets (Portuguese)",
         "Fluent Portuguese is required: this position serves our Latin American markets, Brazil first."),
    ))
    return {**r, "job_title": title + suffix, "job_description": _with_opening(r, opening), _FORM: form}


#: Hard-negative kinds, in the order rows are given them.
SIBLINGS: dict[str, Maker] = {
    "sibling_people_manager": _sibling_people_manager, "sibling_talent_pipeline": _sibling_talent_pipeline,
    "sibling_language_market": _sibling_language_market,
}


def sealed_drift_set() -> LabelledSet:
    """The real rows, one drifted copy of each, and a sibling of every third (deterministic)."""
    return drift_variant(DRIFT, SIBLINGS, sibling_row=0, id_prefix="sealed:", sibling_id_prefix="sealed:",
                         boards=("ziprecruiter", "glassdoor", "monster"), other_board="careerbuilder",
                         copy_url="https://www.{board}.example/job/{n}", cursor_steps=(23, 29),
                         sibling_query="posting", form_key=_FORM)
