{#-
  Location normalisation, one place for every source.

  normalise_city(expr): lower case, punctuation -> space, collapsed; empty -> null.
  state_code_lookup() / state_key(expr): a US state as its two-letter code, from a code
    ("tx") or a name ("Texas", "New york"): join `state_code_lookup() as states` on
    `states.state_key = state_key(expr)` (a hash join, not a lookup per row); anything else
    finds no state (null).
  country_code(expr): "US" for the spellings seen in the feeds (US, usa, USA, United States,
    United states, United States of America); other non-empty values upper-cased; empty -> null.
-#}
{% macro normalise_city(expr) -%}
    nullif(btrim(regexp_replace(lower(coalesce({{ expr }}, '')), '[^a-z0-9]+', ' ', 'g')), '')
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
