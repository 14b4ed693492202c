{#- Documented in _normalise__macros.yml. -#}
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
