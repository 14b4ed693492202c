-- Raw landing for JobsPikr records. One row per (uniq_id, content version): a record
-- JobsPikr re-sends unchanged is skipped, one re-sent with changes adds a version.
create schema if not exists raw;

create table raw.jobspikr_load_log (
    load_id            bigserial primary key,
    airflow_run_id     text,
    query_key          text not null,
    source_host        text,
    started_at         timestamptz not null default now(),
    finished_at        timestamptz,
    status             text not null default 'running'
                       check (status in ('running', 'succeeded', 'failed')),
    pages              integer not null default 0,
    records_received   integer not null default 0,
    inserted           integer not null default 0,
    updated            integer not null default 0,
    duplicates_skipped integer not null default 0,
    rejected           integer not null default 0,
    bytes              bigint  not null default 0,
    seconds            numeric(12, 3),
    error              text
);

create table raw.jobspikr_jobs (
    uniq_id          text        not null,
    record_hash      text        not null,
    cursor           bigint      not null,
    crawl_timestamp  timestamptz,
    post_date        date,
    payload          jsonb       not null,
    load_id          bigint      not null references raw.jobspikr_load_log (load_id),
    airflow_run_id   text,
    fetched_at       timestamptz not null,
    source_host      text        not null,
    primary key (uniq_id, record_hash)
);
create index jobspikr_jobs_cursor_idx on raw.jobspikr_jobs (cursor);
create index jobspikr_jobs_post_date_idx on raw.jobspikr_jobs (post_date);

-- Where each extraction stream stopped: one row per (filters, post-date day).
-- Written in the same transaction as the rows it covers.
create table raw.jobspikr_watermarks (
    query_key    text   not null,
    post_date    date   not null,
    next_cursor  bigint not null,
    load_id      bigint not null references raw.jobspikr_load_log (load_id),
    updated_at   timestamptz not null default now(),
    primary key (query_key, post_date)
);
