"""Nothing secret is committed: every tracked file is scanned for credentials."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What a leaked credential looks like.
PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}"),
    "password in a URL": re.compile(r"\b[a-z+]+://[^\s:/@'\"]+:([^\s@/'\"$<{]{6,})@"),
    "assigned secret": re.compile(
        r"(?i)\b(client_auth_key|password|passwd|secret|api_key|fernet_key)\b\s*[=:]\s*['\"]?([A-Za-z0-9+/_\-]{16,})"),
}
#: Not secrets, and documented as such: the stand-in API's demo account (docs/architecture.md: the stand-in),
#: a test's made-up rotated key, and the official compose file's own metadata-DB login.
ALLOWED = {"c3RhbmQtaW4ta2V5LW5vdC1hLXJlYWwtc2VjcmV0LTAx", "demo_jp_sandbox_0123456789",
           "rotated-key-0000000000000000000000000000000", "airflow"}


def tracked_files() -> list[Path]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in names.decode().split("\0") if name]


def test_no_tracked_file_holds_a_credential() -> None:
    findings = []
    for path in tracked_files():
        if path == Path(__file__):  # its own examples of leaks
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                value = match.group(match.lastindex or 0)
                if value not in ALLOWED:
                    findings.append(f"{path.relative_to(ROOT)}: {kind}: {match.group(0)[:60]}")
    assert findings == []


def test_env_files_are_ignored_and_not_tracked() -> None:
    tracked = {path.name for path in tracked_files()}
    assert ".env" not in tracked and ".env.example" in tracked
    ignored = subprocess.run(["git", "check-ignore", ".env"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0


def test_the_scanner_finds_what_it_looks_for() -> None:
    leaks = ["password = 'hunter2hunter2hunter2'", "postgresql://app:s3cr3t-pass@db:5432/x",
             "-----BEGIN RSA PRIVATE KEY-----", "client_auth_key: Zm9vYmFyYmF6cXV4cXV1eA"]
    for leak in leaks:
        assert any(p.search(leak) for p in PATTERNS.values()), leak
