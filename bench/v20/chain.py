"""PDL around the split kernel (session 16, `bench/v20/gk32.py`): correctness and a production-like eager chain.
For each case and VARS module: 40 eager calls, each after a copy kernel that writes the query buffer the call reads
(so a split kernel that read the query before `griddepcontrol.wait` would read a stale one), no synchronisation,
every output against the float64 oracle of the query copied in; the same with the plain back-to-back calls replayed
from a CUDA graph. Then the chain's time: 200 (copy, call) pairs between two events, no flush (the host stays ahead
where a call takes longer than its launches), µs per pair, against the copy kernel's chain alone.
VARS and CASES as in bench/v16/ab.py.
usage: VARS="old=pkg,pdls=bench/v20/gk32.py:GK_PDLS=1" CASES="8/127/0/0/4/post/int8" PYTHONPATH=.:bench python3 bench/v20/chain.py"""
import os, sys, torch
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from v12.ab import load
from v16.ab import case
from unsloth_spectral.triton_attention import dense_oracle, rel_err

def chain_us(step, n=200, rounds=5):
    "Median over rounds of µs per step of n steps enqueued back to back between two events."
    ts = []
    for _ in range(rounds):
        torch.cuda.synchronize()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for j in range(n): step(j)
        b.record(); torch.cuda.synchronize()
        ts.append(1e3 * a.elapsed_time(b) / n)
    return sorted(ts)[len(ts) // 2]

print(torch.cuda.get_device_name(), torch.__version__, flush=True)
vs = [(v.split("=", 1)[0], load(v.split("=", 1)[1], i)) for i, v in enumerate(os.environ["VARS"].split(","))]
for c in os.environ.get("CASES", "8/127/0/0/4/post/int8").split(","):
    c = c.split("/")
    B, N, seed, pad, HPG = map(int, c[:5])
    for label, m in vs + vs:
        lays, qs, run, f, grid = case(m, B, N, seed, pad, HPG, c[5], None if c[6] == "-" else c[6])
        plans = f.plans
        qsrc = [torch.randn_like(qs[0]) for _ in range(4)]
        qbuf = [q.clone() for q in qs]
        refs = [[dense_oracle(qsrc[j], lays[i], 128 ** -0.5) for j in range(4)] for i in range(2)]
        def step(j):
            i = j % 2
            qbuf[i].copy_(qsrc[j % 4])
            return plans[i](qbuf[i], lays[i].n_hot)
        step(0); step(1); torch.cuda.synchronize()
        outs = [step(j) for j in range(40)]
        torch.cuda.synchronize()
        errs = [rel_err(o, refs[j % 2][j % 4]) for j, o in enumerate(outs)]
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g): gouts = [f() for _ in range(8)]
        g.replay(); torch.cuda.synchronize()
        grefs = [dense_oracle(qs[i], lays[i], 128 ** -0.5) for i in range(2)]
        gerrs = [rel_err(o, grefs[i % 2]) for i, o in enumerate(gouts)]
        t = chain_us(step)
        t0 = chain_us(lambda j: qbuf[j % 2].copy_(qsrc[j % 4]))
        print(f"{'/'.join(c)} {label:6s}: eager max err {max(errs):.2e}; graph max {max(gerrs):.2e}"
              f"{'  MISMATCH' if max(errs + gerrs) > 1e-2 else ''}; chain {t:.1f} µs a (copy, call), copy alone {t0:.1f}",
              flush=True)
        del lays, run, f, g, plans; torch.cuda.empty_cache()
