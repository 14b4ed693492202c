"""A faithful local stand-in for the JobsPikr job-data API (``POST /v2/data``).

Shared by the demo (``./pipeline run``), the tests and the benchmarks, so all three
exercise the same HTTP behaviour the real API has.
"""

from standin_api.generator import RECORD_FIELDS, Catalogue
from standin_api.server import Account, StandinConfig, StandinServer

__all__ = ["RECORD_FIELDS", "Account", "Catalogue", "StandinConfig", "StandinServer"]
