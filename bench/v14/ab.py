"""Versions of the Gluon kernel module side by side (session 10; bench/v12/ab.py plus eager timing): error against the
float64 oracle, CUDA-graph time, and the eager call under `triton.testing.do_bench` (L2 flushed by its memset, as the
tables time it), with SDPA on dense KV timed the same way once per case. MODS as in bench/v12/ab.py."""
import os, sys, time, torch, triton
import torch.nn.functional as F
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
from timing import graph_us
from v12.ab import load, case
from unsloth_spectral.triton_attention import dense_oracle, rel_err

specs = os.environ.get("MODS", "pkg,bench/v14/gk14.py").split(",")
mods = [(sp, load(sp, i)) for i, sp in enumerate(specs)]
CASES = [tuple(map(int, c.split("/"))) for c in os.environ.get("CASES", "8/127/2/0,1/511/0/0").split(",")]
bench = lambda f: 1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median")
print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
for B, N, seed, pad in CASES:
    T = N * 256 + 256
    kv = [torch.randn(B, 8, T, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    q = torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16)
    sd = bench(lambda: F.scaled_dot_product_attention(q, kv[0], kv[1], enable_gqa=True))
    del kv; torch.cuda.empty_cache()
    print(f"B{B} N{N} (context {T}) pad_max {pad}: SDPA do_bench {sd:.1f} us", flush=True)
    for name, m in mods + mods:
        lays, qs, plans, f = case(m, B, N, seed, pad)
        out = plans[0](qs[0], lays[0].n_hot)
        err = rel_err(out, dense_oracle(qs[0], lays[0], 128 ** -0.5))
        err2 = rel_err(plans[0](qs[0], lays[0].n_hot), out)   # a second call (a fused merge's count reset)
        g = graph_us(f)
        e = bench(f)
        print(f"  {name:44s} err {err:.1e} rerun {err2:.0e}  graph {g:6.1f}  do_bench {e:6.1f} us  x SDPA {sd / e:.2f}"
              f"  grid {plans[0].split_grid}", flush=True)
        del lays, plans; torch.cuda.empty_cache()
