{#-
  What "active" means, in one place. A job's status, from all of its served records:
    expired  every record is expired: JobsPikr sent it with has_expired, or its Expired Jobs
             API reported it (expired_on); expired jobs stay in the marts and in history;
    stale    not expired, but no record seen for `listing_stale_after_days` days;
    active   otherwise: the jobs a feature showing open jobs serves.
  listing_status(all_expired, last_seen_at): that status, from a job's aggregates.
  record_is_expired(record): whether one record is expired (the aggregate is bool_and of it).
  stale_before(): the timestamp before which an unexpired job is stale.
  Used by job_listing_rows (job_listings and the A/B variants) and by job_listings'
  incremental check for jobs that have just gone stale.
-#}
{% macro record_is_expired(record) -%}
    (coalesce({{ record }}.has_expired, false) or {{ record }}.expired_on is not null)
{%- endmacro %}

{% macro stale_before() -%}
    (current_timestamp - interval '{{ var("listing_stale_after_days") }} days')
{%- endmacro %}

{% macro listing_status(all_expired, last_seen_at) -%}
    case
        when {{ all_expired }} then 'expired'
        when {{ last_seen_at }} < {{ stale_before() }} then 'stale'
        else 'active'
    end
{%- endmacro %}
