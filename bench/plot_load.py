"""Child process (run with ``.venv-bench``): draw ``load.json`` as ``load.png``: each
path's rows/s as a share of ``COPY``'s, per record shape and N, and the project path's peak
RSS split into what the process held before the load (imports) and what the load added."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt

PATHS = (("project", "this project"), ("dlt", "dlt rest_api"))


def main(figures_path: str, chart_path: str) -> None:
    rows = json.loads(Path(figures_path).read_text())
    labels = [f"{r['shape']}\nN={int(r['records']):,}" for r in rows]
    x = range(len(rows))
    fig, (speed, memory) = plt.subplots(1, 2, figsize=(12, 4.8))
    width = 0.38
    for offset, (path, label) in zip((-width / 2, width / 2), PATHS, strict=True):
        shares = [r[f"{path}_rows_s"] / r["copy_rows_s"] for r in rows]
        bars = speed.bar([i + offset for i in x], shares, width, label=label)
        speed.bar_label(bars, fmt="%.2f", fontsize=8)
    speed.axhline(1.0, color="grey", linestyle=":", label="COPY of the same rows (limit)")
    speed.set(xticks=list(x), xticklabels=labels, ylabel="rows/s as a share of COPY's",
              title="Landing speed against COPY", ylim=(0, 1.2))
    speed.legend(fontsize=8)
    imports = [r["project_rss_mb"] - r["project_own_rss_mb"] for r in rows]
    own = [r["project_own_rss_mb"] for r in rows]
    memory.bar(x, imports, label="before the load (Python, Airflow, the project)", color="tab:grey")
    bars = memory.bar(x, own, bottom=imports, label="added by the load", color="tab:purple")
    memory.bar_label(bars, labels=[f"{r['project_rss_mb']:.0f} MB" for r in rows], fontsize=8)
    memory.axhline(150, color="tab:red", linestyle=":", label="target: 150 MB")
    memory.set(xticks=list(x), xticklabels=labels, ylabel="MB", title="This project: peak RSS",
               ylim=(0, max(r["project_rss_mb"] for r in rows) * 1.25))
    memory.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(chart_path, dpi=110)
    print(json.dumps({"chart": chart_path}))


if __name__ == "__main__":
    main(*sys.argv[1:])
