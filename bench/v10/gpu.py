"One device call for the v10 study (bench/v10/kernels.py): correctness against the float64 oracle and the shipped kernel, then CUDA-graph and eager times of each variant beside SDPA and the shipped kernel on the same inputs. Env: CHECKS, CHECKV, TIMES, VARIANTS (JSON; the five calls of session 7 are listed in notes/kernel.md)."
import json, os, sys, time, math
sys.path[:0] = [os.path.dirname(__file__), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
import torch, triton
import torch.nn.functional as F
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer, copy_bandwidth, decode_bytes, cache_shape
from unsloth_spectral.triton_attention import spectral_decode_attention, dense_oracle, rel_err
import kernels as w1
from timing import graph_us

OUT = os.environ.get("OUT", "/tmp")
dev = torch.device("cuda")
props = torch.cuda.get_device_properties(dev)
print(f"device: {props.name}, {props.multi_processor_count} SMs; torch {torch.__version__}, triton {triton.__version__};"
      f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
copy = copy_bandwidth()
print(f"copy bandwidth {copy:.0f} GB/s", flush=True)
cfg = SpectralConfig(rope="post")
res = dict(device=props.name, copy=copy, rows=[])
VARIANTS = json.loads(os.environ.get("VARIANTS", "null")) or [
    dict(num_warps=1, tile=16, per_sm=16), dict(num_warps=1, tile=32, per_sm=16), dict(num_warps=2, tile=32, per_sm=8),
    dict(num_warps=2, tile=16, per_sm=8), dict(num_warps=4, tile=64, per_sm=4), dict(num_warps=1, tile=16, per_sm=16, stages=2),
    dict(num_warps=2, tile=32, per_sm=8, stages=2), dict(num_warps=1, tile=16, per_sm=16, fold=True),
    dict(num_warps=1, tile=16, per_sm=32), dict(num_warps=2, tile=32, per_sm=16)]

def eager_us(fn):
    return 1e3 * triton.testing.do_bench(fn, warmup=10, rep=100, return_mode="median")

# ---- correctness: against the float64 oracle and the current kernel ----
CHECKV = json.loads(os.environ.get("CHECKV", "null")) or VARIANTS
for T, B, dt in json.loads(os.environ.get("CHECKS", '[[4096, 2, "bfloat16"], [32768, 2, "bfloat16"], [4096, 2, "float16"]]')):
    dt = getattr(torch, dt)
    lay = bench_layer(B, 8, 128, T, cfg, dt, dev)
    lay.pad = torch.tensor([0, 300][:B], dtype=torch.int32, device=dev)
    q = torch.randn(B, 32, 1, 128, device=dev, dtype=dt)
    ref = dense_oracle(q, lay, 128 ** -0.5)
    cur = spectral_decode_attention(q, lay, 128 ** -0.5)
    line = f"check {T // 1024}K B{B} {dt}: current {rel_err(cur, ref):.1e}"
    for v in CHECKV:
        try: line += f" | {v} {rel_err(w1.w_attention(q, lay, 128 ** -0.5, **v), ref):.1e}"
        except Exception as e: line += f" | {v} ERROR {type(e).__name__}: {str(e)[:200]}"
    print(line, flush=True)
    del lay, ref; torch.cuda.empty_cache()

# ---- timing: SDPA, current kernel, variants on the same inputs ----
for T, B in json.loads(os.environ.get("TIMES", "[[32768, 8], [131072, 1], [4096, 1]]")):
    S, N, n_hot = cache_shape(T, cfg)
    nbytes = decode_bytes(B, 32, 8, 128, T, cfg)
    dbytes = decode_bytes(B, 32, 8, 128, T, None)
    lays = [bench_layer(B, 8, 128, T, cfg, torch.bfloat16, dev) for _ in range(2)]
    qs = [torch.randn(B, 32, 1, 128, device=dev, dtype=torch.bfloat16) for _ in range(2)]
    kv = [torch.randn(2, B, 8, T, 128, device=dev, dtype=torch.bfloat16) for _ in range(2)]
    it = [0]
    def rot(f):
        def g():
            i = it[0] % 2; it[0] += 1
            return f(i)
        return g
    sdpa = lambda i: F.scaled_dot_product_attention(qs[i], kv[i][0], kv[i][1], enable_gqa=True)
    cur = lambda i: spectral_decode_attention(qs[i], lays[i], 128 ** -0.5)
    row = dict(T=T, B=B, MB=nbytes / 1e6, dense_MB=dbytes / 1e6)
    row["sdpa"] = eager_us(rot(sdpa)); row["sdpa_graph"] = graph_us(rot(sdpa))
    row["cur"] = eager_us(rot(cur)); row["cur_graph"] = graph_us(rot(cur))
    line = (f"{T // 1024}K B{B}: {nbytes / 1e6:.1f} MB; SDPA {row['sdpa']:.1f} (graph {row['sdpa_graph']:.1f}) us; "
            f"current {row['cur']:.1f} (graph {row['cur_graph']:.1f}) us")
    print(line, flush=True)
    for v in VARIANTS:
        try:
            v = dict(v); fn = getattr(w1, v.pop('fn', 'w_attention'))
            w = lambda i: fn(qs[i], lays[i], 128 ** -0.5, **v)
            us_g = graph_us(rot(w)); us_e = eager_us(rot(w))
            row[json.dumps(v)] = (us_g, us_e)
            print(f"   {v}: graph {us_g:.1f} us ({row['sdpa_graph'] / us_g:.2f}x SDPA graph, "
                  f"{nbytes / us_g / 1e3:.0f} GB/s = {100 * nbytes / us_g / 1e3 / copy:.0f}% of copy), eager {us_e:.1f}",
                  flush=True)
        except Exception as e:
            print(f"   {v}: ERROR {type(e).__name__}: {str(e)[:300]}", flush=True)
    res["rows"].append(row)
    del lays, kv; torch.cuda.empty_cache()
json.dump(res, open(os.path.join(OUT, "w1.json"), "w"), indent=1)
