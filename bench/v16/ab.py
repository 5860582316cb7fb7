"""Pre-RoPE Gluon study (session 12): error against the float64 oracle, CUDA-graph and eager `do_bench` times, SDPA on
dense KV once per case, the Triton kernel (the package's route for pre-RoPE keys today) beside the study modules.
VARS: comma-separated `label=spec`, spec `triton` or a module spec as in bench/v12/ab.py (`pkg`, or a path with
`:VAR=val` switches). CASES: `B/N/seed/pad_max/HPG/rope/basis[/RK]` ("-" for a bf16 basis; key rank RK, 16 if
not given), comma-separated. PASSES: how many times each variant is timed, interleaved (2).
usage: VARS="triton=triton,g17=bench/v16/gk17.py" PYTHONPATH=. python3 bench/v16/ab.py"""
import os, sys, time, torch, triton
import torch.nn.functional as F
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
from timing import graph_us
from v12.ab import load
from unsloth_spectral.triton_attention import dense_oracle, rel_err, random_layer, spectral_decode_attention

def case(m, B, N, seed, pad, HPG, rope, bq, RK=16):
    "Two input sets (8 KV heads, head_dim 128, block 256, rank 16 int4 keys, int4 values) and `f` alternating them."
    lays = [random_layer(B=B, G=8, D=128, S=4, N=N, L=256, n_hot=252, cap=400, RK=RK, quant="int4", rope=rope,
                         values="int4", dtype=torch.bfloat16, device="cuda", seed=seed + 10 * i, pad_max=pad,
                         basis_quant=bq, attention_scaling=1.0 if seed % 2 == 0 else 1.2) for i in range(2)]
    qs = [torch.randn(B, 8 * HPG, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    if m == "triton":
        run = [lambda i=i: spectral_decode_attention(qs[i], lays[i], 128 ** -0.5) for i in range(2)]
        grid = "triton"
    else:
        plans = [m.make_gluon_plan(qs[i], lays[i], 128 ** -0.5, lays[i].pad.to(torch.int32)) for i in range(2)]
        run = [lambda i=i: plans[i](qs[i], lays[i].n_hot) for i in range(2)]
        grid = plans[0].split_grid
    it = [0]
    def f():
        i = it[0] % 2; it[0] += 1
        return run[i]()
    f.plans = None if m == "triton" else plans   # (for harnesses that look into them: bench/v17)
    return lays, qs, run, f, grid

if __name__ == "__main__":
    vs = []
    for i, v in enumerate(os.environ.get("VARS", "triton=triton,g17=bench/v16/gk17.py").split(",")):
        label, spec = v.split("=", 1)
        vs.append((label, spec if spec == "triton" else load(spec, i)))
    CASES = [c.split("/") for c in os.environ.get("CASES", "8/127/2/0/4/pre/-,1/511/0/0/4/pre/-").split(",")]
    TIME = int(os.environ.get("TIME", 1))
    bench = lambda f: 1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    for c in CASES:
        B, N, seed, pad, HPG = map(int, c[:5])
        rope, bq = c[5], (None if c[6] == "-" else c[6])
        RK = int(c[7]) if len(c) > 7 else 16
        T = N * 256 + 256
        head = f"B{B} N{N} (context {T}) pad_max {pad} HPG {HPG} {rope}-RoPE basis {bq or 'bf16'} rank {RK}"
        if TIME:
            kv = [torch.randn(B, 8, T, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
            q = torch.randn(B, 8 * HPG, 1, 128, device="cuda", dtype=torch.bfloat16)
            sd = bench(lambda: F.scaled_dot_product_attention(q, kv[0], kv[1], enable_gqa=True))
            sg = graph_us(lambda: F.scaled_dot_product_attention(q, kv[0], kv[1], enable_gqa=True))
            del kv; torch.cuda.empty_cache()
            head += f": SDPA do_bench {sd:.1f} graph {sg:.1f} us"
        print(head, flush=True)
        for label, m in (vs * int(os.environ.get("PASSES", 2)) if TIME else vs):
            if (m == "triton" or not hasattr(m, "rope_table")) and rope == "post" and label.startswith("triton"): continue
            if not hasattr(m, "rope_table") and m != "triton" and rope == "pre": continue   # (05b as shipped: post only)
            try:
                lays, qs, run, f, grid = case(m, B, N, seed, pad, HPG, rope, bq, RK)
                err = rel_err(run[0](), dense_oracle(qs[0], lays[0], 128 ** -0.5))
                line = f"  {label:24s} err {err:.1e}"
                if TIME:
                    g, e = graph_us(f), bench(f)
                    line += f"  graph {g:6.1f} (x SDPA {sg / g:.2f})  do_bench {e:6.1f} us (x SDPA {sd / e:.2f})"
                print(line + f"  grid {grid}", flush=True)
                del lays, run, f; torch.cuda.empty_cache()
            except Exception as ex:
                print(f"  {label:24s} FAILED {type(ex).__name__}: {str(ex)[:400]}", flush=True)
