"""A bare read of as many bytes as the spectral call reads (session 16): what the eager `do_bench` method allows any
single-pass reader at 32K B=8. A Triton kernel streams one contiguous buffer of the call's byte count (int32 words,
one sum per program stored, so nothing is optimised away) in one wave of programs; timed as the tables time the call:
eager `do_bench` (256 MB memset flush), and from a CUDA graph; beside it, in the same process, the copy bandwidth
(`copy_bandwidth`, 2 GB), SDPA and the shipped call (post-RoPE, int8 basis). Shares are of the copy bandwidth.
usage: PYTHONPATH=.:bench python3 bench/v20/bare.py"""
import os, sys, torch, triton, triton.language as tl
import torch.nn.functional as F
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from timing import graph_us, start
from v16.ab import case
from v12.ab import load
from unsloth_spectral.benchmark import decode_bytes
from unsloth_spectral import SpectralConfig

@triton.jit
def _read(X, OUT, n_words, per_prog, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    lo = pid * per_prog
    acc = tl.zeros([BLOCK], tl.int32)
    for off in range(lo, lo + per_prog, BLOCK):
        i = off + tl.arange(0, BLOCK)
        acc += tl.load(X + i, mask=i < n_words, other=0)
    tl.store(OUT + pid, tl.sum(acc, 0))

def reader(nbytes, progs, block, warps):
    n = nbytes // 4
    x = torch.randint(-100, 100, (n,), dtype=torch.int32, device="cuda")
    out = torch.empty(progs, dtype=torch.int32, device="cuda")
    per = -(-n // progs)
    per = -(-per // block) * block
    return lambda: _read[(progs,)](x, out, n, per, BLOCK=block, num_warps=warps), x

if __name__ == "__main__":
    bench, copy, sms = start()
    lays, qs, run, call, grid = case(load("pkg", 0), 8, 127, 0, 0, 4, "post", "int8")
    plan = call.plans[0]
    cfg = SpectralConfig(rope="post", rank_policy="fixed", basis_quant="int8")
    mb = decode_bytes(8, 32, 8, 128, 32768, cfg, n_splits=plan.n_splits, part_bytes=2)
    kv = [torch.randn(8, 8, 32768, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
    q = torch.randn(8, 32, 1, 128, device="cuda", dtype=torch.bfloat16)
    sdpa = lambda: F.scaled_dot_product_attention(q, kv[0], kv[1], enable_gqa=True)
    sd, sg = bench(sdpa), graph_us(sdpa)
    print(f"copy {copy:.0f} GB/s; the call's bytes {mb / 1e6:.1f} MB; SDPA do_bench {sd:.1f} graph {sg:.1f} µs", flush=True)
    pct = lambda t: 100 * mb / t / 1e3 / copy
    for rnd in range(2):
        e, g = bench(call), graph_us(call)
        print(f"  spectral call: do_bench {e:.1f} µs ({pct(e):.1f}% of copy, {sd / e:.2f}x SDPA)  graph {g:.1f} "
              f"({pct(g):.1f}%, {sg / g:.2f}x)", flush=True)
        for progs, block, warps in ((sms * 4, 2048, 8), (sms * 8, 1024, 4), (sms * 16, 1024, 4), (sms * 12, 512, 1)):
            f, x = reader(mb, progs, block, warps)
            e, g = bench(f), graph_us(f)
            print(f"  bare read, {progs} programs x {warps} warps, {block} words a load: do_bench {e:.1f} µs "
                  f"({pct(e):.1f}% of copy)  graph {g:.1f} ({pct(g):.1f}%)", flush=True)
            del x
