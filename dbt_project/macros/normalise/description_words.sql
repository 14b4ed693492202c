{#-
  description_words(expr, chars): the opening of a description as lower-case words (of its
  plain_text), after
  what boards and scrapers put before the ad itself: page chrome ("3.4 Quick Apply Full-time
  3 hours ago Full Job Description", "4.1 out of 5 stars", "Urgently hiring"), and prefixes
  ("Job description:",
  "Description:", "About the job", "Apply today!"). Copies of one ad then open alike.
-#}
{% macro description_words(expr, chars) -%}
    left(btrim(regexp_replace(regexp_replace(
        lower({{ plain_text("left(coalesce(" ~ expr ~ ", ''), " ~ (chars | string) ~ " + 200)") }}),
        '^((full|part)[ -]?time|contract|temporary|internship|[0-9.]+ out of 5( stars)?|[0-9]+\+? (minutes?|hours?|days?) ago'
        '|[0-9]+([.][0-9]+)?|(quick|easily) apply|urgently hiring|responsive employer|hiring ongoing|new'
        '|just posted|today|full job description|job description|description|about the (job|role)|job summary'
        '|apply (today|now)|[^[:alnum:]])+', ''),
        '[^[:alnum:]]+', ' ', 'g')), {{ chars }})
{%- endmacro %}
