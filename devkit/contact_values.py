"""Generated text for the personal data policy's patterns: contact values as people write
them, and the numbers of a job ad that are not contact values (unit and SQL tests share them)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

digits = st.text(alphabet="0123456789", min_size=1)
#: Text around a value: words and punctuation, never a digit or an @ (which could be one).
prose = st.text(alphabet="abcdefghij XYZ,;:!?", max_size=20)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """Phone numbers as people write them: +country code and 10-15 digits in groups, or the
    (555) 010-2030 / 555-010-2030 / 555.010.2030 shape."""
    if draw(st.booleans()):
        area, exchange, line = (draw(st.text(alphabet="0123456789", min_size=n, max_size=n)) for n in (3, 3, 4))
        sep = draw(st.sampled_from("-. "))
        return draw(st.sampled_from([f"({area}) {exchange}-{line}", f"({area}){exchange}-{line}",
                                     f"{area}{sep}{exchange}{sep}{line}"]))
    number = draw(st.text(alphabet="0123456789", min_size=10, max_size=15))
    cut = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=4)))
    groups = [number[a:b] for a, b in zip([0, *cut], [*cut, len(number)], strict=True)]
    out = f"+{groups[0]}"
    for index, group in enumerate(groups[1:]):
        sep = draw(st.sampled_from([" ", "-", ".", ""]))
        # an area code in brackets is followed by the rest of the number: "+44 (20) 7946 0958"
        bracketed = index == 0 and len(groups) > 2 and draw(st.booleans())
        out += f"{sep}({group})" if bracketed else f"{sep}{group}"
    return out


@st.composite
def email_addresses(draw: st.DrawFn) -> str:
    label = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-", min_size=1, max_size=12)
    local = draw(st.text(alphabet="abcxyzABC0123456789._%+-", min_size=1, max_size=20).filter(
        lambda s: s[0].isalnum()))
    domain = ".".join(draw(st.lists(label, min_size=1, max_size=3)))
    return f"{local}@{domain}.{draw(st.sampled_from(['com', 'io', 'co.uk', 'ORG']))}"


@st.composite
def numbers_of_a_job_ad(draw: st.DrawFn) -> str:
    """What a job ad's numbers look like: salary ranges, dates, ids, pseudonyms."""
    amount = st.integers(1, 999_999)
    low, high = draw(amount), draw(amount)
    day = draw(st.dates(date(1990, 1, 1), date(2040, 12, 31)))
    return draw(st.sampled_from([
        f"{low}-{high}", f"{low} - {high}", f"${low:,}-${high:,}", f"${low:,} - ${high:,} a year",
        f"{low // 1000}k-{high // 1000}k", day.isoformat(), day.strftime("%m/%d/%Y"), day.strftime("%d.%m.%Y"),
        day.strftime("%Y%m%d"), f"{day:%Y-%m-%d}T10:30:00Z", draw(digits), f"#{draw(digits)}",
        draw(st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)),
        "hmac:" + draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
        f"{draw(digits)}-{draw(digits)}", f"{low}/{high}", "user@localhost", "@handle"]))


#: Anything a posting's text may be: prose around contact values and a job ad's numbers.
posting_texts = st.lists(st.one_of(prose, phone_numbers(), email_addresses(), numbers_of_a_job_ad(),
                                   st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                                           max_size=30)),
                         max_size=8).map(" ".join)
