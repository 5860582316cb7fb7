"""Eager calls at small shapes (session 15): the call the integration makes (`spectral_decode_attention` on layer
plans, 08's `time_rotating` over rotating inputs, `do_bench` with its memset flush) with the merge by PDL and
without it, interleaved over rounds; beside each, the host's enqueue time a call (200 calls back to back), and what
`torch.cuda.is_current_stream_capturing()` costs the host. Post-RoPE keys, int8 basis (the fast config), 8B shapes.
usage: PYTHONPATH=. python3 bench/v19/small.py"""
import time, torch, triton
from unsloth_spectral.benchmark import bench_layer, time_rotating, _rotating, decode_bytes
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.triton_attention import spectral_decode_attention

print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
t0 = time.perf_counter()
for _ in range(10000): torch.cuda.is_current_stream_capturing()
print(f"is_current_stream_capturing: {1e6 * (time.perf_counter() - t0) / 10000:.2f} us a call (host)", flush=True)
cfg = SpectralConfig(rope="post", basis_quant="int8")
l2 = torch.cuda.get_device_properties(0).L2_cache_size
fn = lambda q, layer: spectral_decode_attention(q, layer, 128 ** -0.5)
for T, B in ((4096, 1), (32768, 1), (32768, 8)):
    nbytes = decode_bytes(B, 32, 8, 128, T, cfg)
    ins = _rotating(lambda i: (torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16),
                               bench_layer(B, 8, 128, T, cfg)), nbytes, l2)
    for x in ins: fn(*x)
    plans = [x[1]._spectral_plan.plan for x in ins]
    pdl = [p.k_pdl for p in plans]
    for r in range(4):
        line = f"{T // 1024}K B{B} round {r}:"
        for on in (True, False):
            for p, k in zip(plans, pdl): p.k_pdl = k if on else None
            us = time_rotating(fn, ins)
            torch.cuda.synchronize(); t1 = time.perf_counter()
            for i in range(200): fn(*ins[i % len(ins)])
            host = 1e6 * (time.perf_counter() - t1) / 200
            torch.cuda.synchronize()
            line += f"  PDL {'on ' if on else 'off'} do_bench {us:6.1f} us (host {host:5.1f} us a call)"
        print(line, flush=True)
    del ins, plans; torch.cuda.empty_cache()
