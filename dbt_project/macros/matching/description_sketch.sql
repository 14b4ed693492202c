{#- Documented in _matching__macros.yml. -#}
{% macro description_sketch(words_expr) -%}
    (select array(
        select distinct hashes[i] # (hashes[i + 1] << 7) # (hashes[i + 2] << 14) # (hashes[i + 3] << 21) as shingle
        -- offset 0: hash the words once, not once per shingle (the planner would inline them)
        from (select array(select hashtext(word) from unnest(string_to_array({{ words_expr }}, ' ')) as word) as hashes
              offset 0) as words,
             generate_series(1, cardinality(hashes) - 3) as i
        order by shingle
        limit {{ var('dedup_sketch_size') }}) as sketch
     offset 0)
{%- endmacro %}

{% macro sketch_similarity(a, b) -%}
    coalesce((select count(*) filter (where shingle = any({{ a }}) and shingle = any({{ b }}))::numeric
                     / nullif(count(*), 0)
              from (select shingle from unnest({{ a }} || {{ b }}) as shingle
                    group by shingle order by shingle limit {{ var('dedup_sketch_size') }}) as smallest), 0)
{%- endmacro %}
