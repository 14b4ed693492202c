{#-
  normalise_company(expr): the comparable form of a company name.

  plain_text first; lower case; `&` -> `and`; apostrophes dropped ("McDonald's" -> "mcdonalds"); other
  punctuation -> space; a leading "the" and trailing legal suffixes (inc, incorporated,
  llc, ltd, limited, corp, corporate, corporation, co, company, plc, gmbh, lp, llp)
  removed, repeatedly ("Acme Co., Inc." -> "acme"); spaces collapsed.
-#}
{% macro normalise_company(expr) -%}
    btrim(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(replace(regexp_replace(lower(coalesce({{ plain_text(expr) }}, '')), '[''’]', '', 'g'), '&', ' and '),
                       '[^[:alnum:]]+', ' ', 'g'),
        '^\s*the\s+', '', 'g'),
        '(\s+(inc|incorporated|llc|ltd|limited|corp|corporate|corporation|co|company|plc|gmbh|lp|llp))+\s*$', '', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}
