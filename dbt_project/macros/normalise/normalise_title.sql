{#-
  normalise_title(expr): the comparable form of a job title.

  plain_text first (entities, typographic dashes and spaces); lower case; `&` -> `and`; punctuation -> space; common abbreviations expanded so that
  "Sr. Software Eng." and "Senior Software Engineer" compare equal:
    sr -> senior, jr -> junior, eng/engr -> engineer, mgr -> manager, dev -> developer,
    sw -> software, ml -> machine learning, assoc -> associate;
  runs of spaces collapsed, trimmed. Seniority words are kept: a senior and a junior role
  at the same company are different jobs. Board noise after the title goes first (twice,
  for a title with two): " - Remote", " (Remote USA)", " | Full Time", " - Contract",
  " - Job ID 48213", " - Req #123": where and how is not what the job is.
-#}
{% macro normalise_title(expr) -%}
    btrim(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(replace({{ _without_title_noise(_without_title_noise("lower(coalesce(" ~ plain_text(expr) ~ ", ''))")) }},
                               '&', ' and '), '[^[:alnum:]]+', ' ', 'g'),
        '\msr\M', 'senior', 'g'), '\mjr\M', 'junior', 'g'), '\meng(r)?\M', 'engineer', 'g'),
        '\mmgr\M', 'manager', 'g'), '\mdev\M', 'developer', 'g'), '\msw\M', 'software', 'g'),
        '\mml\M', 'machine learning', 'g'), '\massoc\M', 'associate', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}

{% macro _without_title_noise(expr) -%}
    regexp_replace({{ expr }},
        '\s*[-|,(/]\s*(remote( usa| us| united states)?|hybrid|on[ -]?site|full[ -]?time|part[ -]?time|contract(or)?'
        '|temporary|job id:? ?[a-z0-9-]+|req(uisition)?( id)?:? ?#? ?[a-z0-9-]+)\s*\)?\s*$', '')
{%- endmacro %}
