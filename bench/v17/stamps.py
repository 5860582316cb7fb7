"""Per-program %globaltimer stamps of one decode call (session 13, `bench/v17/gk24.py`): when programs start, when
their first tile has landed, when they reach their stores, and on which multiprocessor (end times by the number of programs sharing it); the last call of a CUDA-graph replay of 16, and one eager
call after a memset flush. 8B shapes, post-RoPE rank-16 int4 keys with an int8 basis, per-token int4 values.
usage: [GK=module path] [SHAPES=B/N,...] PYTHONPATH=. python3 bench/v17/stamps.py"""
import importlib.util, os, sys, time, torch
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from timing import graph_us
from v16.ab import case

GK = os.environ.get("GK", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gk24.py"))   # a module with stamps
spec = importlib.util.spec_from_file_location("gk", GK)
gk = importlib.util.module_from_spec(spec); spec.loader.exec_module(gk)

def report(tag, plan):
    ts = plan.ts.double().cpu()
    t0 = ts[..., 0].min()
    st, fi, en = ((ts[..., k] - t0) / 1e3 for k in range(3))   # µs
    cold, hot = (slice(None), slice(plan.n_hot_splits, None)), (slice(None), slice(0, plan.n_hot_splits))
    q = lambda x: "p0 {:.2f} p10 {:.2f} p50 {:.2f} p90 {:.2f} max {:.2f}".format(
        *[float(v) for v in torch.quantile(x.flatten(), torch.tensor([0., .1, .5, .9, 1.], dtype=torch.float64))])
    print(f"{tag}: span {float(en.max()):.2f} µs over {ts.shape[0] * ts.shape[1]} programs")
    print(f"  cold start        {q(st[cold])}")
    print(f"  cold first wait   {q((fi - st)[cold])}")
    print(f"  cold end          {q(en[cold])}")
    print(f"  cold run (end - start) {q((en - st)[cold])}")
    print(f"  hot end           {q(en[hot])}")
    sm = ts[..., 3].long().flatten()
    per_sm = torch.bincount(sm, minlength=int(sm.max()) + 1)
    load = per_sm[sm].view(ts.shape[:2])   # programs resident with each program (all launch at once: one wave)
    for k in sorted(set(load[cold].flatten().tolist())):
        m = (load == k) & (torch.arange(ts.shape[1])[None, :] >= plan.n_hot_splits) & ((en - st) > 20)
        if m.any(): print(f"  cold programs on an SM of {k}: {int(m.sum())}, end p50 {float(en[m].median()):.2f} max {float(en[m].max()):.2f}")
    per_split = [float(en[:, j][(en - st)[:, j] > 20].mean()) if ((en - st)[:, j] > 20).any() else float("nan")
                 for j in range(plan.n_hot_splits, ts.shape[1])]
    print("  mean end by cold split index:", " ".join(f"{j + plan.n_hot_splits}:{v:.1f}" for j, v in enumerate(per_split)))
    lin = (torch.arange(ts.shape[1])[None, :] * ts.shape[0] + torch.arange(ts.shape[0])[:, None]).flatten()   # launch order
    rank = torch.empty_like(lin)
    for m in sm.unique():
        idx = (sm == m).nonzero().flatten()
        rank[idx[lin[idx].argsort()]] = torch.arange(len(idx))
    full = ((en - st) > 20).flatten() & (torch.arange(ts.shape[1])[None, :].expand(ts.shape[:2]) >= plan.n_hot_splits).flatten()
    print("  mean end of full cold programs by launch rank on their SM:",
          " ".join(f"{k}:{float(en.flatten()[full & (rank == k)].mean()):.1f}" for k in range(int(rank.max()) + 1)
                   if (full & (rank == k)).any()))
    last = en[cold].flatten().argsort()[-8:]
    n_cold = ts.shape[1] - plan.n_hot_splits
    print("  the 8 last cold programs (b g, split, SM, programs on it):",
          [(int(i // n_cold), int(i % n_cold) + plan.n_hot_splits, int(sm.view(ts.shape[:2])[cold].flatten()[i]),
            int(load[cold].flatten()[i])) for i in last])

if __name__ == "__main__":
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    for B, N in (tuple(map(int, c.split("/"))) for c in os.environ.get("SHAPES", "8/127,1/511,8/511").split(",")):
        lays, qs, run, call, grid = case(gk, B, N, 0, 0, 4, "post", "int8")
        plans = call.plans
        g = graph_us(call)
        torch.cuda.synchronize()
        print(f"\nB{B} T{N * 256 + 256}: graph {g:.1f} µs a call (stamped), grid {plans[0].split_grid}")
        report("graph replay, a late call", plans[0] if plans[0].ts.max() > plans[1].ts.max() else plans[1])
        buf = torch.empty(64 * 2 ** 20, dtype=torch.int32, device="cuda")
        for flush in ("memset", "read"):
            for _ in range(3):
                buf.zero_() if flush == "memset" else buf.sum()
                plans[0](qs[0], lays[0].n_hot)
            torch.cuda.synchronize()
            report(f"eager after a {flush} flush", plans[0])
        del lays, plans; torch.cuda.empty_cache()
