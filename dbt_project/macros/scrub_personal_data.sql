{#-
  The personal data policy on a source's free text, in SQL (docs/personal-data.md).

  scrub_personal_data(expr): the text `expr` with every e-mail address and phone number
  that var personal_data does not keep replaced by its field's marker ("[email removed]").
  The patterns are in_text's, the ones the loader applies to JobsPikr's text in Python
  (plugins/jobspikr_pipeline/personal_data.py), so both find the same values (tested on the
  same generated samples). The key of `hash` never enters SQL: a view's definition is
  readable by every role and dbt logs the SQL it runs; so here a hashed field's values are
  removed as a dropped field's are, and `keep` keeps them.

  scrubbed_columns(source_name, columns): `columns` of the source as a select list, its
  free-text ones (personal_data.text_fields[source_name]) scrubbed and named as they were.
  Every free-text field must be among `columns`: one left out would pass unscrubbed.
-#}
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
