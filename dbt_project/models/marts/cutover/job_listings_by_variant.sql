{{ config(materialized='view') }}
-- The jobs each A/B variant serves, built by the same rule as job_listings from that
-- variant's sources only: `combined` (JobsPikr and legacy), `jobspikr_only`, `legacy_only`.
-- A consumer reads its variant (consumer_variants.variant), e.g.
--   select * from marts.job_listings_by_variant where variant = 'jobspikr_only'
-- A view: a filter on `variant` computes that variant alone. The served mart job_listings
-- stays the one to read outside the A/B test.
{% set variants = {'combined': ['jobspikr', 'legacy'], 'jobspikr_only': ['jobspikr'], 'legacy_only': ['legacy']} %}
{% for variant, sources in variants.items() %}
{%- set records -%}
    (select * from {{ ref('int_job_records__assigned') }} where source in ('{{ sources | join("', '") }}'))
{%- endset %}
select '{{ variant }}'::text as variant, listings.*
from ({{ job_listing_rows(records) }}) as listings
{% if not loop.last %}union all{% endif %}
{% endfor %}
