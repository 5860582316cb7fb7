"""One device call: GPU correctness of the fused decode kernel at real shapes (float64 oracle, and the real
SpectralLayer against spectral_attention), an optional tuning sweep (--sweep), then the timing tables (Llama-3-8B and
SmolLM2 attention shapes) while KERNEL_GPU_BUDGET_S (default 150) lasts.
Usage: PYTHONPATH=. PYTHONUNBUFFERED=1 python3 bench/kernel_gpu.py [--sweep] 2>&1 | tee $OUT/kernel_gpu.log"""
import json, os, sys, time, traceback
from dataclasses import replace
import torch, triton

from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.triton_attention import (decode_attention_factors, random_layer, dense_oracle, rel_err,
                                               spectral_decode_attention, kernel_route, TOLERANCE)
from unsloth_spectral.benchmark import (run_benchmark, copy_bandwidth, bench_layer, layer_args, time_rotating,
                                        format_row, TABLE_HEADER)

OUT = os.environ.get("OUT", "/tmp")
T_SCRIPT = time.time()
summary = []
def say(*a):
    s = " ".join(str(x) for x in a); print(s, flush=True); summary.append(s)

dev = torch.device("cuda")
props = torch.cuda.get_device_properties(dev)
say(f"device: {props.name}, {props.multi_processor_count} SMs, L2 {props.L2_cache_size >> 20} MB; "
    f"torch {torch.__version__}, triton {triton.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
say(f"copy bandwidth: {copy_bandwidth():.0f} GB/s (read + write)")

# ---- 1. correctness at real shapes against the float64 oracle -------------------------------------------------
t0 = time.time()
cases = [  # (name, random_layer kwargs, H, Q)
    ("8B 32K int4 pre bf16", dict(B=1, G=8, D=128, S=4, N=127, L=256, n_hot=252, cap=400, RK=16, RV=32,
                                  quant="int4", dtype=torch.bfloat16), 32, 1),
    ("8B 128K int4 pre bf16", dict(B=1, G=8, D=128, S=4, N=511, L=256, n_hot=252, cap=400, RK=16, RV=32,
                                   quant="int4", dtype=torch.bfloat16), 32, 1),
    ("8B 8K B4 pads int4 pre bf16 Q4", dict(B=4, G=8, D=128, S=4, N=31, L=256, n_hot=200, cap=400, RK=16, RV=32,
                                            quant="int4", dtype=torch.bfloat16, pad_max=3000), 32, 4),
    ("8B 8K int8 post fp16", dict(B=2, G=8, D=128, S=4, N=31, L=256, n_hot=140, cap=400, RK=24, RV=40,
                                  quant="int8", rope="post", dtype=torch.float16), 32, 1),
    ("8B 8K none pre fp32", dict(B=1, G=8, D=128, S=4, N=31, L=256, n_hot=300, cap=400, RK=16, RV=32,
                                 quant=None, dtype=torch.float32, attention_scaling=1.1), 32, 1),
    ("smol 8K int4 pre bf16 B8", dict(B=8, G=3, D=64, S=4, N=31, L=256, n_hot=252, cap=400, RK=16, RV=32,
                                      quant="int4", dtype=torch.bfloat16, pad_max=500), 9, 1),
    ("smol 4K none post fp32 Q3", dict(B=2, G=3, D=64, S=4, N=15, L=256, n_hot=130, cap=400, RK=10, RV=22,
                                       quant=None, rope="post", dtype=torch.float32), 9, 3),
    ("smol 4K int4 pre fp16 L128 r6", dict(B=1, G=3, D=64, S=2, N=30, L=128, n_hot=100, cap=400, RK=6, RV=126,
                                           quant="int4", dtype=torch.float16), 9, 1),
    ("8B 32K int4 pre bf16, int4 values", dict(B=2, G=8, D=128, S=4, N=127, L=256, n_hot=252, cap=400, RK=16,
                                               RV=32, quant="int4", dtype=torch.bfloat16, values="int4",
                                               pad_max=900), 32, 1),
    ("smol 8K int8 post fp16, int4 values Q2", dict(B=4, G=3, D=64, S=4, N=31, L=256, n_hot=200, cap=400, RK=16,
                                                    RV=32, quant="int8", rope="post", dtype=torch.float16,
                                                    values="int4"), 9, 2),
    ("MHA 4K int8 pre bf16 Q2", dict(B=1, G=4, D=128, S=0, N=15, L=256, n_hot=20, cap=400, RK=32, RV=32,
                                     quant="int8", dtype=torch.bfloat16), 4, 2),
]
fails = 0
for name, kw, H, Qn in cases:
    try:
        layer = random_layer(**kw, device="cuda", seed=len(name))
        q = torch.randn(kw["B"], H, Qn, kw["D"], device=dev).to(kw["dtype"])
        assert kernel_route(q, layer) is None, kernel_route(q, layer)
        out = spectral_decode_attention(q, layer, kw["D"] ** -0.5)
        err = rel_err(out, dense_oracle(q, layer, kw["D"] ** -0.5))
        ok = err < TOLERANCE[kw["dtype"]]
        fails += not ok
        say(f"check {name:34s} rel err {err:.2e} {'ok' if ok else 'FAIL'}")
    except Exception as e:
        fails += 1; say(f"check {name:34s} ERROR {type(e).__name__}: {e}"); traceback.print_exc()
    torch.cuda.empty_cache()

# the real cache and the real reference, where those modules exist
from unsloth_spectral.spectral_cache import SpectralLayer
from unsloth_spectral.spectral_attention import spectral_attention
for cfg, dt in ((SpectralConfig(), torch.bfloat16),
                (SpectralConfig(rope="post", quant="int8", values="lowrank"), torch.float16)):
  try:
        G, D, H, T = 8, 128, 32, 4096
        inv_freq = 1.0 / (500000 ** (torch.arange(0, D, 2).float() / D))
        lay = SpectralLayer(cfg, G, D, inv_freq)
        base = torch.randn(1, G, 1, D, device=dev)
        k = (base + 0.3 * torch.randn(1, G, T, D, device=dev)).to(dt)
        v = torch.randn(1, G, T, D, device=dev).to(dt)
        lay.append(k, v); lay.fold()
        lay.append(k[:, :, :1], v[:, :, :1])
        q = torch.randn(1, H, 1, D, device=dev).to(dt)
        route = kernel_route(q, lay)
        a = spectral_decode_attention(q, lay, D ** -0.5)
        ref = spectral_attention(q, lay, D ** -0.5)
        err = rel_err(a, ref.double())
        ok = route is None and err < TOLERANCE[dt]
        fails += not ok
        say(f"check SpectralLayer {cfg.rope} {cfg.quant} {dt} vs spectral_attention: N={lay.n_cold} "
            f"route={route} rel err {err:.2e} {'ok' if ok else 'FAIL'}")
  except Exception as e:
    fails += 1; say(f"check SpectralLayer {cfg.rope} {cfg.values}: ERROR ({type(e).__name__}: {e})")
say(f"correctness: {fails} failure(s), {time.time() - t0:.0f}s")

# ---- 2. tuning sweep (tile, warps, stages; then programs per SM) -------------------------------------------
cfg = SpectralConfig()
best = {}
SWEEP = "--sweep" in sys.argv
VARIANTS = {"pre": [(32, 4, 1), (64, 4, 1), (64, 8, 1), (64, 8, 2), (128, 8, 1)],
            "post": [(128, 4, 1), (128, 4, 2), (64, 4, 2), (128, 8, 2)]}
t0 = time.time()
best = {"pre": {}, "post": {}}
for rope in (("pre", "post") if SWEEP else ()):
    c = replace(cfg, rope=rope)
    scores = {}
    for T, B in ((32768, 8), (131072, 1)):
        layer = bench_layer(B, 8, 128, T, c, torch.bfloat16, dev)
        q = torch.randn(B, 32, 1, 128, device=dev, dtype=torch.bfloat16)
        ins = [(q, layer_args(layer), layer.inv_freq if rope == "pre" else None)]
        vals = c.values
        for tile, nw, ns in VARIANTS[rope]:
            for sf in (2, 4, 8):
                kk = dict(tile=tile, num_warps=nw, num_stages=ns, split_factor=sf)
                try:
                    us = time_rotating(lambda q, a, f: decode_attention_factors(q, *a, 128 ** -0.5, quant="int4",
                                                                                 inv_freq=f, values=vals, **kk), ins)
                except Exception as e:
                    say(f"sweep {rope} {kk} ERROR {type(e).__name__}: {str(e)[:300]}"); break
                scores.setdefault(tuple(kk.items()), []).append(us)
        del layer, ins; torch.cuda.empty_cache()
    ranked = sorted((sum(v) , k, v) for k, v in scores.items() if len(v) == 2)
    for tot, k, v in ranked[:5]: say(f"sweep {rope}: {dict(k)} 32K/B8 {v[0]:.1f} us, 128K/B1 {v[1]:.1f} us")
    best[rope] = dict(ranked[0][1])
say(f"sweep: {time.time() - t0:.0f}s; best {best}")

# ---- 3. tables (most important first; a table starts only while the time budget lasts) ------------------------
tables = {}
t0 = time.time()
T_BUDGET = float(os.environ.get("KERNEL_GPU_BUDGET_S", 150))
smol = dict(contexts=(4096, 8192, 32768), heads=9, kv_heads=3, head_dim=64)
for title, kw in (("Llama-3-8B attention (32 q heads, 8 KV heads, D 128), bf16, default config "
                   "(keys rank 16 int4 pre-RoPE, per-token int4 values)", dict(**best["pre"])),
                  ("SmolLM2-135M attention (9 q heads, 3 KV heads, D 64), bf16, default config", dict(**smol, **best["pre"])),
                  ("Llama-3-8B, low-rank values (rank 32, int4 codes)", dict(config=replace(cfg, values="lowrank"),
                                                                            **best["pre"])),
                  ("SmolLM2-135M, low-rank values (rank 32, int4 codes)", dict(config=replace(cfg, values="lowrank"),
                                                                               **smol, **best["pre"])),
                  ("Llama-3-8B, post-RoPE keys, low-rank values", dict(config=replace(cfg, rope="post", values="lowrank"),
                                                                        **best["post"]))):
    if time.time() - T_SCRIPT > T_BUDGET: say(f"\n{title}: skipped (time budget)"); continue
    say(f"\n{title}  [{props.name}] {kw}"); say(TABLE_HEADER)
    try:
        rows = run_benchmark(verbose=True, **kw)
    except Exception as e:
        say(f"ERROR {type(e).__name__}: {str(e)[:300]}"); traceback.print_exc(); continue
    for r in rows: summary.append(format_row(r))
    tables[title] = rows
say(f"tables: {time.time() - t0:.0f}s")
# ---- 4. last, since a fault there would end CUDA for this process: the shape 06b saw fault on an H100 (~02:50) ----
try:
    kw = dict(B=1, G=4, D=64, S=4, N=7, L=128, n_hot=125, cap=208, RK=64, RV=64, quant=None, dtype=torch.bfloat16)
    layer = random_layer(**kw, device="cuda", seed=7)
    q = torch.randn(1, 16, 1, 64, device=dev).to(torch.bfloat16)
    err = rel_err(spectral_decode_attention(q, layer, 0.125), dense_oracle(q, layer, 0.125))
    torch.cuda.synchronize()
    say(f"check 06b fault shape (B1 H16 G4 D64 r64 quant None L128 N7 hot 125/208): rel err {err:.2e} "
        f"{'ok' if err < TOLERANCE[torch.bfloat16] else 'FAIL'}")
except Exception as e:
    say(f"check 06b fault shape: ERROR {type(e).__name__}: {str(e)[:300]}")
json.dump(dict(device=props.name, tables=tables, best={f"{k}": v for k, v in best.items()}),
          open(f"{OUT}/kernel_gpu.json", "w"), indent=1, default=str)
print("\n==== SUMMARY ====\n" + "\n".join(summary))
