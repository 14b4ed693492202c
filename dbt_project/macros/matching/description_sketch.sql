{#-
  description_sketch(words_expr): a bottom-k MinHash sketch of a description: the
  `dedup_sketch_size` smallest distinct hashes of its 4-word shingles. Two texts' sketches
  estimate the Jaccard similarity of their whole shingle sets (sketch_similarity), so the
  whole text can be compared, and blocked on (its smallest hashes), without comparing texts:
  a copy whose opening differs (another board's header, a requisition number first) still
  agrees on the body. Texts shorter than four words have no sketch (null).
  Cost: one hash per word, one sort per record (bottom-k needs one pass, where k separate
  MinHash functions would need k aggregates per shingle, several times the work).
  Each word is hashed once into an int4 array (fixed width: element access is O(1), where
  slicing a text array is not) and a shingle's hash combines its four words'.

  sketch_similarity(a, b): the estimated Jaccard similarity: of the k smallest hashes of
  both sketches together, the share found in both; 0 when either is null.
-#}
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
