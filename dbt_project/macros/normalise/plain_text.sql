{#- Documented in _normalise__macros.yml. -#}
{% macro plain_text(expr) -%}
    translate(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        -- first, and twice, so that a twice-escaped entity ("&amp;amp;", "&amp;nbsp;") is read too
        regexp_replace(regexp_replace({{ expr }}, '&(amp|#38|#x26);', '&', 'gi'), '&(amp|#38|#x26);', '&', 'gi'),
        '&(nbsp|#160|#xa0|ensp|emsp|thinsp);', ' ', 'gi'),
        '&(ndash|mdash|#821[12]|#x201[34]);', '-', 'gi'),
        '&(#39|#x27|apos|rsquo|lsquo|#821[67]);', '''', 'gi'),
        '&(quot|ldquo|rdquo|#34|#822[01]);', '"', 'gi'),
        '&(lt|gt|#60|#62);', ' ', 'gi'),
        '&(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});', ' ', 'gi'),
        -- unusual spaces, dashes and quotes as their ASCII form
        U&'\00A0\2002\2003\2007\2009\200A\202F\2010\2011\2012\2013\2014\2015\2212\2018\2019\201C\201D',
        '       -------''''""')
{%- endmacro %}
