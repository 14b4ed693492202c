{#- Documented in _listings__macros.yml. -#}
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
