-- Each record's job: the connected component of the matched pairs it belongs to, named by
-- its smallest record key. Records in no pair are a job of their own. Components are small
-- (a job's postings), so the label propagation below is cheap.
with recursive

edges as (

    select left_key as node, right_key as neighbour from {{ ref('int_job_pairs__matched') }}
    union all
    select right_key, left_key from {{ ref('int_job_pairs__matched') }}

),

walk (node, label) as (

    select node, node from edges
    union
    select e.neighbour, w.label from walk w join edges e on e.node = w.node

),

components as (

    select node as record_key, min(label) as cluster_key from walk group by node

)

select
    r.record_key,
    coalesce(c.cluster_key, r.record_key) as cluster_key
from {{ ref('int_job_records__normalised') }} r
left join components c using (record_key)
