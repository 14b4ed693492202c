"""Which JobsPikr host the next request goes to.

JobsPikr names a backup host for persistent outages. A run starts on the primary and
moves to the backup after ``failover_after`` failures in a row there, for the rest of the
run (the hook is built per task run, so the next run tries the primary again). One
success on the primary resets the count: a passing glitch is not an outage.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class HostFailover:
    def __init__(self, primary: str, backup: str | None, *, failover_after: int) -> None:
        self.primary = primary
        self.backup = backup
        self.failover_after = failover_after
        self.active = primary
        self._primary_failures = 0

    def failed(self) -> None:
        """A request to the active host failed in a way worth repeating."""
        if self.active != self.primary:
            return
        self._primary_failures += 1
        if self.backup and self._primary_failures >= self.failover_after:
            log.warning("JobsPikr primary host %s failed %d times in a row; failing over to backup host %s "
                        "for the rest of this run", self.primary, self._primary_failures, self.backup)
            self.active = self.backup

    def succeeded(self, host: str) -> None:
        if host == self.primary:
            self._primary_failures = 0
