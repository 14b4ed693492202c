{#- Documented in _personal_data__macros.yml. -#}
{% macro scrub_personal_data(expr) -%}
    {%- set policy = var('personal_data') -%}
    {%- set scrubbed = namespace(sql=expr) -%}
    {%- for field, rule in policy['in_text'].items() if policy['fields'][field] != 'keep' -%}
        {%- set scrubbed.sql = "regexp_replace(" ~ scrubbed.sql ~ ", " ~ _sql_text(rule['pattern']) ~ ", "
                               ~ _sql_text(rule['marker'] | replace('\\', '\\\\')) ~ ", 'g')" -%}
    {%- endfor -%}
    {{ scrubbed.sql }}
{%- endmacro %}

{% macro scrubbed_columns(source_name, columns) -%}
    {%- set text_fields = var('personal_data')['text_fields'][source_name] -%}
    {%- set missing = text_fields | reject('in', columns) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("personal_data.text_fields." ~ source_name ~ " names "
                                           ~ missing | join(', ') ~ ", not among the columns selected") }}
    {%- endif -%}
    {%- for column in columns %}
        {{ scrub_personal_data(column) ~ ' as ' ~ column if column in text_fields else column }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- `text` as a Postgres string literal. -#}
{% macro _sql_text(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
