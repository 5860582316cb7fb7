"""Does a tile's layout cost bandwidth (session 19)? A bare read of the cold tiles' bytes at 32K B=8 (8B shapes: 32,512
tiles of 64 tokens, 154 MB) by 1,584 one-warp programs (the call's shape, 12 per SM), each a contiguous run of tiles:
either from three tensors as the cache keeps them (per tile 4,096 B of value codes, 512 B of key codes, 128 B of
value scales, each from its own tensor) or from one packed record of 4,736 B per tile. Same loads, same order; only
the addresses differ. Eager `do_bench` and CUDA-graph medians, two rounds.
usage: PYTHONPATH=.:bench python3 bench/v23/layout.py"""
import os, sys, torch, triton, triton.language as tl
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from timing import graph_us, start

@triton.jit
def _read(A, K, S, OUT, per_prog, n_t, PACKED: tl.constexpr):
    pid = tl.program_id(0)
    wa, wk, ws = tl.arange(0, 1024), tl.arange(0, 128), tl.arange(0, 32)
    acc, acck, accs = tl.zeros([1024], tl.int32), tl.zeros([128], tl.int32), tl.zeros([32], tl.int32)
    lo = pid * per_prog
    for t in range(lo, tl.minimum(lo + per_prog, n_t)):   # (offsets under 2^31 words at this size)
        if PACKED:   # one record of 1,184 words: values, keys, scales
            acc += tl.load(A + t * 1184 + wa)
            acck += tl.load(A + t * 1184 + 1024 + wk)
            accs += tl.load(A + t * 1184 + 1152 + ws)
        else:
            acc += tl.load(A + t * 1024 + wa)
            acck += tl.load(K + t * 128 + wk)
            accs += tl.load(S + t * 32 + ws)
    tl.store(OUT + pid, tl.sum(acc, 0) + tl.sum(acck, 0) + tl.sum(accs, 0))

if __name__ == "__main__":
    bench, copy, sms = start()
    n_t = 8 * 8 * 32512 // 64
    rnd = lambda n: torch.randint(-100, 100, (n,), dtype=torch.int32, device="cuda")
    a, k, s, p = rnd(n_t * 1024), rnd(n_t * 128), rnd(n_t * 32), rnd(n_t * 1184)
    mb = n_t * 4736 / 1e6
    print(f"copy {copy:.0f} GB/s; {n_t} tiles, {mb:.1f} MB", flush=True)
    for progs, warps in ((sms * 12, 1), (sms * 24, 1), (sms * 8, 4)):
        outs = [torch.empty(progs, dtype=torch.int32, device="cuda") for _ in range(2)]
        per = -(-n_t // progs)
        fs = {"three tensors": lambda: _read[(progs,)](a, k, s, outs[0], per, n_t, PACKED=False, num_warps=warps),
              "packed records": lambda: _read[(progs,)](p, p, p, outs[1], per, n_t, PACKED=True, num_warps=warps)}
        for f in fs.values(): f()
        torch.cuda.synchronize()
        want = [a.view(n_t, 1024).sum(1) + k.view(n_t, 128).sum(1) + s.view(n_t, 32).sum(1),
                p.view(n_t, 1184).sum(1)]
        for o, w in zip(outs, want):   # every program's sum (int32 wrap-around alike)
            ref = torch.stack([w[i * per:(i + 1) * per].sum() for i in range(progs)]).to(torch.int32)
            assert torch.equal(o, ref), "a reader summed the wrong words"
        for r in range(2):
            for name, f in fs.items():
                e, g = bench(f), graph_us(f)
                print(f"  {progs} programs x {warps} warps, {name:15s}: do_bench {e:6.1f} µs "
                      f"({100 * mb / e * 1e3 / copy:.1f}% of copy)  graph {g:6.1f} ({100 * mb / g * 1e3 / copy:.1f}%)",
                      flush=True)
