"""Child process (run with ``.venv-bench``): draw ``scaling.json`` as ``scaling.png``:
time against N on log-log axes (a straight line of slope 1 is linear growth), and the
load's peak RSS against N, on the stand-in's records and on real-size ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt

SERIES = (("load_seconds", "extract + load"), ("full", "dbt full refresh"),
          ("incremental", "dbt incremental (+1%)"), ("grouping", "near-duplicate grouping"))


def main(figures_path: str, chart_path: str) -> None:
    rows = json.loads(Path(figures_path).read_text())
    sizes = [r["records"] for r in rows]
    fig, (times, memory) = plt.subplots(1, 2, figsize=(12, 4.8))
    for key, label in SERIES:
        times.plot(sizes, [r[key] for r in rows], marker="o", label=label)
    real = [r for r in rows if "real_load_seconds" in r]
    if real:
        times.plot([r["records"] for r in real], [r["real_load_seconds"] for r in real], marker="s",
                   linestyle="--", label="extract + load (real-size records)")
    times.plot(sizes, [rows[0]["full"] * n / sizes[0] for n in sizes], linestyle=":", color="grey",
               label="linear (from dbt full refresh)")
    times.set(xscale="log", yscale="log", xlabel="raw rows (N)", ylabel="seconds", title="Time against N")
    times.legend(fontsize=8)
    times.grid(True, which="both", alpha=0.3)
    memory.plot(sizes, [r["load_rss_mb"] for r in rows], marker="o", color="tab:purple", label="stand-in's records")
    if real:
        memory.plot([r["records"] for r in real], [r["real_load_rss_mb"] for r in real], marker="s",
                    linestyle="--", color="tab:brown", label="real-size records")
    memory.set(xscale="log", xlabel="raw rows (N)", ylabel="MB", title="Extract + load: peak RSS",
               ylim=(0, max(max(r["load_rss_mb"], r.get("real_load_rss_mb", 0)) for r in rows) * 1.3))
    memory.legend(fontsize=8)
    memory.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(chart_path, dpi=110)
    print(json.dumps({"chart": chart_path}))


if __name__ == "__main__":
    main(*sys.argv[1:])
