{#-
  Location normalisation, one place for every source.

  normalise_city(expr): lower case, punctuation -> space, collapsed; empty -> null. A metro
    area as job boards name it is its city ("Greater Boston Area", "Greater Seattle Metro
    Area" -> "boston", "seattle").
  state_code_lookup() / state_key(expr): a US state as its two-letter code, from a code
    ("tx") or a name ("Texas", "New york"): join `state_code_lookup() as states` on
    `states.state_key = state_key(expr)` (a hash join, not a lookup per row); anything else
    finds no state (null).
  country_code(expr): "US" for the spellings seen in the feeds (US, usa, USA, United States,
    United states, United States of America); other non-empty values upper-cased; empty -> null.
-#}
{% macro normalise_city(expr) -%}
    nullif(regexp_replace(btrim(regexp_replace(lower(coalesce({{ plain_text(expr) }}, '')), '[^[:alnum:]]+', ' ', 'g')),
                          '^greater (.+?)( metro(politan)?)? area$', '\1'), '')
{%- endmacro %}

{% macro state_code_lookup() -%}
    (select lower(code) as state_key, code as state_code from {{ ref('us_states') }}
     union
     select lower(name), code from {{ ref('us_states') }})
{%- endmacro %}

{% macro state_key(expr) -%}
    lower(btrim({{ expr }}))
{%- endmacro %}

{% macro country_code(expr) -%}
    case
        when lower(btrim(coalesce({{ expr }}, ''))) in ('us', 'usa', 'u s', 'u.s.', 'u.s.a.', 'united states',
                                                         'united states of america') then 'US'
        when btrim(coalesce({{ expr }}, '')) = '' then null
        else upper(btrim({{ expr }}))
    end
{%- endmacro %}

{#-
  Where a source's city field says more than one city, or none:
  names_remote(expr): the city field says "Remote" (a remote job, not a place).
  listed_city(expr): the city a record is served with: the field's first city when it
    lists several joined by "|" ("Nashik|Navi Mumbai|Thane" -> "Nashik"); null for "Remote".
  listed_cities(expr): the whole list when there are several, else null. A multi-city
    record is one posting in each of its cities: it matches a record in any of them
    (same_place), and a job takes it in one place only (int_job_records__clustered).
-#}
{% macro names_remote(expr) -%}
    coalesce({{ expr }} ~* '^\s*remote\M', false)
{%- endmacro %}

{% macro listed_city(expr) -%}
    case when not {{ names_remote(expr) }} then nullif(btrim(split_part({{ expr }}, '|', 1)), '') end
{%- endmacro %}

{% macro listed_cities(expr) -%}
    case when {{ expr }} like '%|%' and not {{ names_remote(expr) }} then {{ expr }} end
{%- endmacro %}
