"""Two versions of the Gluon kernel module side by side (session 8): error against the float64 oracle and CUDA-graph
time, each plan on its own layers, alternating twice. A and B: paths of module files, or `pkg` for
`unsloth_spectral.gluon_attention` as checked out. The 22:21 run (`kernel_h200_2221_ab_fold.log`: the values' bias
once per split, then once per block) had A = the module of fc3045b carried as .carry/old_ga.py, B = pkg at 4513d8d;
the 22:29 run (`kernel_h200_2229_ab_half.log`: the softmax on rows 0-7 only) had A = pkg at 4513d8d, B = the module
of a0b62a2. (Those runs used two scripts, ab_fold.py and ab_half.py, merged into this one afterwards.)
usage: A=.carry/old_ga.py B=pkg PYTHONPATH=. python3 bench/v11/ab.py"""
import importlib, importlib.util, os, sys, time, torch, triton
sys.path[:0] = [os.path.dirname(__file__), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from timing import graph_us
from unsloth_spectral.triton_attention import random_layer, dense_oracle, rel_err

def load(path: str):
    if path == "pkg": return importlib.import_module("unsloth_spectral.gluon_attention")
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

mods = [(n, load(os.environ.get(n, d))) for n, d in (("A", ".carry/old_ga.py"), ("B", "pkg"))]
print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
for B, N, seed, pad in ((1, 511, 0, 0), (2, 127, 1, 900), (8, 127, 2, 0), (1, 15, 3, 0)):
    row = f"B{B} N{N} pad_max {pad}:"
    for name, m in mods + mods:
        lays = [random_layer(B=B, G=8, D=128, S=4, N=N, L=256, n_hot=252, cap=400, RK=16, quant="int4", rope="post",
                             values="int4", dtype=torch.bfloat16, device="cuda", seed=seed + 10 * i, pad_max=pad)
                for i in range(2)]
        qs = [torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        plans = [m.make_gluon_plan(qs[i], lays[i], 128 ** -0.5, lays[i].pad.to(torch.int32)) for i in range(2)]
        err = rel_err(plans[0](qs[0], lays[0].n_hot), dense_oracle(qs[0], lays[0], 128 ** -0.5))
        it = [0]
        def f():
            i = it[0] % 2; it[0] += 1
            return plans[i](qs[i], lays[i].n_hot)
        row += f" | {name}: {err:.1e}, {graph_us(f):.1f} us"
        del lays, plans; torch.cuda.empty_cache()
    print(row, flush=True)
