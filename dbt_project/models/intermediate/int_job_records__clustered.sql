{{
    config(
        materialized='incremental',
        unique_key='record_key',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['record_key'], 'unique': true}, {'columns': ['cluster_key']},
                 {'columns': ['component_key']}, {'columns': ['job_listing_id']}, {'columns': ['clustered_at']}],
        post_hook=["{{ refresh_planner_statistics(['record_key', 'component_key', 'clustered_at']) }}"],
    )
}}
-- depends_on: {{ ref('int_job_records__checked') }}, {{ ref('int_job_records__blocks') }}
-- Each record's job. The matched pairs (decision 'match') link records into connected
-- components; a component is then split into jobs by rules that hold for the job as a
-- whole, so that no record can chain others into one job, whichever record it is:
--   place   a job is in one place. A record with one city (not remote, not multi-city) is
--           an anchor in that city ("tampa fl" is "tampa"; "new york city" is "new york"
--           when both are in the component) and state. A component with anchors in several
--           places is that many jobs; a record without a place of its own (remote, a
--           multi-city listing, no city) joins the place of the anchor it matched most
--           strongly (the highest match score; a remote record that names a city, that
--           city's when it matched it), and its matches with the others stay
--           visible, unmerged, in marts.job_listing_matches. Whatever record has the most
--           matches, a "(Remote)" copy of a job posted in five cities leaves five jobs.
--   centre  within a place, the record with the most matches there (then the smallest key)
--           is the centre; a record stays in the job only if it matched the centre or is,
--           by the pair rule's own tests, the same job as the centre (same company, same
--           place and terms, a title as similar). A record that fails the check is a job
--           of its own.
-- The job is named by its first record (the earliest first_seen_at, then the smallest key;
-- its id in the marts is that key's md5), so a job keeps its id when later records join it:
-- the legacy scraper's jobs keep theirs when JobsPikr's copies arrive, whatever the flags.
-- Incremental: only the components that can have changed are walked again: those of records
-- blocked since the last run (normalised, or holding a shingle key whose commonness
-- changed: their pairs were scored again), of pairs matched since then, of records
-- quarantined since, and the components those records were in before (a record whose pair
-- was dropped may leave its old job).
-- Components are small (a job's postings), so each walk is cheap. previous_job_listing_id
-- keeps the job a record was in before this run, so the marts can drop jobs left empty.
with recursive

records as not materialized (

    select record_key, normalised_at, first_seen_at, company_norm, title_norm, city_norm, city_norms, state_code,
           is_remote_job, job_type, salary_min, salary_period
    from {{ ref('int_job_records__normalised') }}

),

pairs as not materialized (

    select left_key, right_key, matched_at, match_score as strength
    from {{ ref('int_job_pairs__matched') }} where decision = 'match'

),

{% if is_incremental() %}
{% set since = last_run_at('clustered_at') %}
touched as (

    select record_key from records where normalised_at > {{ since }}
    union
    select record_key from {{ ref('int_job_records__blocks') }} where blocked_at > {{ since }}
    union
    select left_key from pairs where matched_at > {{ since }}
    union
    select right_key from pairs where matched_at > {{ since }}
    union
    -- a record that left: the rest of its job is walked again without it
    select record_key from ({{ records_that_left(since=since) }}) as left_valid

),

seeds as (

    select record_key from touched
    union
    select earlier_job.record_key
    from {{ this }} as earlier
    inner join {{ this }} as earlier_job using (component_key)
    where earlier.record_key in (select touched.record_key from touched)

),
{% endif %}

edges as (

    select left_key as node, right_key as neighbour, strength from pairs
    union all
    select right_key, left_key, strength from pairs

),

{% if not is_incremental() %}
-- A full refresh walks only the records with a match: every other record is a job of its own
-- (see singletons), without a walk, a degree or a check.
seeds as (

    select distinct node as record_key from edges

),
{% endif %}

walk (seed, node) as (

    select record_key, record_key from seeds
    union
    select walk.seed, edges.neighbour from walk inner join edges on walk.node = edges.node

),

components as (

    select seed, min(node) as component_key from walk group by seed

),

members as (

    select
        components.seed,
        components.component_key,
        not member.is_remote_job and cardinality(member.city_norms) = 1 as is_anchor,
        regexp_replace(member.city_norm, ' [a-z]{2}$', '') as city_key,
        member.state_code
    from components
    inner join records as member on components.seed = member.record_key

),

-- each anchor's place: its city, as the shortest form another anchor of the component
-- writes it ("new york" for "new york city"), and its state, else the state another anchor
-- gives the same city
anchored as (

    select
        anchor.seed,
        anchor.component_key,
        city.place_city,
        concat_ws('|', city.place_city,
                  coalesce(anchor.state_code, max(anchor.state_code) over (partition by anchor.component_key, city.place_city))
        ) as place
    from members as anchor
    cross join lateral (
        select min(other.city_key) as place_city from members as other
        where other.component_key = anchor.component_key and other.is_anchor
          and (anchor.city_key = other.city_key or anchor.city_key like other.city_key || ' %')
    ) as city
    where anchor.is_anchor

),

places as (

    select component_key, count(distinct place) as place_count, min(place) as only_place
    from anchored group by component_key

),

placed as (

    select
        members.seed,
        members.component_key,
        case
            when members.is_anchor then anchored.place
            when coalesce(places.place_count, 0) <= 1 then coalesce(places.only_place, '')
            -- no place of its own: the place of the anchor it matched most strongly
            -- (a remote record that still names a city, in that city's place first)
            else coalesce((select strongest.place from edges
                           inner join anchored as strongest on edges.neighbour = strongest.seed
                           where edges.node = members.seed
                           order by strongest.place_city = members.city_key desc nulls last,
                                    edges.strength desc nulls last, strongest.place asc limit 1), 'unplaced')
        end as place
    from members
    left join anchored using (seed)
    left join places on members.component_key = places.component_key

),

degrees as (

    select placed.seed, placed.component_key, placed.place, count(neighbour.seed) as degree
    from placed
    left join edges on placed.seed = edges.node
    left join placed as neighbour
        on edges.neighbour = neighbour.seed and placed.place = neighbour.place
    group by placed.seed, placed.component_key, placed.place

),

centres as (

    select distinct on (component_key, place) component_key, place, seed as centre_key
    from degrees
    order by component_key asc, place asc, degree desc, seed asc

),

checked as (

    select
        placed.seed,
        placed.component_key,
        placed.place,
        member.first_seen_at,
        placed.seed = centres.centre_key
        or exists (select from pairs
                   where pairs.left_key = least(placed.seed, centres.centre_key)
                     and pairs.right_key = greatest(placed.seed, centres.centre_key))
        or (member.company_norm = centre.company_norm
            and {{ same_place('member', 'centre') }}
            and {{ same_terms('member', 'centre') }}
            and similarity(member.title_norm, centre.title_norm) >= {{ var('dedup_title_similarity') }}) as in_job
    from placed
    inner join centres using (component_key, place)
    inner join records as member on placed.seed = member.record_key
    inner join records as centre on centres.centre_key = centre.record_key

),

clusters as (

    select
        seed,
        component_key,
        case when in_job then first_value(seed) over (partition by component_key, place
                                                      order by in_job desc, first_seen_at asc, seed asc)
             else seed end as cluster_key
    from checked

)

select
    clusters.seed                   as record_key,
    clusters.cluster_key,
    clusters.component_key,
    md5(clusters.cluster_key)       as job_listing_id,
    {% if is_incremental() %}
    earlier.job_listing_id          as previous_job_listing_id,
    {% else %}
    null::text                      as previous_job_listing_id,
    {% endif %}
    current_timestamp               as clustered_at
from clusters
{% if is_incremental() %}
left join {{ this }} as earlier on clusters.seed = earlier.record_key
{% else %}
union all
select
    record_key,
    record_key,
    record_key,
    md5(record_key),
    null::text,
    current_timestamp
from records
where record_key not in (select seeds.record_key from seeds)
{% endif %}
