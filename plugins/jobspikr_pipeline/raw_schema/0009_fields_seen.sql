-- Schema drift, visible the day it happens: which fields JobsPikr's records carry, since
-- when, and in what share of them. The payload jsonb keeps every field, known or not; these
-- only say which fields there are.

-- Per load and field: how many of the load's landed records carried the field (as JobsPikr
-- sent it, before the personal data policy), and when the load first and last saw it.
-- Written by the loader once per batch, in the batch's transaction, so the counts are
-- exactly those of the records landed (load_log's records_received - rejected). Each load
-- writes only its own rows: concurrent loads of other filters never wait on each other here.
create table raw.jobspikr_load_fields (
    load_id        bigint      not null references raw.jobspikr_load_log (load_id),
    field          text        not null,
    records        bigint      not null,
    first_seen_at  timestamptz not null default now(),
    last_seen_at   timestamptz not null default now(),
    primary key (load_id, field)
);
create index jobspikr_load_fields_field_idx on raw.jobspikr_load_fields (field, first_seen_at);

-- The 42 columns of the API notes' real 2021 export (shared/docs/jobspikr-api.md): a field
-- outside them is news even on a warehouse's first load.
create table raw.jobspikr_documented_fields (field text primary key);
insert into raw.jobspikr_documented_fields (field) values
    ('crawl_timestamp'), ('url'), ('job_title'), ('category'), ('company_name'), ('city'), ('state'),
    ('country'), ('inferred_city'), ('inferred_state'), ('inferred_country'), ('post_date'),
    ('job_description'), ('job_type'), ('salary_offered'), ('job_board'), ('geo'), ('cursor'),
    ('contact_email'), ('contact_phone_number'), ('uniq_id'), ('html_job_description'),
    ('valid_through'), ('has_expired'), ('inferred_iso3_lang_code'), ('latest_expiry_check_date'),
    ('duplicate_status'), ('duplicate_of'), ('inferred_department_name'),
    ('inferred_department_score'), ('inferred_job_title'), ('is_remote'),
    ('inferred_salary_currency'), ('inferred_salary_time_unit'), ('inferred_salary_from'),
    ('inferred_salary_to'), ('inferred_skills'), ('inferred_company_type'),
    ('inferred_company_type_score'), ('inferred_seniority_level'), ('apply_url'), ('logo_url');

-- One row per field ever seen: when and by which load and run it was first seen, when last,
-- how many records carried it and their share of all the records counted (loads from this
-- migration on). A view over a table of (loads x fields): a few dozen rows a load.
create view raw.jobspikr_fields_seen as
with counted as (
    select l.load_id, l.airflow_run_id, l.records_received - l.rejected as records
    from raw.jobspikr_load_log l
    where exists (select from raw.jobspikr_load_fields f where f.load_id = l.load_id)
)
select f.field,
       d.field is not null                                                     as documented,
       min(f.first_seen_at)                                                    as first_seen_at,
       (array_agg(f.load_id order by f.first_seen_at, f.load_id))[1]           as first_seen_load_id,
       (array_agg(c.airflow_run_id order by f.first_seen_at, f.load_id))[1]    as first_seen_run_id,
       max(f.last_seen_at)                                                     as last_seen_at,
       sum(f.records)                                                          as records_seen,
       round(sum(f.records) / nullif((select sum(records) from counted), 0), 4) as share
from raw.jobspikr_load_fields f
join counted c on c.load_id = f.load_id
left join raw.jobspikr_documented_fields d on d.field = f.field
group by f.field, d.field;
