{#- Documented in _incremental__macros.yml. -#}
{% macro arrived_since_last_run() -%}
    {%- if not (execute and is_incremental()) -%}
        true
    {%- else -%}
        {#- one index lookup per source (every source has a row in source_flags), not a scan -#}
        {%- set cutoffs = run_query(
            "select * from (select f.source,"
            ~ " ((select max(t.last_seen_at) from " ~ this ~ " t where t.source = f.source)"
            ~ "  - interval '" ~ var('incremental_lookback_hours') ~ " hours')::text as seen_after,"
            ~ " (select max(t.arrival_sequence) from " ~ this ~ " t where t.source = f.source) as sequence_after"
            ~ " from " ~ ref('source_flags') ~ " f) cutoffs where seen_after is not null order by source") -%}
        {%- if cutoffs.rows | length == 0 -%}
            true
        {%- else -%}
            (
            {%- for source, seen_after, sequence_after in cutoffs.rows %}
                (source = '{{ source }}' and (last_seen_at > '{{ seen_after }}'::timestamptz
                    {%- if sequence_after is not none %} or arrival_sequence > {{ sequence_after }}{% endif %})) or
            {%- endfor %}
                source not in ({% for row in cutoffs.rows %}'{{ row[0] }}'{% if not loop.last %}, {% endif %}{% endfor %})
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
