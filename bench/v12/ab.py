"""Versions of the Gluon kernel module side by side (session 9): error against the float64 oracle and CUDA-graph time,
each plan on its own layers, all versions alternated twice. MODS: comma-separated specs `path[:VAR=val[:VAR=val]]`,
`pkg` for `unsloth_spectral.gluon_attention` as checked out; the VARs are set while that module file is imported.
usage: MODS=pkg,bench/v12/gk12.py,bench/v12/gk12.py:GK_VF16=0 PYTHONPATH=. python3 bench/v12/ab.py"""
import importlib, importlib.util, os, sys, time, torch, triton
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
from timing import graph_us
from unsloth_spectral.triton_attention import random_layer, dense_oracle, rel_err

def load(spec: str, i: int):
    path, *env = spec.split(":")
    if path == "pkg": return importlib.import_module("unsloth_spectral.gluon_attention")
    old = dict(os.environ)
    os.environ.update(e.split("=", 1) for e in env)
    try:
        s = importlib.util.spec_from_file_location(f"gmod{i}", path)
        m = importlib.util.module_from_spec(s); s.loader.exec_module(m)
    finally: os.environ.clear(); os.environ.update(old)
    return m

def case(m, B: int, N: int, seed: int, pad: int, basis_quant=None):
    "Two input sets of one case (8B shapes, post-RoPE int4) with module m's plan for each, and `f` alternating them."
    lays = [random_layer(B=B, G=8, D=128, S=4, N=N, L=256, n_hot=252, cap=400, RK=16, quant="int4", rope="post",
                         values="int4", dtype=torch.bfloat16, device="cuda", seed=seed + 10 * i, pad_max=pad,
                         basis_quant=basis_quant) for i in range(2)]
    qs = [torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    plans = [m.make_gluon_plan(qs[i], lays[i], 128 ** -0.5, lays[i].pad.to(torch.int32)) for i in range(2)]
    it = [0]
    def f():
        i = it[0] % 2; it[0] += 1
        return plans[i](qs[i], lays[i].n_hot)
    return lays, qs, plans, f

if __name__ == "__main__":
    specs = os.environ.get("MODS", "pkg,bench/v12/gk12.py").split(",")
    mods = [(sp, load(sp, i)) for i, sp in enumerate(specs)]
    CASES = [tuple(map(int, c.split("/"))) for c in os.environ.get("CASES", "8/127/2/0,1/511/0/0,2/127/1/900,1/15/3/0").split(",")]
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    for B, N, seed, pad in CASES:
        print(f"B{B} N{N} (context {N * 256 + 256}) pad_max {pad}:", flush=True)
        for name, m in mods + mods:
            lays, qs, plans, f = case(m, B, N, seed, pad)
            err = rel_err(plans[0](qs[0], lays[0].n_hot), dense_oracle(qs[0], lays[0], 128 ** -0.5))
            print(f"  {name:40s} err {err:.1e}  {graph_us(f):7.1f} us  grid {plans[0].split_grid}", flush=True)
            del lays, plans; torch.cuda.empty_cache()
