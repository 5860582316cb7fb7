"Host cost of the Gluon plan against the Triton plan (session 8): eager per-call time at 4K B=1 (GPU time ~15 us), whether the direct launch is in use."
import time, torch, triton
from unsloth_spectral import triton_attention as ta
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer
cfg = SpectralConfig(rope="post")
for T, B in ((4096, 1), (32768, 1)):
    for opts in (dict(), dict(gluon=False)):
        lay = bench_layer(B, 8, 128, T, cfg, torch.bfloat16, "cuda")
        q = torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16)
        for _ in range(3): ta.spectral_decode_attention(q, lay, 128 ** -0.5, options=opts)
        torch.cuda.synchronize()
        p = lay._spectral_plan
        n = 200
        t0 = time.perf_counter()
        for _ in range(n): ta.spectral_decode_attention(q, lay, 128 ** -0.5, options=opts)
        host = (time.perf_counter() - t0) / n * 1e6
        torch.cuda.synchronize()
        wall = (time.perf_counter() - t0) / n * 1e6
        print(f"{T // 1024}K B{B} {opts or 'gluon'}: gluon={p.gluon} direct={ta._DIRECT[0]} k_split={p.plan.k_split is not None} "
              f"host {host:.1f} us/call, wall {wall:.1f} us/call", flush=True)
