"""Where a call's fixed part goes (session 13): the shipped Gluon plan (post-RoPE rank-16 int4 keys, int8 basis,
per-token int4 values, 8B shapes, bf16) at batch 8 over contexts, CUDA-graph and eager µs of the whole
call (`do_bench`, and between events after an L2 flush by a memset, by a read, or none) and of its split kernel alone (the merge not launched: timing only), SDPA beside it. A line fit of time against
bytes gives the fixed part and the marginal rate.
usage: PYTHONPATH=. python3 bench/v17/fixed.py"""
import os, sys, time, torch, triton
import torch.nn.functional as F
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from timing import graph_us
from v16.ab import case
from unsloth_spectral import gluon_attention as ga

def layer_bytes(lay) -> int:
    "Bytes one call reads: the cache tensors it touches (sinks, hot buffer, codes, scales, bases, means)."
    ts = (lay.key_coeffs, lay.key_basis, getattr(lay, "key_basis_scale", None), lay.key_mean, lay.value_codes,
          lay.value_scale, lay.sink_keys, lay.sink_values)
    hot = 2 * lay.hot_keys[:, :, :lay.n_hot].numel() * lay.hot_keys.element_size()
    return hot + sum(t.numel() * t.element_size() for t in ts if t is not None)

def eager_us(fn, flush: str, reps: int = 60) -> float:
    "Median µs of fn() between two events, after an L2 flush: 'memset' (as do_bench), 'read' (clean lines) or 'none'."
    buf = torch.empty(64 * 2 ** 20, dtype=torch.int32, device="cuda")   # 256 MB
    ts = []
    for i in range(reps + 5):
        if flush == "memset": buf.zero_()
        elif flush == "read": buf.sum()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record()
        if i >= 5: ts.append((a, b))
    torch.cuda.synchronize()
    return float(torch.tensor([a.elapsed_time(b) for a, b in ts]).median()) * 1e3

if __name__ == "__main__":
    bench = lambda f: 1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    B, rows = int(os.environ.get("B", 8)), []
    for N in map(int, os.environ.get("NS", "31,63,127,255,511").split(",")):
        T = N * 256 + 256
        lays, qs, run, call, grid = case(ga, B, N, 0, 0, 4, "post", "int8")
        plans = call.plans
        full_g, full_e = graph_us(call), bench(call)
        fl = {k: eager_us(call, k) for k in ("memset", "read", "none")}
        for p in plans: p.fused = True   # (the split kernel alone: its output is not merged)
        split_g, split_e = graph_us(call), bench(call)
        kv = [torch.randn(B, 8, T, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        sd = bench(lambda: F.scaled_dot_product_attention(qs[0], kv[0], kv[1], enable_gqa=True))
        sg = graph_us(lambda: F.scaled_dot_product_attention(qs[0], kv[0], kv[1], enable_gqa=True))
        sfl = {k: eager_us(lambda: F.scaled_dot_product_attention(qs[0], kv[0], kv[1], enable_gqa=True), k)
               for k in ("memset", "read")}
        mb = layer_bytes(lays[0]) / 1e6
        rows.append((mb, full_g, full_e))
        print(f"T {T:6d} B{B} {mb:7.1f} MB grid {plans[0].split_grid}: call graph {full_g:6.1f} do_bench {full_e:6.1f} | "
              f"split only graph {split_g:6.1f} do_bench {split_e:6.1f} | SDPA graph {sg:6.1f} do_bench {sd:6.1f} | "
              f"x SDPA graph {sg / full_g:.2f} eager {sd / full_e:.2f} | call after a memset / read / no flush "
              f"{fl['memset']:.1f} / {fl['read']:.1f} / {fl['none']:.1f}; SDPA after a memset / read flush "
              f"{sfl['memset']:.1f} / {sfl['read']:.1f}: x SDPA {sfl['memset'] / fl['memset']:.2f} / "
              f"{sfl['read'] / fl['read']:.2f}", flush=True)
        del lays, plans, kv; torch.cuda.empty_cache()
    for k, name in ((1, "graph"), (2, "do_bench")):
        x = torch.tensor([r[0] for r in rows], dtype=torch.float64); y = torch.tensor([r[k] for r in rows], dtype=torch.float64)
        A = torch.stack([torch.ones_like(x), x], 1)
        c = torch.linalg.lstsq(A, y[:, None]).solution[:, 0]
        print(f"fit ({name}): {c[0]:.1f} µs + bytes at {1 / c[1]:.2f} TB/s")
