{#- Documented in _generic_tests__macros.yml. -#}
{% test record_count_matches(model, records_model) %}
    select listings_total, records_total
    from (select coalesce(sum(record_count), 0) as listings_total from {{ model }}) l,
         (select count(*) as records_total from {{ records_model }}) r
    where listings_total <> records_total
{% endtest %}

{% test unique_combination_of_columns(model, columns) %}
    select {{ columns | join(', ') }}, count(*)
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test accepted_range(model, column_name, min_value, max_value) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
