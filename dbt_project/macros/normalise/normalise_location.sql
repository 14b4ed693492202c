{#-
  Location normalisation, one place for every source.

  normalise_city(expr): lower case, punctuation -> space, collapsed; empty -> null.
  state_code(expr): a US state as its two-letter code, from a code ("tx") or a name
    ("Texas", "New york"), through the `us_states` seed; anything else -> null.
  country_code(expr): "US" for the spellings seen in the feeds (US, usa, USA, United States,
    United states, United States of America); other non-empty values upper-cased; empty -> null.
-#}
{% macro normalise_city(expr) -%}
    nullif(btrim(regexp_replace(lower(coalesce({{ expr }}, '')), '[^a-z0-9]+', ' ', 'g')), '')
{%- endmacro %}

{% macro state_code(expr) -%}
    (select s.code from {{ ref('us_states') }} s
     where lower(btrim({{ expr }})) in (lower(s.code), lower(s.name)) limit 1)
{%- endmacro %}

{% macro country_code(expr) -%}
    case
        when lower(btrim(coalesce({{ expr }}, ''))) in ('us', 'usa', 'u s', 'u.s.', 'u.s.a.', 'united states',
                                                         'united states of america') then 'US'
        when btrim(coalesce({{ expr }}, '')) = '' then null
        else upper(btrim({{ expr }}))
    end
{%- endmacro %}
