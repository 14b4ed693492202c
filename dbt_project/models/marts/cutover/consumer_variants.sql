-- Each consumer's A/B variant: the sources it is served, from its bucket and the rollout
-- percentages in `source_flags`. The same consumer keeps its variant from run to run until
-- a percentage changes; raising a percentage only adds consumers to a source's range.
with

consumers as (

    select consumer_id, kind, {{ consumer_bucket('consumer_id') }} as bucket
    from {{ ref('consumers') }}

),

served as (

    select
        consumers.consumer_id,
        array_agg(flags.source order by flags.source)
            filter (where {{ serves_bucket('flags', 'consumers.bucket') }}) as sources
    from consumers
    cross join {{ ref('source_flags') }} as flags
    group by consumers.consumer_id

)

select
    consumers.consumer_id,
    consumers.kind,
    consumers.bucket,
    coalesce(served.sources, array[]::text[])               as sources,
    case
        when served.sources = array['jobspikr', 'legacy'] then 'combined'
        when served.sources = array['jobspikr'] then 'jobspikr_only'
        when served.sources = array['legacy'] then 'legacy_only'
        else 'none'
    end::text                                                as variant,
    current_timestamp                                        as assigned_at
from consumers
inner join served using (consumer_id)
