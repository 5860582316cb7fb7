"""Run a notebook's code cells in order without Jupyter, and bring the outputs of its flagged cells home.

A GPU machine has torch but not IPython, execnb or nbdev. This runs every code cell of a notebook in one namespace
with plain `exec` (cells flagged with a test flag that is not asked for are skipped, as `nbdev-test` skips them),
records what each cell of the asked-for flags prints, and writes that to a JSON file. `--merge` puts those outputs
into the local notebook as the cells' stream outputs, so a `#| cuda` cell shows what it printed on the GPU.

    python tools/run_cells.py nbs/06_integration.ipynb --flags cuda --json $OUT/06_cuda.json   # on the GPU machine
    python tools/run_cells.py nbs/06_integration.ipynb --merge 06_cuda.json                    # here
"""
import argparse, contextlib, io, json, re, sys, time, traceback
from pathlib import Path

TEST_FLAGS = ("cuda", "slow")

def directives(src: str) -> set:
    "The `#| word` directives at the top of a cell."
    out = set()
    for line in src.splitlines():
        m = re.match(r"\s*#\|\s*([\w-]+)(?::\s*(\w+))?", line)
        if not m:
            if line.strip(): break
            continue
        out.add(m.group(1) if m.group(2) is None else f"{m.group(1)}:{m.group(2)}")
    return out

def run(nb_path: str, flags: set, json_path: str | None = None) -> dict:
    "Outputs (stdout + stderr) of the cells carrying one of `flags`, keyed by cell id; stops at the first error."
    nb = json.loads(Path(nb_path).read_text())
    ns = {"__name__": "__main__"}
    got = {}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code": continue
        src = "".join(cell["source"])
        d = directives(src)
        if "eval:false" in d or any(f in d and f not in flags for f in TEST_FLAGS): continue
        buf, t0 = io.StringIO(), time.time()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            try: exec(compile(src, f"{nb_path}#cell{i}", "exec"), ns)
            except Exception:
                traceback.print_exc()
                err = True
            else: err = False
        text = buf.getvalue()
        sys.stdout.write(text)
        print(f"[cell {i} {'failed' if err else 'ok'} in {time.time() - t0:.1f}s]", flush=True)
        if d & flags:
            got[cell.get("id", str(i))] = text
            if json_path: Path(json_path).write_text(json.dumps(got, indent=1))   # kept if a later cell hangs
        if err: raise SystemExit(f"{nb_path}: cell {i} failed")
    return got

def merge(nb_path: str, json_path: str) -> None:
    "Write the recorded outputs into the notebook's cells of the same ids."
    outs = json.loads(Path(json_path).read_text())
    p = Path(nb_path)
    nb = json.loads(p.read_text())
    n = 0
    for cell in nb["cells"]:
        if cell.get("id") in outs:
            cell["outputs"] = [dict(name="stdout", output_type="stream", text=outs[cell["id"]].splitlines(True))]
            n += 1
    p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    print(f"{nb_path}: outputs of {n} cell(s) merged from {json_path}")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook")
    ap.add_argument("--flags", default="cuda", help="comma list of test flags to run and record (default cuda)")
    ap.add_argument("--json", help="where to write the recorded outputs")
    ap.add_argument("--merge", help="a JSON written by a run: put its outputs into the notebook")
    a = ap.parse_args()
    if a.merge: merge(a.notebook, a.merge)
    else:
        run(a.notebook, set(f for f in a.flags.split(",") if f), a.json)
