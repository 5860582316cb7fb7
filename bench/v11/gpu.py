"One device call for the v11 study (bench/v11/gkern.py): correctness against the float64 oracle, then CUDA-graph times of each variant beside SDPA and the shipped kernel on the same inputs, same process. Env: CHECKS, TIMES, VARIANTS (JSON)."
import json, os, sys, time
sys.path[:0] = [os.path.dirname(__file__), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
import torch, triton
import torch.nn.functional as F
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer, copy_bandwidth, decode_bytes
from unsloth_spectral.triton_attention import spectral_decode_attention, dense_oracle, rel_err
import gkern as gk
from timing import graph_us

OUT = os.environ.get("OUT", "/tmp")
dev = torch.device("cuda")
props = torch.cuda.get_device_properties(dev)
print(f"device: {props.name}, {props.multi_processor_count} SMs; torch {torch.__version__}, triton {triton.__version__};"
      f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
copy = copy_bandwidth()
print(f"copy bandwidth {copy:.0f} GB/s", flush=True)
cfg = SpectralConfig(rope="post")
res = dict(device=props.name, copy=copy, rows=[], checks=[])
VARIANTS = json.loads(os.environ.get("VARIANTS", "null")) or [dict(per_sm=9), dict(per_sm=16)]


for T, B in json.loads(os.environ.get("CHECKS", "[[4096, 2], [32768, 2]]")):
    torch.manual_seed(T + B)
    lay = bench_layer(B, 8, 128, T, cfg, torch.bfloat16, dev)
    lay.pad = torch.tensor([0, 300][:B], dtype=torch.int32, device=dev)
    q = torch.randn(B, 32, 1, 128, device=dev, dtype=torch.bfloat16)
    ref = dense_oracle(q, lay, 128 ** -0.5)
    line = f"check {T // 1024}K B{B}: shipped {rel_err(spectral_decode_attention(q, lay, 128 ** -0.5), ref):.1e}"
    for v in VARIANTS:
        try:
            v = dict(v); fn = getattr(gk, v.pop("fn", "g_attention"))
            e = rel_err(fn(q, lay, 128 ** -0.5, **v), ref)
            line += f" | {v} {e:.1e}"; res["checks"].append((T, B, v, e))
        except Exception as ex: line += f" | {v} ERROR {type(ex).__name__}: {str(ex)[:400]}"
    print(line, flush=True)
    del lay, ref; torch.cuda.empty_cache()

for T, B in json.loads(os.environ.get("TIMES", "[[32768, 8], [131072, 1], [4096, 1]]")):
    nbytes = decode_bytes(B, 32, 8, 128, T, cfg)
    lays = [bench_layer(B, 8, 128, T, cfg, torch.bfloat16, dev) for _ in range(2)]   # own layers per module
    lays_cur = [bench_layer(B, 8, 128, T, cfg, torch.bfloat16, dev) for _ in range(2)]
    qs = [torch.randn(B, 32, 1, 128, device=dev, dtype=torch.bfloat16) for _ in range(2)]
    kv = [torch.randn(2, B, 8, T, 128, device=dev, dtype=torch.bfloat16) for _ in range(2)]
    it = [0]
    def rot(f):
        def g():
            i = it[0] % 2; it[0] += 1
            return f(i)
        return g
    row = dict(T=T, B=B, MB=nbytes / 1e6)
    row["sdpa"] = graph_us(rot(lambda i: F.scaled_dot_product_attention(qs[i], kv[i][0], kv[i][1], enable_gqa=True)))
    row["shipped"] = graph_us(rot(lambda i: spectral_decode_attention(qs[i], lays_cur[i], 128 ** -0.5)))
    print(f"{T // 1024}K B{B}: {nbytes / 1e6:.1f} MB; graph us: SDPA {row['sdpa']:.1f}, shipped {row['shipped']:.1f} "
          f"({row['sdpa'] / row['shipped']:.2f}x)", flush=True)
    for v in VARIANTS:
        try:
            name = json.dumps(v); v = dict(v); fname = v.pop("fn", "g_attention"); fn = getattr(gk, fname)
            us = graph_us(rot(lambda i: fn(qs[i], lays[i], 128 ** -0.5, **v)))
            row[name] = us
            usc = graph_us(rot(lambda i: fn(qs[i], lays[i], 128 ** -0.5, stages="cold decode", **v)))
            row[name + " cold"] = usc
            print(f"   {v}: {us:.1f} us (cold kernel alone {usc:.1f}) ({row['sdpa'] / us:.2f}x SDPA, {nbytes / us / 1e3:.0f} GB/s = "
                  f"{100 * nbytes / us / 1e3 / copy:.0f}% of copy)", flush=True)
        except Exception as ex:
            print(f"   {v}: ERROR {type(ex).__name__}: {str(ex)[:300]}", flush=True)
    res["rows"].append(row)
    del lays, lays_cur, kv; torch.cuda.empty_cache()
json.dump(res, open(os.path.join(OUT, "v11.json"), "w"), indent=1)
