"""The legacy scraper's view of the same job market, for the demo and the tests.

It writes ``raw.legacy_scraped_jobs`` (the production table's fixed shape). A row either
re-scrapes a JobsPikr job (same job, the scraper's messier text: ``Austin, TX`` location
text, HTML description, ``$120k-$140k`` salaries, relative post dates) or is a job only the
scraper found. Row ``n`` is a pure function of ``(seed, n)``; ``job_of`` gives the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from standin_api.generator import Catalogue

#: Share of legacy rows that re-scrape a job JobsPikr also has.
OVERLAP = 0.6


@dataclass(frozen=True)
class LegacyScrape:
    catalogue: Catalogue
    size: int = 1_000
    seed: int = 1

    def _rng(self, n: int) -> random.Random:
        return random.Random(f"legacy:{self.seed}:{n}")

    @property
    def _unseen(self) -> Catalogue:
        """Jobs JobsPikr does not have: another seed's catalogue over the same days."""
        return Catalogue(seed=self.catalogue.seed + 10_000 + self.seed, size=self.catalogue.size,
                         anchor=self.catalogue.anchor, days=self.catalogue.days)

    def _source(self, n: int) -> tuple[Catalogue, int]:
        """Which catalogue, and which record of it, row ``n`` scrapes."""
        rng = self._rng(n)
        catalogue = self.catalogue if rng.random() < OVERLAP else self._unseen
        return catalogue, rng.randrange(catalogue.size)

    def job_of(self, n: int) -> int | str:
        """Ground truth: the JobsPikr job (``Catalogue.job_of``), or a legacy-only job id."""
        catalogue, index = self._source(n)
        job = catalogue.job_of(index)
        return job if catalogue is self.catalogue else f"legacy-only:{job}"

    def row(self, n: int) -> dict[str, Any]:
        catalogue, index = self._source(n)
        # The scraper read the job's page, not JobsPikr's feed: none of the feed's quirks.
        record = replace(catalogue, real_quirks=False).record(index)
        rng = random.Random(f"legacy-row:{self.seed}:{n}")
        scraped = datetime.fromisoformat(record["crawl_timestamp"].replace(" +0000", "+00:00")) + timedelta(
            hours=rng.randint(1, 30))
        post_date = datetime.fromisoformat(record["post_date"]).replace(tzinfo=UTC)
        age = (scraped.date() - post_date.date()).days
        posted_at = rng.choice((post_date.strftime("%Y-%m-%d"), f"{age} days ago" if age else "today",
                                post_date.strftime("%b %-d, %Y")))
        city = record.get("inferred_city") or record["city"]
        location = rng.choice((f"{city}, {record['state']}", f"{city}, {record['state']}, USA")) \
            if not record.get("is_remote") else "Remote - US"
        salary = "DOE"
        if record.get("inferred_salary_from"):
            low, high = record["inferred_salary_from"], record["inferred_salary_to"]
            salary = (f"${low // 1000}k-${high // 1000}k" if low >= 1000 else f"${low} - ${high} an hour")
        title = rng.choice((record["job_title"], record["job_title"].replace("Senior", "Sr"),
                            record["job_title"].lower().title()))
        return {
            "id": n + 1,
            "source_site": record["job_board"].lower(),
            "external_id": record["uniq_id"][:12],
            "url": record["url"] + "?src=scraper",
            "title": title,
            "company": rng.choice((record["company_name"], f"{record['company_name']} Inc.")),
            "location": location,
            "description_html": record["html_job_description"],
            "salary_text": salary,
            "posted_at": posted_at,
            "scraped_at": scraped,
        }

    def rows(self) -> list[dict[str, Any]]:
        return [self.row(n) for n in range(self.size)]


def write_legacy_rows(conn: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows into ``raw.legacy_scraped_jobs`` as the scraper would (a row already there, by id, is kept)."""
    columns = list(rows[0]) if rows else []
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into raw.legacy_scraped_jobs ({', '.join(columns)}) values "  # noqa: S608 (fixed names)
            f"({', '.join(['%s'] * len(columns))}) on conflict (id) do nothing",
            [tuple(r[c] for c in columns) for r in rows])
