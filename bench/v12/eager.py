"""Where the eager call's time goes against the graph replay (session 9): the post-RoPE table layer (bench_layer,
default post-RoPE config) and SDPA on dense KV, timed four ways on the same inputs:
  membench  triton.testing.do_bench as the tables use it (L2 flushed by a 256 MB memset before each call: the
            flush leaves ~60 MB of dirty lines in L2, written back while the timed call reads)
  readflush the same loop, but L2 flushed by reading 256 MB (clean lines)
  noflush   back-to-back eager calls, alternating two input sets (no flush)
  graph     CUDA-graph replays alternating two input sets (no host launch cost)
and the device time per kernel by torch's profiler."""
import os, sys, time, torch, triton
from dataclasses import replace
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
from timing import graph_us
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer
from unsloth_spectral.triton_attention import spectral_decode_attention
import torch.nn.functional as F

def events_us(fn, flush=None, reps=200):
    st = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]; en = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for _ in range(5): fn()
    torch.cuda.synchronize()
    for i in range(reps):
        if flush is not None: flush()
        st[i].record(); fn(); en[i].record()
    torch.cuda.synchronize()
    ts = sorted(s.elapsed_time(e) for s, e in zip(st, en))
    return 1e3 * ts[len(ts) // 2]

print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
buf = torch.empty(256 * 2 ** 20 // 4, dtype=torch.int32, device="cuda")
sink = torch.empty((), dtype=torch.int64, device="cuda")
def readflush(): torch.sum(buf, dim=0, dtype=torch.int64, out=sink)
c = replace(SpectralConfig(), rope="post")
for T, B in ((32768, 8), (131072, 1), (4096, 1)):
    lays = [bench_layer(B, 8, 128, T, c, torch.bfloat16, "cuda") for _ in range(2)]
    qs = [torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    kv = [(torch.randn(B, 8, T, 128, device="cuda", dtype=torch.bfloat16),
           torch.randn(B, 8, T, 128, device="cuda", dtype=torch.bfloat16)) for _ in range(2)]
    it = [0]
    def spec():
        i = it[0] % 2; it[0] += 1
        return spectral_decode_attention(qs[i], lays[i], 128 ** -0.5)
    def sdpa():
        i = it[0] % 2; it[0] += 1
        return F.scaled_dot_product_attention(qs[i], kv[i][0], kv[i][1], enable_gqa=True)
    for name, fn in (("spectral", spec), ("SDPA", sdpa)):
        r = dict(membench=1e3 * triton.testing.do_bench(fn, warmup=10, rep=60, return_mode="median"),
                 readflush=events_us(fn, readflush), noflush=events_us(fn), graph=graph_us(fn))
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(20): fn()
            torch.cuda.synchronize()
        k = {e.key[:36]: round((getattr(e, "device_time_total", 0) or 0) / e.count, 1) for e in prof.key_averages() if e.count}
        print(f"{T // 1024}K B{B} {name:8s} " + "  ".join(f"{n} {v:6.1f}" for n, v in r.items()) + f"  kernels/call {k}", flush=True)
    del lays, kv; torch.cuda.empty_cache()
