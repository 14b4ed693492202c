-- Indexes that let dbt's incremental runs read only what arrived since their last run:
-- they filter staging on when a row last arrived (JobsPikr: last_seen_at; the legacy
-- scraper: scraped_at), and Postgres pushes that filter down to these indexes.
create index if not exists jobspikr_jobs_last_seen_at_idx on raw.jobspikr_jobs (last_seen_at);
create index if not exists legacy_scraped_jobs_scraped_at_idx on raw.legacy_scraped_jobs (scraped_at);
