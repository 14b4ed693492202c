"""Run the stand-in API on its own: ``python -m standin_api --port 8765 --records 5000``."""

from __future__ import annotations

import argparse
import time
from datetime import date

from standin_api import Account, Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=14, help="post dates spread over this many days")
    parser.add_argument("--anchor", type=date.fromisoformat, default=date.today(),
                        help="latest post date (YYYY-MM-DD), default today")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--credits", type=int, default=1_000_000, help="the account's job credits")
    parser.add_argument("--max-page-size", type=int, default=100,
                        help="the most records a page holds, whatever size is asked (default 100)")
    parser.add_argument("--no-next-cursor-on-last-page", action="store_true",
                        help="the last page of a query has no next_cursor (the default sends one)")
    parser.add_argument("--empty-first-answer", action="store_true",
                        help="the first answer to every query is empty and looks like the end (a glitch)")
    parser.add_argument("--preload", action="store_true",
                        help="generate and encode every record at start-up (fast pages; ~2.5 KB/record)")
    parser.add_argument("--real-rows", action="store_true",
                        help="serve records of the real rows' size and shape (../shared's export, ~10 KB each)")
    parser.add_argument("--real-quirks", action="store_true",
                        help="serve the real API's quirks: placeholders, 'A|B' cities, duplicate flags, "
                             "extra fields, nulls and left-out keys (standin_api/quirks.py)")
    args = parser.parse_args()
    catalogue = Catalogue(seed=args.seed, size=args.records, anchor=args.anchor, days=args.days,
                          real_rows=args.real_rows, real_quirks=args.real_quirks)
    config = StandinConfig(catalogue=catalogue, latency_ms=args.latency_ms, max_page_size=args.max_page_size,
                           next_cursor_on_last_page=not args.no_next_cursor_on_last_page)
    faults = FaultPlan(first_of_each_query=Fault("glitch_empty")) if args.empty_first_answer else None
    server = StandinServer(config, Account(credits=args.credits), host=args.host, port=args.port,
                           faults=faults, preload=args.preload)
    with server:
        account = server.account
        print(f"JobsPikr stand-in on {server.url} (client_id={account.client_id})", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
