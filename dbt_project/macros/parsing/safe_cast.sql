{#- Casts that yield null instead of failing the model on a value of the wrong type
    (schema drift: a field that was a number arrives as text, a boolean as "yes"). Digits
    are written [0-9]: a regex's \d also matches other scripts' digits, which a cast
    rejects; a number is at most 30 digits each side of the point (numeric's own limit is
    far larger, and a longer "number" is not one). -#}
{% macro safe_numeric(expr) -%}
    case when btrim({{ expr }}) ~ '^-?[0-9]{1,30}(\.[0-9]{1,30})?$' then btrim({{ expr }})::numeric end
{%- endmacro %}

{% macro safe_boolean(expr) -%}
    case
        when lower(btrim({{ expr }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(btrim({{ expr }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}

