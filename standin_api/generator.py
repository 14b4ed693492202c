"""Deterministic JobsPikr-shaped job records for the stand-in API.

Record ``i`` is a pure function of ``(seed, i)``: any page can be produced without
generating the ones before it, so a 1M-record catalogue costs no memory, and two
servers started with the same seed serve byte-identical data.

The shape follows the real samples in ``shared/data/jobspikr``: the 42 export
columns, raw page text next to JobsPikr's ``inferred_*`` normalisations, nulls in
some records and keys left out in others, HTML descriptions, and the same job
re-posted on several boards with small differences (different ``uniq_id``).

``Catalogue(real_quirks=True)`` adds what the API notes say real JobsPikr sends on top
(``standin_api.quirks``): placeholders, several cities in one ``city``, JobsPikr's own
duplicate flag, fields beyond the 42, the older ``last_expiry_check_date``, more nulls and
left-out keys.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from standin_api.quirks import with_quirks
from standin_api.real_rows import real_records

#: The 42 columns of a real JobsPikr export, in order.
RECORD_FIELDS: tuple[str, ...] = (
    "crawl_timestamp", "url", "job_title", "category", "company_name", "city", "state",
    "country", "inferred_city", "inferred_state", "inferred_country", "post_date",
    "job_description", "job_type", "salary_offered", "job_board", "geo", "cursor",
    "contact_email", "contact_phone_number", "uniq_id", "html_job_description",
    "valid_through", "has_expired", "inferred_iso3_lang_code", "latest_expiry_check_date",
    "duplicate_status", "duplicate_of", "inferred_department_name",
    "inferred_department_score", "inferred_job_title", "is_remote",
    "inferred_salary_currency", "inferred_salary_time_unit", "inferred_salary_from",
    "inferred_salary_to", "inferred_skills", "inferred_company_type",
    "inferred_company_type_score", "inferred_seniority_level", "apply_url", "logo_url",
)

_ROLES = (
    ("Data Scientist", "IT", ("Python", "Sql", "Statistics", "Machine Learning")),
    ("Data Engineer", "IT", ("Python", "Sql", "Spark", "Airflow", "Kafka")),
    ("Software Engineer", "IT", ("Java", "Python", "Aws", "Kubernetes")),
    ("Machine Learning Engineer", "IT", ("Python", "Pytorch", "Mlops", "Aws")),
    ("Data Analyst", "IT", ("Sql", "Tableau", "Excel", "Python")),
    ("Product Manager", "Marketing", ("Roadmaps", "Analytics", "Agile")),
    ("DevOps Engineer", "IT", ("Terraform", "Kubernetes", "Aws", "Linux")),
    ("Financial Analyst", "Finance", ("Excel", "Forecasting", "Sql")),
    ("Registered Nurse", "Healthcare", ("Patient Care", "Bls", "Epic")),
    ("Account Executive", "Sales", ("Salesforce", "Negotiation", "Crm")),
)
_SENIORITY = (
    ("", "Mid Level"), ("Senior ", "Mid Level"), ("Sr. ", "Mid Level"),
    ("Junior ", "Entry Level"), ("Lead ", "Mid Level"), ("Principal ", "Executive Level"),
)
_TITLE_SUFFIXES = ("", "", "", " II", " - Remote USA", ", Analytics", " (Contract)")
_COMPANIES = (
    ("Facebook", "company"), ("Wayfair", "company"), ("IBM", "company"),
    ("Intuit", "company"), ("S&P Global", "company"), ("Bank of America", "company"),
    ("Acme Analytics, Inc.", "company"), ("Globex Corporation", "company"),
    ("Initech LLC", "company"), ("Umbrella Health", "company"), ("Jobot", "agency"),
    ("Logic2020", "agency"), ("Robert Half", "agency"), ("The Hartford", "company"),
)
_LOCATIONS = (
    ("Austin", "TX", "Texas"), ("New York", "NY", "New york"), ("San Francisco", "CA", "California"),
    ("Chicago", "IL", "Illinois"), ("Seattle", "WA", "Washington"), ("Boston", "MA", "Massachusetts"),
    ("Atlanta", "GA", "Georgia"), ("Denver", "CO", "Colorado"), ("Arlington", "VA", "Virginia"),
    ("Jersey City", "NJ", "New jersey"),
)
_BOARDS = ("simplyhired", "dice", "indeed", "company_website", "Linkedin", "careerbuilder",
           "Efinancialcareers")
_BOARD_HOSTS = {"simplyhired": "www.simplyhired.com", "dice": "www.dice.com", "indeed": "www.indeed.com",
                "company_website": "careers.example.com", "Linkedin": "www.linkedin.com",
                "careerbuilder": "www.careerbuilder.com", "Efinancialcareers": "www.efinancialcareers.com"}
_JOB_TYPES = ("Full Time", "Full Time", "Full Time", "Undefined", "Contract", "Part Time",
              "Internship")
_COUNTRY_TEXT = ("United States", "US", "USA", "usa", "")
_CATEGORIES = ("Full-time", "", "IT Software", "Computer/internet", "Contract")
_BOILERPLATE = (
    "We are an Equal Opportunity employer. We do not discriminate based upon race, religion, "
    "color, national origin, sex, sexual orientation, gender identity, age, status as a "
    "protected veteran, or status as an individual with a disability."
)
#: Real feeds spread over many employers: beyond the named ones above, one more employer per
#: this many records, so blocks (same company, state and title) stay the size they are in
#: real data instead of growing with the catalogue.
_RECORDS_PER_EMPLOYER = 50
_NAME_WORDS = ("Blue", "North", "Summit", "Harbor", "Cedar", "Pioneer", "Bright", "Iron", "Silver",
               "Maple", "Granite", "Coastal", "Prairie", "Atlas", "Beacon", "Crescent", "Evergreen",
               "Falcon", "Golden", "Liberty", "Meridian", "Orchard", "Redwood", "Sterling", "Vertex")
_NAME_NOUNS = ("Ridge", "Bay", "Point", "Creek", "Field", "Stone", "Bridge", "Gate", "Peak", "River",
               "Grove", "Lake", "Forge", "Rock", "Valley", "Trail", "Bluff", "Spring", "Wood", "Hill")
_NAME_KINDS = ("Labs", "Systems", "Health", "Logistics", "Financial", "Software", "Retail", "Energy")
_LEGAL_SUFFIXES = (", Inc.", " LLC", " Corporation", "")
#: Fraction of records that re-post an earlier job on another board.
_REPOST_RATE = 0.15
_REPOST_LOOKBACK = 40
#: Fraction of records the expired jobs API reports as expired, each 1 to
#: ``_EXPIRY_MAX_DAYS`` days after its post date (so a catalogue's own days hold some).
_EXPIRY_RATE = 0.05
_EXPIRY_MAX_DAYS = 10


#: What a real-size record keeps of the generated one: which record it is, and when.
_IDENTITY = ("uniq_id", "cursor", "post_date", "crawl_timestamp")


@dataclass(frozen=True)
class Catalogue:
    """A fixed, seeded set of ``size`` records posted over ``days`` days up to ``anchor``."""

    seed: int = 42
    size: int = 2_000
    anchor: date = date(2026, 11, 25)
    days: int = 14
    #: Serve the real rows' size and shape: each record is real row ``index % 200`` of the
    #: export (``standin_api.real_rows``) with this catalogue's identity (id, cursor, dates).
    real_rows: bool = False
    #: Serve the real API's quirks on top (``standin_api.quirks``): off by default, so the
    #: records every existing test and benchmark sees stay byte for byte what they were.
    real_quirks: bool = False

    @property
    def first_cursor(self) -> int:
        start = datetime.combine(self.anchor - timedelta(days=self.days), datetime.min.time(),
                                 tzinfo=UTC)
        return int(start.timestamp()) * 1_000_000

    @property
    def cursor_step(self) -> int:
        """Microseconds between records, so indexing times spread over the whole window."""
        return max(2, self.days * 86_400_000_000 // max(self.size, 1))

    def cursor_of(self, index: int) -> int:
        """Cursor (epoch microseconds of indexing) of record ``index``: strictly increasing."""
        jitter = _rng(self.seed, index, "cursor").randrange(self.cursor_step // 2)
        return self.first_cursor + index * self.cursor_step + jitter

    def index_at_or_after(self, cursor: int) -> int:
        """Smallest index whose cursor is >= ``cursor`` (O(1): cursors are near-linear)."""
        index = max(0, (cursor - self.first_cursor) // self.cursor_step)
        while index < self.size and self.cursor_of(index) < cursor:
            index += 1
        return min(index, self.size)

    def job_of(self, index: int) -> int:
        """The ground truth for deduplication: records with the same ``job_of`` are one job
        (a re-post names the index of the record it copies; a job's first posting, itself)."""
        rng = _rng(self.seed, index, "posting")
        if index >= _REPOST_LOOKBACK and rng.random() < _REPOST_RATE:
            return self.job_of(index - rng.randint(1, _REPOST_LOOKBACK))
        return index

    def expired_on(self, index: int) -> date | None:
        """The day the expired jobs API says record ``index`` expired, or None (most records).

        Drawn from its own random stream, so the records search serves stay byte for byte
        what they were (their ``has_expired`` stays false)."""
        rng = _rng(self.seed, index, "expiry")
        if rng.random() >= _EXPIRY_RATE:
            return None
        return date.fromisoformat(self.record(index)["post_date"]) + timedelta(days=rng.randint(1, _EXPIRY_MAX_DAYS))

    def record(self, index: int) -> dict[str, Any]:
        """The JobsPikr record at ``index`` (0 <= index < size)."""
        if not 0 <= index < self.size:
            raise IndexError(index)
        rng = _rng(self.seed, index, "posting")
        if index >= _REPOST_LOOKBACK and rng.random() < _REPOST_RATE:
            rng.randint(1, _REPOST_LOOKBACK)  # keep the stream aligned with job_of()
        record = _posting(self, index, self.job_of(index), rng)
        if self.real_rows:
            real = real_records()
            record = {**real[index % len(real)], **{name: record[name] for name in _IDENTITY}}
        if self.real_quirks:
            record = with_quirks(record, index=index, seed=self.seed, size=self.size,
                                 duplicated=self.job_of(index), uniq_id_of=lambda i: _uniq_id(self, i))
        return record


@lru_cache(maxsize=8)
def expirations(catalogue: Catalogue) -> tuple[tuple[str, date], ...]:
    """``(uniq_id, expired_on)`` of every record of ``catalogue`` that expires, in catalogue order."""
    days = ((i, catalogue.expired_on(i)) for i in range(catalogue.size))
    return tuple((_uniq_id(catalogue, i), day) for i, day in days if day is not None)


def _uniq_id(catalogue: Catalogue, index: int) -> str:
    return hashlib.md5(f"{catalogue.seed}:{index}".encode()).hexdigest()


def _rng(seed: int, index: int, purpose: str) -> random.Random:
    return random.Random(f"{seed}:{index}:{purpose}")


@dataclass(frozen=True)
class _Job:
    """What stays the same when one job is posted on several boards."""

    title: str
    seniority: str
    department: str
    skills: tuple[str, ...]
    company: str
    company_type: str
    city: str
    state_code: str
    state_name: str
    job_type: str
    salary_from: int | None
    salary_to: int | None
    hourly: bool
    remote: bool
    post_offset_days: int
    description: str


def _job(catalogue: Catalogue, core_index: int) -> _Job:
    rng = _rng(catalogue.seed, core_index, "job")
    role, department, skills = rng.choice(_ROLES)
    prefix, seniority = rng.choice(_SENIORITY)
    company, company_type = _employer(rng.randrange(len(_COMPANIES) + catalogue.size // _RECORDS_PER_EMPLOYER))
    city, state_code, state_name = rng.choice(_LOCATIONS)
    hourly = rng.random() < 0.08
    salary_from: int | None = None
    salary_to: int | None = None
    if rng.random() < 0.75:
        if hourly:
            salary_from = rng.randrange(25, 90)
            salary_to = salary_from + rng.randrange(5, 30)
        else:
            salary_from = rng.randrange(60, 200) * 1000
            salary_to = salary_from + rng.randrange(10, 80) * 1000
    team = rng.choice(("Growth", "Payments", "Platform", "Search", "Risk", "Supply Chain"))
    duties = ", ".join(rng.sample(skills, k=min(3, len(skills))))
    description = (
        f"{company} is hiring a {prefix}{role} to join the {team} team in {city}, {state_code}. "
        f"You will own {team.lower()} problems end to end using {duties}. "
        f"Requirements: {rng.randint(1, 10)}+ years of experience; "
        f"reference {rng.getrandbits(32):08x}. {_BOILERPLATE}"
    )
    return _Job(
        title=f"{prefix}{role}{rng.choice(_TITLE_SUFFIXES)}", seniority=seniority,
        department=department, skills=skills, company=company, company_type=company_type,
        city=city, state_code=state_code, state_name=state_name,
        job_type=rng.choice(_JOB_TYPES), salary_from=salary_from, salary_to=salary_to,
        hourly=hourly, remote=rng.random() < 0.12,
        post_offset_days=rng.randrange(3), description=description,
    )


def _employer(number: int) -> tuple[str, str]:
    """Employer ``number``: a named one, else a generated "Cedar Harbor Labs 2, Inc.".

    Unique per number *after* normalisation: the legal suffix is how an employer writes its
    name, not who it is (the dbt models strip it), so it never tells two employers apart; the
    series number does. (Were it the suffix, large catalogues would merge employers into ever
    denser companies, and blocks would grow with the catalogue.)
    """
    if number < len(_COMPANIES):
        return _COMPANIES[number]
    n = number - len(_COMPANIES)
    words, nouns, kinds = len(_NAME_WORDS), len(_NAME_NOUNS), len(_NAME_KINDS)
    name = f"{_NAME_WORDS[n % words]} {_NAME_NOUNS[n // words % nouns]} {_NAME_KINDS[n // words // nouns % kinds]}"
    series = n // (words * nouns * kinds)
    suffix = _LEGAL_SUFFIXES[series % len(_LEGAL_SUFFIXES)]
    return f"{name}{f' {series + 1}' if series else ''}{suffix}", "company"


def _salary_text(job: _Job, rng: random.Random) -> str | None:
    if job.salary_from is None:
        return rng.choice((None, "Competitive", "0 - 0 /", ""))
    if job.hourly:
        return f"${job.salary_from} - ${job.salary_to} an hour"
    return f"${job.salary_from:,} - ${job.salary_to:,} a year"


def _posting(catalogue: Catalogue, index: int, core_index: int, rng: random.Random) -> dict[str, Any]:
    job = _job(catalogue, core_index)
    cursor = catalogue.cursor_of(index)
    crawled = datetime.fromtimestamp(cursor / 1_000_000, tz=UTC)
    # A job is posted on or before the day it is first crawled.
    post_date = crawled.date() - timedelta(days=job.post_offset_days)
    board = rng.choice(_BOARDS)
    title = job.title
    company = job.company
    description = job.description
    if core_index != index:  # a re-post: another board's rendering of the same job
        title = rng.choice((title, title.replace("Senior ", "Sr. "), title.replace("Engineer", "Eng."),
                            title.replace("Junior ", "Jr "), title.upper(), f"{title} "))
        company = rng.choice((company, company.replace(", Inc.", " Inc"), company.replace(" Corporation", " Corp."),
                              company.replace(" LLC", ""), company.removeprefix("The "), f"{company} "))
        description = rng.choice((description, description[: len(description) * 4 // 5] + "...",
                                  description.replace(". ", ".  ")))
    uniq_id = _uniq_id(catalogue, index)
    slug = hashlib.sha1(f"{board}:{index}".encode()).hexdigest()[:24]
    raw_city_ok = rng.random() > 0.05
    record: dict[str, Any] = {
        "crawl_timestamp": crawled.strftime("%Y-%m-%d %H:%M:%S +0000"),
        "url": f"https://{_BOARD_HOSTS[board]}/job/{slug}",
        "job_title": title,
        "category": rng.choice(_CATEGORIES),
        "company_name": company,
        "city": job.city if raw_city_ok else "Computer-or-internet",
        "state": job.state_code,
        "country": rng.choice(_COUNTRY_TEXT),
        "inferred_city": job.city if rng.random() > 0.04 else None,
        "inferred_state": job.state_name,
        "inferred_country": "United states",
        "post_date": post_date.isoformat(),
        "job_description": description,
        "job_type": job.job_type,
        "salary_offered": _salary_text(job, rng),
        "job_board": board,
        "geo": rng.choice(_COUNTRY_TEXT),
        "cursor": cursor,
        "contact_email": None,
        "contact_phone_number": None,
        "uniq_id": uniq_id,
        "html_job_description": (
            "<!DOCTYPE html><html><body><div class=\"jobDescription\"><p>"
            + description.replace(". ", ".</p><p>") + "</p></div></body></html>"
        ),
        "valid_through": (post_date + timedelta(days=30)).isoformat() if rng.random() < 0.1 else None,
        "has_expired": False,
        "inferred_iso3_lang_code": "eng",
        "latest_expiry_check_date": crawled.date().isoformat(),
        "duplicate_status": "no",
        "duplicate_of": None,
        "inferred_department_name": job.department,
        "inferred_department_score": rng.randint(60, 99),
        "inferred_job_title": job.title.split(" - ")[0].split(",")[0].strip().capitalize(),
        "is_remote": job.remote,
        "inferred_salary_currency": "USD" if job.salary_from is not None else None,
        "inferred_salary_time_unit": ("hourly" if job.hourly else "yearly") if job.salary_from else None,
        "inferred_salary_from": job.salary_from,
        "inferred_salary_to": job.salary_to,
        "inferred_skills": "|".join(job.skills),
        "inferred_company_type": job.company_type,
        "inferred_company_type_score": rng.randint(70, 99),
        "inferred_seniority_level": job.seniority,
        "apply_url": f"https://apply.example.com/{slug}" if rng.random() < 0.5 else None,
        "logo_url": None,
    }
    # Real feeds leave some optional keys out entirely rather than sending null.
    for key in ("contact_phone_number", "logo_url", "duplicate_of", "apply_url"):
        if record[key] is None and rng.random() < 0.5:
            del record[key]
    return record
