"""Where each program of one decode call ran and when it ended, by warp scheduler (session 17, `bench/v21/gk34.py`):
the question is whether a scheduler's share of the cold tiles, not its SM's, sets when its last program ends. The
last call of a CUDA-graph replay of 16, and one eager call after a memset flush. 8B shapes, post-RoPE rank-16 int4
keys with an int8 basis, per-token int4 values.
DUMP=dir: each report's raw stamps also saved there (`torch.save`, int64 [programs, 8]) for study off the device.
usage: VARS="label=bench/v21/gk34.py[:GK_BALPOST=1:GK_HW=10],..." [SHAPES=B/N,...] PYTHONPATH=.:bench python3 bench/v21/stamps.py"""
import os, sys, time, torch
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from timing import graph_us
from v12.ab import load
from v16.ab import case

def corr(x, y):
    x, y = x.double() - x.double().mean(), y.double() - y.double().mean()
    return float((x * y).sum() / ((x * x).sum() * (y * y).sum()).sqrt().clamp_min(1e-30))

def report(tag, plan, hot_w, dump=None):
    ts = plan.ts.cpu().view(-1, 8)
    if dump: torch.save(ts.clone(), dump)
    t0 = ts[:, 0].min()
    st, fi, en = ((ts[:, k] - t0).double() / 1e3 for k in range(3))   # µs from the first start
    sm, wid, nt, hot = ts[:, 3], ts[:, 4], ts[:, 5].double(), ts[:, 6].bool()
    work = nt + hot_w * hot.double()   # a program's weight in cold tiles (a hot chunk counted as hot_w)
    cold = nt > 0
    q = lambda x: "p10 {:.1f} p50 {:.1f} p90 {:.1f} max {:.1f}".format(
        *[float(v) for v in torch.quantile(x, torch.tensor([.1, .5, .9, 1.], dtype=torch.float64))])
    print(f"{tag}: span {float(en.max()):.2f} µs, {len(ts)} programs; cold tiles a program: "
          f"{sorted(set(nt[cold].long().tolist()))[:12]}")
    print(f"  programs with cold tiles, end {q(en[cold])}; first tile landed {q((fi - st)[cold])}")
    if hot.any(): print(f"  hot programs, end {q(en[hot])}")
    sub = wid % 4
    print("  mean end of programs with cold tiles by scheduler (%warpid % 4): "
          + " ".join(f"{k}:{float(en[cold & (sub == k)].mean()):.1f}" for k in range(4) if (cold & (sub == k)).any()))
    key = sm * 4 + sub
    ks = key.unique()
    s_work = torch.stack([work[key == k].sum() for k in ks])
    s_long = torch.stack([(nt[key == k] >= 0.9 * nt.max()).sum() for k in ks])
    s_end = torch.stack([en[key == k].max() for k in ks])
    s_n = torch.stack([(key == k).sum() for k in ks])
    print(f"  {len(ks)} schedulers; their last end against their work (tiles): corr {corr(s_work, s_end):.2f}")
    for k in sorted(set(s_long.tolist())):
        m = s_long == k
        print(f"    {int(m.sum()):4d} schedulers with {k} long programs (>= 90% of the most tiles): last end mean "
              f"{float(s_end[m].mean()):.1f} max {float(s_end[m].max()):.1f}; work mean {float(s_work[m].mean()):.1f}; "
              f"programs {float(s_n[m].double().mean()):.2f}")
    sms = sm.unique()
    m_work = torch.stack([work[sm == k].sum() for k in sms])
    m_end = torch.stack([en[sm == k].max() for k in sms])
    print(f"  {len(sms)} SMs; their last end against their work: corr {corr(m_work, m_end):.2f}; "
          f"work {float(m_work.min()):.0f}-{float(m_work.max()):.0f}")
    # a program's end against its own tiles and against its scheduler's other work
    other = torch.stack([s_work[(ks == k).nonzero()[0, 0]] for k in key]) - work
    c = cold & (nt >= 0.9 * nt.max())
    print(f"  long programs: end against their scheduler's other work corr {corr(other[c], en[c]):.2f}, against the "
          f"SM's other work corr {corr(torch.stack([m_work[(sms == s).nonzero()[0, 0]] for s in sm])[c] - work[c], en[c]):.2f}")
    for k in sorted(set(other[c].tolist()))[:: max(1, len(set(other[c].tolist())) // 8)]:
        m = c & (other == k)
        print(f"    scheduler's other work {k:5.0f}: {int(m.sum()):4d} long programs, end mean {float(en[m].mean()):.1f}")

if __name__ == "__main__":
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    HOT_W = float(os.environ.get("HOT_W", 11))
    vs = [(v.split("=", 1)[0], load(v.split("=", 1)[1], i)) for i, v in enumerate(os.environ["VARS"].split(","))]
    for B, N in (tuple(map(int, c.split("/"))) for c in os.environ.get("SHAPES", "8/127").split(",")):
        for label, m in vs:
            lays, qs, run, call, grid = case(m, B, N, 0, 0, 4, "post", "int8")
            plans = call.plans
            g = graph_us(call)
            torch.cuda.synchronize()
            print(f"\n{label}: B{B} T{N * 256 + 256}: graph {g:.1f} µs a call (stamped), grid {grid}")
            d = os.environ.get("DUMP")
            dump = (lambda kind: f"{d}/{label}_B{B}_N{N}_{kind}.pt") if d else (lambda kind: None)
            report("graph replay, a late call", plans[0] if plans[0].ts[..., 2].max() > plans[1].ts[..., 2].max() else plans[1],
                   HOT_W, dump("graph"))
            buf = torch.empty(64 * 2 ** 20, dtype=torch.int32, device="cuda")
            for _ in range(3):
                buf.zero_()
                plans[0](qs[0], lays[0].n_hot)
            torch.cuda.synchronize()
            report("eager after a memset flush", plans[0], HOT_W, dump("eager"))
            del lays, plans, call, run; torch.cuda.empty_cache()
