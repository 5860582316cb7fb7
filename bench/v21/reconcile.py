"""Why the tables' eager time of the int8-basis call at 32K B=8 (`run_benchmark`) and the A/B harness's
(`bench/v16/ab.py`) differ (session 17: 63.4 against 62.0-62.3 µs): the same `bench_layer` caches as the tables make,
timed eagerly (`do_bench`, rotating inputs) through `spectral_decode_attention` (the integration's call, as the tables
time it) and through the layer's plan directly (no host path), and from a CUDA graph; then `random_layer` caches as
the A/B harness makes them, through their plans.
usage: PYTHONPATH=.:bench python3 bench/v21/reconcile.py"""
import time, torch
from dataclasses import replace
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer, cache_shape, time_graph, time_rotating
from unsloth_spectral.triton_attention import random_layer, spectral_decode_attention

print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
T, B, s = 32768, 8, 128 ** -0.5
cfg = replace(SpectralConfig(), rope="post", basis_quant="int8")
print("cache_shape (sinks, blocks, hot):", cache_shape(T, cfg))
ins = [(torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16), bench_layer(B, 8, 128, T, cfg)) for _ in range(2)]
ab = [random_layer(B=B, G=8, D=128, S=4, N=127, L=256, n_hot=252, cap=400, RK=16, quant="int4", rope="post",
                   values="int4", dtype=torch.bfloat16, device="cuda", seed=2 + 10 * i, basis_quant="int8") for i in range(2)]
ab = [(torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16), l) for l in ab]
call = lambda q, l: spectral_decode_attention(q, l, s)
for q, l in ins + ab: call(q, l)
direct = lambda q, l: l._spectral_plan.plan(q, l.n_hot)
for name, x in (("bench_layer", ins), ("random_layer", ab)):
    p = x[0][1]._spectral_plan.plan
    print(f"{name}: n_hot {x[0][1].n_hot}, splits {p.n_splits}, grid {p.split_grid}, balanced {p.balanced}")
for rnd in range(3):
    for name, x in (("bench_layer", ins), ("random_layer", ab)):
        print(f"  round {rnd} {name}: eager via spectral_decode_attention {time_rotating(call, x):.1f} µs, "
              f"plan directly {time_rotating(direct, x):.1f}, graph {time_graph(call, x):.1f}", flush=True)
