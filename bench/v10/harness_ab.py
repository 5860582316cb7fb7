"Why the table harness (run_benchmark) and the A/B loop disagree (session 7, 20:21): both ways, old and new kernel module, one process."
import importlib.util, os
import torch, triton
from unsloth_spectral import benchmark as bm, triton_attention as new
from unsloth_spectral.core import SpectralConfig
spec = importlib.util.spec_from_file_location("old_ta", os.environ.get("OLD", ".carry/old_ta.py"))
old = importlib.util.module_from_spec(spec); spec.loader.exec_module(old)
cfg = SpectralConfig(rope="post")
for name, m in (("new", new), ("old", old), ("new", new)):
    bm.spectral_decode_attention, bm.kernel_route = m.spectral_decode_attention, m.kernel_route
    r = bm.run_benchmark(contexts=(32768,), batches=(8,), config=cfg, dense=False, verbose=False)[0]
    lays = [bm.bench_layer(8, 8, 128, 32768, cfg, torch.bfloat16, "cuda") for _ in range(2)]
    qs = [torch.randn(8, 32, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    it = [0]
    def f():
        i = it[0] % 2; it[0] += 1
        return m.spectral_decode_attention(qs[i], lays[i], 128 ** -0.5)
    ab = 1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median")
    rot = bm.time_rotating(lambda q, l: m.spectral_decode_attention(q, l, 128 ** -0.5), list(zip(qs, lays)))
    print(f"{name}: run_benchmark {r['us']:.1f} us; do_bench loop {ab:.1f} us; time_rotating on the loop's inputs {rot:.1f} us", flush=True)
    del lays; torch.cuda.empty_cache()
