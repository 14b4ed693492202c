{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='record_key',
        indexes=[{'columns': ['block_key', 'post_date']}, {'columns': ['record_key']}, {'columns': ['blocked_at']}],
        post_hook=["{{ delete_records_that_left() }}", "{{ refresh_planner_statistics(['record_key', 'block_key', 'blocked_at']) }}"],
    )
}}
-- depends_on: {{ ref('int_job_records__checked') }}
-- The blocking keys of each record: only records sharing a key (and posted within
-- dedup_max_post_date_gap_days) are compared in int_job_pairs__matched, so the cost grows
-- with block sizes, not with the square of the table. Several keys, so that no pair hangs on
-- one exact value (a record without a company, a placeholder read as missing, has only the
-- opening key: a missing company is no common value):
--   title     same company, state and normalised title (reposts keep the title);
--   word      same company and place and the title's longest word ("ICU Registered Nurse"
--             and "Registered Nurse - ICU"; a reworded title keeps its rarest word);
--   opening   the same opening of the cleaned description (copies of one ad);
--   shingles N  same company and the same (2N-1)-th and 2N-th smallest shingle hashes of
--             the description's sketch, for the first dedup_sketch_blocks such bands: two
--             texts share a given smallest hash with a probability equal to their Jaccard
--             similarity, a band of two with about its square, so copies (0.9: 0.8 per band)
--             meet even when title and opening differ, and same-template siblings (0.6:
--             0.36) mostly do not. A company's boilerplate can still make one key common to
--             many of its postings: int_job_pairs__matched skips shingle keys shared by more
--             than dedup_max_shingle_block_records records (common text is not evidence).
-- Incremental: the records normalised since the last run get their keys again (delete+insert
-- by record); records that left (quarantined) lose theirs (post-hook). When this changes
-- whether a shingle key is common (more records share it than
-- dedup_max_shingle_block_records), every other record holding that key is blocked again
-- too (its keys are unchanged, re-stamped): the pairs found through the key, or skipped
-- because of it, must be scored again, as a full refresh would.
with

records as (

    select * from {{ ref('int_job_records__normalised') }}
    {% if is_incremental() %}
    where normalised_at > {{ last_run_at('blocked_at') }}
    {% endif %}

),

keys as (

    select record_key, post_date, 'title' as block, md5(concat_ws('|', company_norm, coalesce(state_code, ''), title_norm)) as block_key
    from records where company_norm is not null
    union all
    select record_key, post_date, 'word', md5(concat_ws('|', company_norm, coalesce(city_norm, ''), coalesce(state_code, ''),
        (select word from regexp_split_to_table(records.title_norm, ' ') as word order by length(word) desc, word limit 1)))
    from records where company_norm is not null
    union all
    select record_key, post_date, 'opening', md5(left(description_words, 120))
    from records where length(description_words) >= 40
    union all
    select record_key, post_date, 'shingles ' || band,
           md5(concat_ws('|', company_norm, band, description_sketch[2 * band - 1], description_sketch[2 * band]))
    from records, generate_series(1, {{ var('dedup_sketch_blocks') }}) as band
    where cardinality(description_sketch) >= 2 * band and company_norm is not null
)

{% if is_incremental() %}
,

leaving as (

    select record_key from records
    union
    select record_key from ({{ records_that_left() }}) as left_valid

),

-- the shingle keys this run adds or takes records from, counted before and after it
shingle_counts as (

    select block_key, 0 as records_before, 1 as records_after from keys where block like 'shingles %'
    union all
    select blocked_before.block_key, 1, case when blocked_before.record_key in (select leaving.record_key from leaving) then 0 else 1 end
    from {{ this }} as blocked_before
    where blocked_before.block like 'shingles %'
      and blocked_before.block_key in (select keys.block_key from keys where keys.block like 'shingles %'
                                 union
                                 select shingle.block_key from {{ this }} as shingle
                                 where shingle.block like 'shingles %'
                                   and shingle.record_key in (select leaving.record_key from leaving))

),

now_or_no_longer_common as (

    select block_key from shingle_counts
    group by block_key
    having (sum(records_before) > {{ var('dedup_max_shingle_block_records') }})
        <> (sum(records_after) > {{ var('dedup_max_shingle_block_records') }})

),

restamped as (

    select blocked_before.record_key, blocked_before.post_date, blocked_before.block, blocked_before.block_key from {{ this }} as blocked_before
    where blocked_before.record_key in (select shingle.record_key from {{ this }} as shingle
                                  where shingle.block_key in (select changed.block_key from now_or_no_longer_common as changed))
      and blocked_before.record_key not in (select leaving.record_key from leaving)

)
{% endif %}

select record_key, post_date, block, block_key, current_timestamp as blocked_at
from keys
{% if is_incremental() %}
union all
select record_key, post_date, block, block_key, current_timestamp
from restamped
{% endif %}
