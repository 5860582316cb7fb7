"""Run notebooks and keep their outputs in place (the figures and tables the docs show), then clean them.

usage: python tools/run_nb.py nbs/03_cache.ipynb [more.ipynb ...] [--flags cuda,slow]
Cells flagged with a `tst_flags` entry (`#| cuda`, `#| slow`) run only when named in --flags; the others keep the
outputs they had.
"""
import argparse, subprocess, sys
from pathlib import Path
from nbdev.config import get_config
from nbdev.test import test_nb

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("nbs", nargs="+"); ap.add_argument("--flags", default="")
    a = ap.parse_args()
    force = [f for f in a.flags.split(",") if f]
    skip = [f for f in get_config().tst_flags.split("|") if f not in force]
    for nb in a.nbs:
        nb = Path(nb).resolve()
        ok, secs = test_nb(nb, skip_flags=skip, force_flags=force, save=True)
        print(f"{nb}: {'ok' if ok else 'FAILED'} in {secs:.0f}s", flush=True)
        if not ok: sys.exit(1)
    subprocess.run(["nbdev-clean"], check=True)
