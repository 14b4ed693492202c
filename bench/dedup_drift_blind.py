"""Variant 4 of the real labelled set: blind drift, kinds the matcher's author had not read.

**Never used to tune anything.** It was written beside the matcher, not for it, and has
since been read by the matcher's author (an experiment built from its kinds is recorded in
``bench/results/dedup.md``), so like variant 3 it no longer says how the rules generalise:
variant 5 (``bench/dedup_drift_sealed.py``) does, and is not to be read by whoever writes
the rules.

The kinds below are what real job boards, aggregators and ATS exports do to a copy of an
ad, and are none of what the rules were shown (the generator's and the legacy scraper's
variations, the real set's board copies, the normalisers: see ``bench/dedup_drift.py``) nor
any of variant 3's kinds. Each copy shows exactly one kind (so a missed pair names its
cause), has a new ``uniq_id`` on another board, and inherits its source row's label:

``title_with_company``        the employer written into the title, as aggregators and
                              social shares do: "X at Acme", "Acme: X", "X | Acme"
``title_location_appended``   the place written into the title: "X - Chicago, IL",
                              "X (Chicago)", "X in Chicago, IL"
``title_recruiter_hook``      a recruiter's hook after the title: " - Up to $150K + Bonus",
                              " - $10K Sign-On Bonus!", " - Immediate Start!", ...
``title_truncated``           a long title cut by a feed's length limit at 30 characters,
                              mid-word, with "…", "..." or nothing
``company_web_handle``        the employer as its web handle (an ATS tenant slug or a
                              domain): "Wayfair" -> "wayfair" / "wayfair.com"
``location_coarsened``        the city dropped: the state only, or the country only
                              ("United States"), as boards list statewide or national ads
``description_footer``        the board's own footer appended (application notice, "Report
                              job / Similar jobs", a job-criteria block)
``description_glued``         HTML flattened with no separator between blocks: every
                              sentence boundary ". " written "." ("goals.You will")
``description_mojibake``      UTF-8 text decoded as Windows-1252 (a curly apostrophe
                              as "â€™", "é" as "Ã©"); only rows whose text has a non-ASCII character
``description_repeated``      the text scraped twice (mobile and desktop layouts), or its
                              opening sentences repeated as a teaser before it
``description_reordered``     the sections re-ordered (the last third, the requirements,
                              moved before the rest)
``description_redacted``      e-mail addresses written "[email protected]" (e-mail
                              obfuscation), links removed, the contact e-mail field nulled
``salary_dropped``            the pay left out: the salary text and the inferred salary
                              fields null
``salary_estimated``          the employer's range replaced by the board's own estimate
                              ("Estimated: $97,000 - $161,000 a year"), inferred fields to
                              match

Hard negatives (labels of their own: another job, not a copy), built beside the copies:

``sibling_employment_type``   the same role at the same company and place under another
                              contract: "X (Contract)" at an hourly rate, "X - Part-Time",
                              "X (Contract-to-Hire)" (a permanent "X (Full-Time, Permanent)"
                              when the row is a contract), ``job_type`` and an opening
                              sentence to match
``sibling_pay_band``          the same title, company and place in another pay band: a
                              range 40 % higher with "8+ years", or 30 % lower with "0-2
                              years" in an opening sentence (a company hiring one title at
                              two levels on two requisitions)
``sibling_clearance``         a government contractor's same role on another contract that
                              needs a clearance: "X - TS/SCI with Polygraph", "X (Secret
                              Clearance)" and a sentence saying so; only rows that read as
                              government work (a clearance, a federal agency, DoD) or sit
                              in VA, MD, DC or AL

A sibling is a new requisition (a new ``uniq_id`` and URL) and takes the half of the job it
was made from, so it is scored against it. Siblings made from two records of one job are one
job when they are of one form (the same contract, band or clearance), else two.

Each row, in export order, is given the kind made least often so far among those that apply
to it (say, not a salary kind to a row with no salary; ties in the order above), so each
kind has about as many copies; no randomness.
"""

from __future__ import annotations

import re
from typing import Any

from bench.dedup_drift_build import Maker, drift_variant
from bench.dedup_real import LabelledSet

Record = dict[str, Any]

_LEGAL = (", Inc.", " Inc.", ", Inc", " Inc", " INC", ", LLC", " LLC", " Corp.", " Corporation", " Co.")
_HOOKS = (" - $10K Sign-On Bonus!", " - Immediate Start!", " - Great Benefits + 401k Match")
_CLEARANCE_STATES = ("VA", "MD", "DC", "AL")
_GOVERNMENT = re.compile(r"clearance|federal (?:government|agenc)|government (?:agenc|client|customer)|\bDoD\b|"
                         r"Department of Defense|Intelligence Community", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"(?:https?://|www\.)\S+")
#: The key a sibling maker names its form by (two siblings of one job are one job only in one
#: form: a contract and a part-time sibling are two); taken off before the record is landed.
_FORM = "_sibling_form"
#: Bytes Windows-1252 leaves undefined (a mis-decoder shows them as the Latin-1 control).
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _sentences(text: str) -> list[str]:
    return [s for s in text.replace(". ", ".\x00").split("\x00") if s]


def _core_company(company: str) -> str:
    for suffix in _LEGAL:
        company = company.removesuffix(suffix)
    return company.strip()


def _yearly_range(r: Record) -> tuple[float, float] | None:
    low = r.get("inferred_salary_from")
    high = r.get("inferred_salary_to") or low
    if not low or r.get("inferred_salary_time_unit") != "yearly" or low < 10_000:
        return None
    return low, high


def _placed(r: Record) -> bool:
    """Whether the record names a city of its own (not remote)."""
    return bool(r.get("city")) and r["city"] != "Remote" and r.get("is_remote") != "true"


def _title_with_company(r: Record, n: int) -> Record | None:
    if not r.get("company_name"):
        return None
    title, company = r["job_title"], _core_company(r["company_name"])
    form = (f"{title} at {company}", f"{company}: {title}", f"{title} | {company}")[n % 3]
    return {**r, "job_title": form}


def _title_location_appended(r: Record, n: int) -> Record | None:
    if not _placed(r):
        return None
    title, city, state = r["job_title"], r["city"], r.get("state")
    place = f"{city}, {state}" if state else city
    form = (f"{title} - {place}", f"{title} ({city})", f"{title} in {place}")[n % 3]
    return {**r, "job_title": form}


def _title_recruiter_hook(r: Record, n: int) -> Record | None:
    pay = _yearly_range(r)
    hooks = ((f" - Up to ${pay[1] / 1000:.0f}K + Bonus",) if pay else ()) + _HOOKS
    return {**r, "job_title": r["job_title"] + hooks[n % len(hooks)]}


def _title_truncated(r: Record, n: int) -> Record | None:
    title = r["job_title"]
    if len(title) <= 34:
        return None
    return {**r, "job_title": title[:30].rstrip() + ("…", "...", "")[n % 3]}


def _company_web_handle(r: Record, n: int) -> Record | None:
    if not r.get("company_name"):
        return None
    handle = re.sub(r"[^a-z0-9]", "", _core_company(r["company_name"]).lower())
    if not 3 <= len(handle) <= 20:
        return None
    return {**r, "company_name": f"{handle}.com" if n % 2 else handle}


def _location_coarsened(r: Record, n: int) -> Record | None:
    if not _placed(r) or not r.get("state"):
        return None
    if n % 2:
        return {**r, "city": None, "inferred_city": None, "state": None, "inferred_state": None,
                "country": "United States"}
    return {**r, "city": None, "inferred_city": None}


def _description_footer(r: Record, n: int) -> Record | None:
    text = r.get("job_description")
    if not text:
        return None
    company = _core_company(r.get("company_name") or "the employer")
    footer = (
        "If you require alternative methods of application or screening, you must approach the employer "
        "directly to request this, as this site is not responsible for the employer's application process.",
        f"Report job. Save job. Similar jobs: Data Analyst, Machine Learning Engineer, {r['job_title']} II. "
        "People also searched: data science jobs near me, remote analytics jobs.",
        "Seniority level: Mid-Senior level. Employment type: Full-time. Job function: Engineering and Information "
        f"Technology. Industries: IT Services and IT Consulting. Referrals increase your chances of interviewing "
        f"at {company} by 2x.",
    )[n % 3]
    return {**r, "job_description": f"{text} {footer}"}


def _description_glued(r: Record, n: int) -> Record | None:
    text = r.get("job_description") or ""
    if ". " not in text:
        return None
    return {**r, "job_description": text.replace(". ", ".")}


def _mojibake(text: str) -> str:
    """``text``'s UTF-8 bytes read as Windows-1252 (its undefined bytes as Latin-1)."""
    return "".join(chr(b) if b in _CP1252_UNDEFINED or b < 0x80 else bytes([b]).decode("cp1252")
                   for b in text.encode("utf-8"))


def _description_mojibake(r: Record, n: int) -> Record | None:
    text = r.get("job_description") or ""
    if text.isascii():
        return None
    return {**r, "job_description": _mojibake(text)}


def _description_repeated(r: Record, n: int) -> Record | None:
    text = r.get("job_description") or ""
    sentences = _sentences(text)
    if len(sentences) < 4:
        return None
    repeated = text if n % 2 else " ".join(sentences[:3])
    return {**r, "job_description": f"{repeated} {text}"}


def _description_reordered(r: Record, n: int) -> Record | None:
    sentences = _sentences(r.get("job_description") or "")
    if len(sentences) < 9:
        return None
    cut = 2 * len(sentences) // 3
    return {**r, "job_description": " ".join(sentences[cut:] + sentences[:cut])}


def _description_redacted(r: Record, n: int) -> Record | None:
    text = r.get("job_description") or ""
    redacted = _LINK.sub("", _EMAIL.sub("[email protected]", text))
    if redacted == text:
        return None
    return {**r, "job_description": re.sub(r" {2,}", " ", redacted), "contact_email": None}


def _salary_dropped(r: Record, n: int) -> Record | None:
    if not r.get("salary_offered") and not r.get("inferred_salary_from"):
        return None
    return {**r, "salary_offered": None, "inferred_salary_from": None, "inferred_salary_to": None,
            "inferred_salary_currency": None, "inferred_salary_time_unit": None}


def _salary_estimated(r: Record, n: int) -> Record | None:
    pay = _yearly_range(r)
    if not pay:
        return None
    low, high = round(pay[0] * 0.88, -3), round(pay[1] * 1.07, -3)
    return {**r, "salary_offered": f"Estimated: ${low:,.0f} - ${high:,.0f} a year",
            "inferred_salary_from": low, "inferred_salary_to": high}


#: Drift kinds, in the order rows are given them.
DRIFT: dict[str, Maker] = {
    "title_with_company": _title_with_company, "title_location_appended": _title_location_appended,
    "title_recruiter_hook": _title_recruiter_hook, "title_truncated": _title_truncated,
    "company_web_handle": _company_web_handle, "location_coarsened": _location_coarsened,
    "description_footer": _description_footer, "description_glued": _description_glued,
    "description_mojibake": _description_mojibake, "description_repeated": _description_repeated,
    "description_reordered": _description_reordered, "description_redacted": _description_redacted,
    "salary_dropped": _salary_dropped, "salary_estimated": _salary_estimated,
}


def _with_opening(r: Record, sentence: str) -> str:
    return f"{sentence} {r.get('job_description') or ''}".strip()


def _sibling_employment_type(r: Record, n: int) -> Record | None:
    pay = _yearly_range(r)
    if r.get("job_type") == "Contract" or "contract" in r["job_title"].lower():
        form, job_type, suffix, rate = "permanent", "Full Time", " (Full-Time, Permanent)", None
        opening = "This is a permanent, full-time position with full benefits."
    else:
        form, job_type, suffix, opening, rate = (
            ("contract", "Contract", " (Contract)",
             "This is a 12-month contract engagement, with the possibility of extension.", 1.25),
            ("part-time", "Part Time", " - Part-Time", "This is a part-time position of about 20 hours per week.", 1.0),
            ("contract-to-hire", "Contract", " (Contract-to-Hire)", "This is a 6-month contract-to-hire position.",
             1.15),
        )[n % 3]
    sibling = {**r, "job_title": r["job_title"] + suffix, "job_type": job_type,
               "job_description": _with_opening(r, opening), _FORM: form}
    if pay and rate:
        low, high = round(pay[0] * rate / 2080), round(pay[1] * rate / 2080)
        sibling.update(salary_offered=f"${low} - ${high} an hour", inferred_salary_from=float(low),
                       inferred_salary_to=float(high), inferred_salary_time_unit="hourly")
    return sibling


def _sibling_pay_band(r: Record, n: int) -> Record | None:
    pay = _yearly_range(r)
    if not pay:
        return None
    if n % 2:
        form, factor, level = "higher", 1.4, "Senior Level"
        opening = ("This opening is for an experienced hire: 8+ years of relevant experience, "
                   "owning projects end to end.")
    else:
        form, factor, level = "lower", 0.7, "Entry Level"
        opening = "This opening is for an early-career hire: 0-2 years of experience, mentored by senior staff."
    low, high = round(pay[0] * factor, -3), round(pay[1] * factor, -3)
    return {**r, "salary_offered": f"${low:,.0f} - ${high:,.0f} a year", "inferred_salary_from": low,
            "inferred_salary_to": high, "inferred_seniority_level": level,
            "job_description": _with_opening(r, opening), _FORM: form}


def _sibling_clearance(r: Record, n: int) -> Record | None:
    if not (_GOVERNMENT.search(r.get("job_description") or "") or r.get("state") in _CLEARANCE_STATES):
        return None
    form, suffix, opening = (
        ("ts-sci", " - TS/SCI with Polygraph",
         "An active TS/SCI clearance with a full-scope polygraph is required to start."),
        ("secret", " (Secret Clearance)",
         "An active Secret clearance is required; this position supports a new DoD contract."),
    )[n % 2]
    return {**r, "job_title": r["job_title"] + suffix, "job_description": _with_opening(r, opening), _FORM: form}


#: Hard-negative kinds, in the order rows are given them.
SIBLINGS: dict[str, Maker] = {
    "sibling_employment_type": _sibling_employment_type, "sibling_pay_band": _sibling_pay_band,
    "sibling_clearance": _sibling_clearance,
}


def blind_drift_set() -> LabelledSet:
    """The real rows, one drifted copy of each, and a sibling of every third (deterministic)."""
    return drift_variant(DRIFT, SIBLINGS, sibling_row=1, id_prefix="blind:", sibling_id_prefix="blind:",
                         boards=("indeed", "careerbuilder", "Linkedin"), other_board="dice",
                         copy_url="https://{board}.example/listing/{n}", cursor_steps=(11, 19), sibling_query="req",
                         form_key=_FORM)
