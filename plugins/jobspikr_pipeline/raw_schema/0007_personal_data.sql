-- Personal data (jobspikr_pipeline.personal_data). Retention marks the versions it reduced
-- (their contact and free-text fields removed) so it reduces each once.
alter table raw.jobspikr_jobs add column reduced_at timestamptz;
alter table raw.jobspikr_jobs_archive add column reduced_at timestamptz;

-- One row per erasure (./pipeline forget): which field, when, by whom and how many rows in
-- which tables. Never the value, nor its pseudonym.
create table raw.personal_data_erasures (
    erasure_id    bigserial   primary key,
    field_name    text        not null,
    rows_changed  integer     not null,
    tables        jsonb       not null,
    erased_at     timestamptz not null default now(),
    erased_by     text        not null default current_user
);
