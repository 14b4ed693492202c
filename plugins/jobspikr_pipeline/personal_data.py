"""Personal data: recruiters' e-mail addresses and phone numbers, handled by one policy
wherever they are, in JobsPikr's contact fields or in any source's free text.

The policy is the ``personal_data`` var in ``dbt_project.yml`` (read here, by the legacy
staging model's ``scrub_personal_data`` macro and by dbt's
``assert_raw_holds_no_personal_data_in_the_clear`` test): for each field ``keep``, ``hash``
or ``drop``; the pattern that finds the field's values in free text and the marker a
removed one becomes; each source's free-text fields; what retention empties and when.

- **At landing** (``PersonalDataPolicy.apply``, called by the loader on every record and
  reject before anything is written): ``hash`` replaces the value with a keyed pseudonym
  (``hmac:`` + HMAC-SHA256 of the normalised value, key ``JOBSPIKR_PERSONAL_DATA_KEY``), so
  the same person can still be counted and joined, but not read back; ``drop`` removes the
  field. Every value the patterns find in the record's free text (and the record's own
  contact values, however written) is handled by the same action: replaced by the same
  pseudonym, or by the field's marker. No table, log or lineage event ever holds what the
  policy does not keep.
- **The legacy scraper's text** is not ours to change in raw: its staging model applies the
  same patterns (``macros/personal_data/scrub_personal_data.sql``), so nothing past staging holds a value
  in the clear. The key never enters SQL (view definitions are readable by every role, and
  dbt logs its SQL), so there ``hash`` removes the value as ``drop`` does.
- **Retention** (``personal_data_retention.apply_retention``, a DAG task): record versions last seen more than
  ``retention_days`` ago, in raw and in the archive, lose their personal and free-text
  fields; the rest of the row (ids, dates, the fields the marts and history read) stays.
  The history snapshots' versions that ended (or, still current, were captured) that long
  ago lose their free text.
- **Erasure** (``personal_data_erasure.forget``, ``./pipeline forget``): every row in the warehouse holding a
  person's value, in the clear or as its pseudonym, is masked in one transaction, with an
  audit row that never holds the value; the caller then rebuilds the marts from raw.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from jobspikr.errors import JobsPikrConfigError
from jobspikr_pipeline.project_vars import project_var

Action = Literal["keep", "hash", "drop"]
KEY_VARIABLE = "JOBSPIKR_PERSONAL_DATA_KEY"
#: What an erased value becomes, wherever it was.
#: Schemas ``forget`` never touches: the database's own.


@dataclass(frozen=True)
class InText:
    """How a personal field's values are found in free text, and what a removed one becomes."""

    pattern: re.Pattern[str]
    marker: str


@dataclass(frozen=True)
class PersonalDataPolicy:
    """What happens to each personal field, in its own field and in the free text
    (``text_fields``, JobsPikr's); ``key`` signs the pseudonyms of ``hash``."""

    fields: Mapping[str, Action]
    in_text: Mapping[str, InText] = field(default_factory=dict)
    text_fields: tuple[str, ...] = ()
    free_text_fields: tuple[str, ...] = ()
    snapshot_free_text_columns: tuple[str, ...] = ()
    retention_days: int = 365
    key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name, action in self.fields.items():
            if action not in ("keep", "hash", "drop"):
                raise JobsPikrConfigError(f"personal_data.fields.{name} is {action!r}: use keep, hash or drop")
        if "hash" in self.fields.values() and not self.key:
            hashed = ", ".join(n for n, a in self.fields.items() if a == "hash")
            raise JobsPikrConfigError(
                f"the personal data policy hashes {hashed} but {KEY_VARIABLE} is not set: set it to a long "
                "random secret (the same one on every worker, kept like a password)")
        if unknown := set(self.in_text) - set(self.fields):
            raise JobsPikrConfigError(f"personal_data.in_text names {', '.join(sorted(unknown))}, not a field")
        if self.retention_days < 1:
            raise JobsPikrConfigError(f"personal_data.retention_days is {self.retention_days}: at least 1")

    @classmethod
    def configured(cls) -> PersonalDataPolicy:
        """The policy in ``dbt_project.yml`` with the key from the environment."""
        settings = _configured_settings()
        key = os.environ.get(KEY_VARIABLE)
        return cls(fields=settings["fields"],
                   in_text=configured_in_text(),
                   text_fields=tuple(settings.get("text_fields", {}).get("jobspikr", ())),
                   free_text_fields=tuple(settings.get("free_text_fields", ())),
                   snapshot_free_text_columns=tuple(settings.get("snapshot_free_text_columns", ())),
                   retention_days=int(settings.get("retention_days", 365)), key=key.encode() if key else None)

    def apply(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` as it may be stored: each personal field kept, pseudonymised or removed,
        and its values in the record's free text handled alike (``scrub``)."""
        present = [name for name, action in self.fields.items() if name in record and (
            action == "drop" or (action == "hash" and _in_the_clear(record[name])))]
        own = {name: record[name].strip() for name in self.fields
               if isinstance(record.get(name), str) and _names_a_contact(record[name])}
        texts = {name: self.scrub(record[name], own) for name in self.text_fields
                 if isinstance(record.get(name), str)}
        changed = {name: text for name, text in texts.items() if text != record[name]}
        # Most records hold no contact value: they pass as they are, without a copy (this
        # runs on every record the loader lands).
        if not present and not changed:
            return record
        out = {**record, **changed}
        for name in present:
            if self.fields[name] == "drop":
                del out[name]
            else:
                out[name] = self.pseudonym(name, str(out[name]))
        return out

    def scrub(self, text: str, own: Mapping[str, str] | None = None) -> str:
        """``text`` with every value of a personal field that is not kept replaced: its
        pseudonym where the field is hashed, else the field's marker. Values are found by the
        field's pattern, and (``own``: the record's contact values) as written."""
        for name, rule in self.in_text.items():
            if self.fields[name] == "keep":
                continue
            text = rule.pattern.sub(self._replacement(name), text)
            if own and name in own:
                text = re.compile(re.escape(own[name]), re.IGNORECASE).sub(self._replacement(name), text)
        return text

    def _replacement(self, name: str) -> Callable[[re.Match[str]], str]:
        """What a value of ``name`` found in text becomes: its pseudonym, or the field's marker."""
        if self.fields[name] == "hash":
            return lambda match: self.pseudonym(name, match.group())
        marker = self.in_text[name].marker
        return lambda _match: marker

    def pseudonym(self, name: str, value: str) -> str:
        """The keyed pseudonym of ``value`` (normalised first: case, spaces, phone punctuation)."""
        assert self.key is not None
        digest = hmac.new(self.key, f"{name}:{normalise(name, value)}".encode(), hashlib.sha256).hexdigest()
        return f"hmac:{digest}"

    def stored_forms(self, name: str, value: str) -> list[str]:
        """What the warehouse may hold for ``value`` in field ``name``: the value as given
        (in free text, or kept), and its pseudonym where the field is hashed."""
        forms = [value.strip()]
        if self.fields.get(name) == "hash":
            forms.append(self.pseudonym(name, value))
        return forms


def normalise(name: str, value: str) -> str:
    """One spelling per person: emails lower-cased, phone numbers reduced to their digits."""
    value = value.strip()
    return re.sub(r"\D", "", value) if "phone" in name else value.lower()


def _names_a_contact(value: str) -> bool:
    """A contact field's value worth looking for in the text as written: not a placeholder
    ("N/A", "Confidential", which descriptions use as words) but an address or a number."""
    return _in_the_clear(value.strip()) and re.search(r"[0-9@]", value) is not None


def _in_the_clear(value: Any) -> bool:
    """A contact value not yet pseudonymised (nor empty)."""
    return value not in (None, "") and not _is_pseudonym(value)


def _is_pseudonym(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"hmac:[0-9a-f]{64}", value) is not None


def configured_in_text() -> dict[str, InText]:
    """The policy's patterns and markers, as ``dbt_project.yml`` sets them (SQL reads the same)."""
    return {name: InText(re.compile(rule["pattern"]), rule["marker"])
            for name, rule in _configured_settings().get("in_text", {}).items()}


def _configured_settings() -> dict[str, Any]:
    return project_var("personal_data")
