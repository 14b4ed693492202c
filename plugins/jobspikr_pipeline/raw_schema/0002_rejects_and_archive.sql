-- Records the API sent that cannot be stored as jobs (no uniq_id, no cursor), with why.
create table raw.jobspikr_rejects (
    reject_id    bigserial primary key,
    load_id      bigint not null references raw.jobspikr_load_log (load_id),
    post_date    date,
    reason       text   not null,
    record       jsonb  not null,
    received_at  timestamptz not null default now()
);

-- History: record versions moved out of the hot table (expired or long unseen listings).
-- Never deleted; the loader treats a version stored here as already received.
create table raw.jobspikr_jobs_archive (
    like raw.jobspikr_jobs including defaults,
    archived_at     timestamptz not null default now(),
    archive_reason  text        not null,
    primary key (uniq_id, record_hash)
);

-- When a version was last received: a re-send of an unchanged record moves this, not the
-- row's content. Archiving of long-unseen listings reads it.
alter table raw.jobspikr_jobs add column last_seen_at timestamptz;
update raw.jobspikr_jobs set last_seen_at = fetched_at;
alter table raw.jobspikr_jobs alter column last_seen_at set not null;
alter table raw.jobspikr_jobs_archive add column last_seen_at timestamptz;
