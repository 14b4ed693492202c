-- placeholder until the expiry branch lands (same columns)
create table if not exists raw.jobspikr_expirations (
    uniq_id          text primary key,
    expired_on       date,
    reported_at      timestamptz not null default now(),
    last_reported_at timestamptz not null default now()
);
