-- Jobs JobsPikr's expired jobs API reported as expired: one row per uniq_id. expired_on is
-- the earliest day any report named (null until one names a day); reported_at is when we
-- were first told, last_reported_at the latest report; fetched_range the days the latest
-- report's request asked for. Private to the pipeline, as all of raw: nothing is granted.
create table raw.jobspikr_expirations (
    uniq_id           text        primary key,
    expired_on        date,
    reported_at       timestamptz not null default now(),
    last_reported_at  timestamptz not null default now(),
    fetched_range     daterange   not null
);
