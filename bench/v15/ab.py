"""Cache formats and kernel modules side by side (session 11; bench/v14/ab.py with the layer's format as a variable):
error against the float64 oracle, CUDA-graph time and eager `do_bench` time, SDPA on dense KV timed once per case.
VARS: comma-separated `label=module spec[+basis_quant]`, module spec as in bench/v12/ab.py (`pkg`, or a path with
`:VAR=val` switches), `+int8` for an int8 key basis. CASES: `B/N/seed/pad_max`, comma-separated.
usage: VARS="bf16=pkg,int8=pkg+int8" PYTHONPATH=. python3 bench/v15/ab.py"""
import os, sys, time, torch, triton
import torch.nn.functional as F
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
from timing import graph_us
from v12.ab import load, case
from unsloth_spectral.triton_attention import dense_oracle, rel_err

if __name__ == "__main__":
    vs = []
    for i, v in enumerate(os.environ.get("VARS", "bf16=pkg,int8=pkg+int8").split(",")):
        label, spec = v.split("=", 1)
        spec, _, bq = spec.partition("+")
        vs.append((label, load(spec, i), bq or None))
    CASES = [tuple(map(int, c.split("/"))) for c in os.environ.get("CASES", "8/127/2/0,1/511/0/0").split(",")]
    bench = lambda f: 1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    for B, N, seed, pad in CASES:
        T = N * 256 + 256
        kv = [torch.randn(B, 8, T, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        q = torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16)
        sd = bench(lambda: F.scaled_dot_product_attention(q, kv[0], kv[1], enable_gqa=True))
        sg = graph_us(lambda: F.scaled_dot_product_attention(q, kv[0], kv[1], enable_gqa=True))
        del kv; torch.cuda.empty_cache()
        print(f"B{B} N{N} (context {T}) pad_max {pad}: SDPA do_bench {sd:.1f} graph {sg:.1f} us", flush=True)
        for label, m, bq in vs + vs:
            lays, qs, plans, f = case(m, B, N, seed, pad, bq)
            out = plans[0](qs[0], lays[0].n_hot)
            err = rel_err(out, dense_oracle(qs[0], lays[0], 128 ** -0.5))
            g, e = graph_us(f), bench(f)
            print(f"  {label:24s} err {err:.1e}  graph {g:6.1f} (x SDPA {sg / g:.2f})  do_bench {e:6.1f} us "
                  f"(x SDPA {sd / e:.2f})  grid {plans[0].split_grid}", flush=True)
            del lays, plans; torch.cuda.empty_cache()
