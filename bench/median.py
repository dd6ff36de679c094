#!/usr/bin/env python3
"""bench/median.py -- medians over several runs of build/ecsbench --json.

The machines are shared and noisy, so docs/bench.md quotes, for every row,
the median over a few whole runs of the per-run medians (value, floor,
ratio_to_floor, speedup). Usage:

    for i in 1 2 3 4 5; do build/ecsbench --json > build/run$i.json; done
    python3 bench/median.py build/run*.json

Prints a Markdown table, one line per row (rows are matched by workload,
op, variant, entities and threads).
"""
import json
import statistics
import sys


def key(row):
    return (row["workload"], row.get("op", ""), row.get("variant", ""),
            row.get("entities", -1), row["threads"])


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    order, rows = [], {}
    for run in runs:
        for row in run["results"]:
            k = key(row)
            if k not in rows:
                order.append(k)
                rows[k] = []
            rows[k].append(row)
    fields = ["value", "floor", "ratio_to_floor", "speedup_vs_1_thread"]
    print(f"{len(runs)} runs on {runs[0]['machine']['cpu']}, "
          f"{runs[0]['machine']['cores']} cores; medians of the runs' medians "
          "(min..max of them)\n")
    print("| workload | op | entities | threads | metric | value | floor | ratio | speedup |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in order:
        rs = rows[k]
        cells = []
        for f in fields:
            vs = [r[f] for r in rs if f in r]
            if not vs:
                cells.append("-")
            elif len(vs) == 1:
                cells.append(f"{vs[0]:.3g}")
            else:
                cells.append(f"{statistics.median(vs):.3g} ({min(vs):.3g}..{max(vs):.3g})")
        wl, op, variant, ents, thr = k
        opv = " ".join(x for x in (op, variant) if x)
        print(f"| {wl} | {opv or '-'} | {ents if ents >= 0 else '-'} | {thr} | "
              f"{rs[0]['metric']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
