-- Completeness: every window (filters, post-date day) a load fetches is reconciled with
-- the API's own count for it (total_count), so a run never reports success over a gap.

-- Which records each window has received, across all loads: the exact, distinct count a
-- window is checked with (a re-sent record counts once; a reject counts by its content).
create table raw.jobspikr_window_records (
    query_key   text not null,
    post_date   date not null,
    record_key  text not null,
    primary key (query_key, post_date, record_key)
);

-- Each window's state: received (distinct), what the API last said it holds, and whether
-- the two agree. complete = false: short, fetched again from its start by the next run
-- whatever the look-back; complete is null: the API sent no total_count to check with.
create table raw.jobspikr_windows (
    query_key       text    not null,
    post_date       date    not null,
    received_count  integer not null default 0,
    expected_count  integer,
    complete        boolean,
    checked_at      timestamptz,
    load_id         bigint references raw.jobspikr_load_log (load_id),
    primary key (query_key, post_date)
);

-- The load log, per window and pass: expected vs received for every window a load fetched.
-- pass 1 resumes from the watermark; pass 2 fetches a window that fell short again from its
-- start, within the same load.
create table raw.jobspikr_load_windows (
    load_id         bigint   not null references raw.jobspikr_load_log (load_id),
    post_date       date     not null,
    pass            smallint not null,
    from_cursor     bigint,
    pages           integer  not null,
    expected_count  integer,
    received_count  integer  not null,
    complete        boolean,
    end_signal      text     not null,
    checked_at      timestamptz not null default now(),
    primary key (load_id, post_date, pass)
);

alter table raw.jobspikr_load_log
    add column windows_checked integer not null default 0,
    add column windows_short   integer not null default 0;
