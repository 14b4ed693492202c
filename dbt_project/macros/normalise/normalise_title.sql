{#-
  normalise_title(expr): the comparable form of a job title.

  lower case; `&` -> `and`; punctuation -> space; common abbreviations expanded so that
  "Sr. Software Eng." and "Senior Software Engineer" compare equal:
    sr -> senior, jr -> junior, eng/engr -> engineer, mgr -> manager, dev -> developer,
    sw -> software, ml -> machine learning, assoc -> associate;
  runs of spaces collapsed, trimmed. Seniority words are kept: a senior and a junior role
  at the same company are different jobs.
-#}
{% macro normalise_title(expr) -%}
    btrim(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(replace(lower(coalesce({{ expr }}, '')), '&', ' and '), '[^a-z0-9]+', ' ', 'g'),
        '\msr\M', 'senior', 'g'), '\mjr\M', 'junior', 'g'), '\meng(r)?\M', 'engineer', 'g'),
        '\mmgr\M', 'manager', 'g'), '\mdev\M', 'developer', 'g'), '\msw\M', 'software', 'g'),
        '\mml\M', 'machine learning', 'g'), '\massoc\M', 'associate', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}
