"""Run a notebook's test cells on a machine without nbdev (the GPU machine), in its exported module's namespace.

`tools/run_cells.py` execs every cell, which Triton's JIT cannot take (a `@triton.jit` or `@gluon.jit` function needs
its source in a file). Here the exported cells are not run again: the module (imported, so its kernels come from
the file) lends its namespace, and every other code cell runs in it in order, `#| cuda` cells included.

    python tools/run_module_cells.py nbs/05b_gluon_attention.ipynb unsloth_spectral.gluon_attention [SKIP]

SKIP: comma-separated indices of cells not to run (a long cell already seen to pass, when device time is short).
"""
import importlib, json, sys, time, traceback
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
from run_cells import directives

def _fastcore_stand_in():
    "fastcore.test's three checks the notebooks use, where fastcore is not installed (the GPU machine)."
    import types, torch
    def test_eq(a, b):
        ok = torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b
        assert ok, f"{a!r} != {b!r}"
    def test_close(a, b, eps=1e-5):
        d = (torch.as_tensor(a, dtype=torch.float64) - torch.as_tensor(b, dtype=torch.float64)).abs().max()
        assert d <= eps, f"max difference {float(d)} > {eps}"
    def test_fail(f, msg="", contains="", args=None, kwargs=None):
        try: f(*(args or ()), **(kwargs or {}))
        except Exception as e:
            assert not contains or contains in str(e), f"{contains!r} not in {str(e)!r}"
            return
        assert False, f"expected an exception: {msg}"
    fc, ft = types.ModuleType("fastcore"), types.ModuleType("fastcore.test")
    ft.test_eq, ft.test_close, ft.test_fail, fc.test = test_eq, test_close, test_fail, ft
    sys.modules.update({"fastcore": fc, "fastcore.test": ft})

def main(nb_path: str, module: str, skip: str = "") -> int:
    try: import fastcore.test   # noqa: F401
    except ImportError: _fastcore_stand_in()
    # the module's own namespace, as nbdev runs a notebook: a cell that rebinds a module function (a faked
    # capability, say) changes what the module's other functions call
    ns = vars(importlib.import_module(module))
    failed, skipped = 0, {int(i) for i in skip.split(",") if i}
    for i, cell in enumerate(json.loads(Path(nb_path).read_text())["cells"]):
        src = "".join(cell["source"])
        d = directives(src)
        # (`#| hide` cells run: they hold the tests' imports; the one that exports the notebook does not)
        if (cell["cell_type"] != "code" or d & {"export", "exporti", "default_exp", "eval:false"} or "nbdev_export" in src
                or i in skipped):
            continue
        t0 = time.time()
        try: exec(compile(src, f"{nb_path}#cell{i}", "exec"), ns)
        except Exception:
            traceback.print_exc(); failed += 1
            print(f"[cell {i} ({', '.join(sorted(d)) or 'test'}) FAILED after {time.time() - t0:.1f}s]", flush=True)
        else: print(f"[cell {i} ({', '.join(sorted(d)) or 'test'}) ok in {time.time() - t0:.1f}s]", flush=True)
    return failed

if __name__ == "__main__": sys.exit(main(*sys.argv[1:4]))
