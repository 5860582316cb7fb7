"""One shipped-kernel decode step at 32K B=8 (Llama-3-8B attention shapes, post-RoPE int4), called a few times, for
ncu to profile (session 9). MOD=path.py profiles another module file; usage under ncu: see notes/kernel.md Session 9."""
import importlib, importlib.util, os, sys, torch
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
from unsloth_spectral.triton_attention import random_layer

def load(path):
    if path == "pkg": return importlib.import_module("unsloth_spectral.gluon_attention")
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

m = load(os.environ.get("MOD", "pkg"))
B, N = int(os.environ.get("B", 8)), int(os.environ.get("N", 127))
lay = random_layer(B=B, G=8, D=128, S=4, N=N, L=256, n_hot=252, cap=400, RK=16, quant="int4", rope="post",
                   values="int4", dtype=torch.bfloat16, device="cuda", seed=0, pad_max=0)
q = torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16)
plan = m.make_gluon_plan(q, lay, 128 ** -0.5, lay.pad.to(torch.int32))
for _ in range(4): plan(q, lay.n_hot)
torch.cuda.synchronize()
print("grid", plan.split_grid, flush=True)
