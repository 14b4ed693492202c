-- The legacy scraper's table, in the fixed shape it has in production. Created only where
-- it does not exist (a fresh warehouse, the demo), so the dbt sources always resolve.
create table if not exists raw.legacy_scraped_jobs (
    id               bigint primary key,
    source_site      text,
    external_id      text,
    url              text,
    title            text,
    company          text,
    location         text,
    description_html text,
    salary_text      text,
    posted_at        text,
    scraped_at       timestamptz
);
