{#- Use a model's custom schema as is (`staging`, `marts`), not prefixed with the target's
    schema: BI tools and grants refer to these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
