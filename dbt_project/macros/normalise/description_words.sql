{#- Documented in _normalise__macros.yml. -#}
{% macro description_words(expr, chars) -%}
    left(btrim(regexp_replace(regexp_replace(
        lower({{ plain_text("left(coalesce(" ~ expr ~ ", ''), " ~ (chars | string) ~ " + 200)") }}),
        '^((full|part)[ -]?time|contract|temporary|internship|[0-9.]+ out of 5( stars)?|[0-9]+\+? (minutes?|hours?|days?) ago'
        '|[0-9]+([.][0-9]+)?|(quick|easily) apply|urgently hiring|responsive employer|hiring ongoing|new'
        '|just posted|today|full job description|job description|description|about the (job|role)|job summary'
        '|apply (today|now)|[^[:alnum:]])+', ''),
        '[^[:alnum:]]+', ' ', 'g')), {{ chars }})
{%- endmacro %}
