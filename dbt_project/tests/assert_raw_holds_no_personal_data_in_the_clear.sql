-- The personal data policy (var personal_data) holds in every table that keeps whole
-- records: a hashed field holds only pseudonyms (or [erased]), a dropped field is absent.
-- Rows returned are failures: the table, the field and how many rows break the policy.
{%- set policy = var('personal_data') %}
{%- set tables = [(source('jobspikr', 'jobspikr_jobs'), 'payload'),
                  (source('jobspikr', 'jobspikr_jobs_archive'), 'payload'),
                  (source('jobspikr', 'jobspikr_rejects'), 'record')] %}
{%- set checks = [] %}
{%- for relation, column in tables %}
  {%- for field, action in policy['fields'].items() if action != 'keep' %}
    {%- do checks.append((relation, column, field, action)) %}
  {%- endfor %}
{%- endfor %}

{%- for relation, column, field, action in checks %}
select '{{ relation }}' as relation, '{{ field }}' as field, count(*) as rows_breaking_the_policy
from {{ relation }}
where jsonb_typeof({{ column }}) = 'object'
  and {% if action == 'drop' -%}
      {{ column }} ? '{{ field }}'
  {%- else -%}
      nullif({{ column }} ->> '{{ field }}', '') !~ '^(hmac:[0-9a-f]{64}|\[erased\])$'
  {%- endif %}
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- if not checks %}
select null::text as relation, null::text as field, 0 as rows_breaking_the_policy where false
{%- endif %}
