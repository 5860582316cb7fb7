"""What the end times of the long programs follow (session 17): the share of their variance each grouping explains
(R^2 of the group means), from the raw stamps `bench/v21/stamps.py` saved (DUMP=, 16:31 run, as csv.gz in
`bench/results/gpu/stamps_h200_1631_v21/`; rows in launch order of the (B G, 24) grid: program = pid * 24 + split).
usage: python3 bench/v21/stamps_r2.py [dir]"""
import csv, gzip, statistics, sys
from pathlib import Path

def r2(y, key):
    groups = {}
    for v, k in zip(y, key): groups.setdefault(k, []).append(v)
    m = statistics.fmean(y)
    tot = sum((v - m) ** 2 for v in y)
    within = sum((v - statistics.fmean(g)) ** 2 for g in groups.values() for v in g)
    return 1 - within / tot, len(groups)

d = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1] / "results/gpu/stamps_h200_1631_v21")
for f in sorted(d.glob("*.csv.gz")):
    rows = [list(map(int, r)) for r in list(csv.reader(gzip.open(f, "rt")))[1:]]
    t0, most = min(r[0] for r in rows), max(r[5] for r in rows)
    sel = [(i, r) for i, r in enumerate(rows) if r[5] >= 0.9 * most]   # the long programs
    y = [(r[2] - t0) / 1e3 for _, r in sel]
    keys = dict(sm=[r[3] for _, r in sel], bg=[i // 24 for i, _ in sel], split=[i % 24 for i, _ in sel],
                scheduler=[r[4] % 4 for _, r in sel], rank_on_scheduler=[r[4] // 4 for _, r in sel])
    print(f"{f.name}: {len(y)} long programs, end {statistics.fmean(y):.1f} ± {statistics.stdev(y):.2f} µs; R^2 by "
          + ", ".join(f"{k} {r2(y, v)[0]:.2f} ({r2(y, v)[1]})" for k, v in keys.items()))
    by = {}
    for v, k in zip(y, keys["rank_on_scheduler"]): by.setdefault(k, []).append(v)
    print("  mean end by rank on the scheduler (launch order): " + " ".join(f"{k}: {statistics.fmean(v):.1f}" for k, v in sorted(by.items())))
