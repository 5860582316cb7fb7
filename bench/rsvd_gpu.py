"""GPU benchmark of the batched randomized SVD (issue 3): accuracy against the optimal truncated SVD and a timing table
against torch.linalg.svd (default driver and gesvda) and torch.svd_lowrank, batch 512 of 512×128 float32.

usage (repo root, CUDA machine): PYTHONPATH=. python3 bench/rsvd_gpu.py [--kv dev/rsvd_smol_kv.pt]
"""
import argparse, datetime, statistics, sys
import torch
from triton.testing import do_bench
from unsloth_spectral import rsvd
from unsloth_spectral.rsvd import randomized_svd, decaying_matrices, optimal_error, rsvd_error

def cuda_ms(fn, reps=3):
    "Median milliseconds of `fn` by CUDA events (for calls too slow for do_bench), one warmup call first."
    fn(); torch.cuda.synchronize(); ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); torch.cuda.synchronize(); ts.append(a.elapsed_time(b))
    return statistics.median(ts)

def fast_ms(fn): return do_bench(fn, warmup=25, rep=200, return_mode="median")

def quality(A, U, S, Vh, opt):
    "Worst error / optimal and worst orthogonality error over the batch."
    ratio = (rsvd_error(A, U, S, Vh) / opt).max().item()
    k = U.shape[-1]; eye = torch.eye(k, device=U.device)
    orth = max((U.mT @ U - eye).abs().max().item(), (Vh @ Vh.mT - eye).abs().max().item())
    return ratio, orth

def variants(rank):
    "Alternatives to the library's small-problem step and sketch width, to see where time goes."
    def run(A, small, oversample=8, n_iter=2):
        X = A.float(); l = min(rank + oversample, X.shape[-1])
        g = torch.Generator(device=X.device).manual_seed(0)
        omega = torch.randn(X.shape[-1], l, generator=g, device=X.device)
        Q = rsvd._range_basis(X, omega, n_iter, rsvd._cholqr2)
        if small is None: return Q
        return small(Q, X.mT @ Q, rank)
    def eigh_full(Q, Bt, r):   # the l×l float64 eigenproblem without the shrink to 32 (looped by torch when l > 32)
        B64 = Bt.double(); lam, W = torch.linalg.eigh(B64.mT @ B64); lam, W = lam.flip(-1)[..., :r], W.flip(-1)[..., :r]
        S = lam.clamp_min(0).sqrt(); return Q @ W.float(), S.float(), ((B64 @ W) / S.unsqueeze(-2)).mT.float()
    def gesvda(Q, Bt, r):
        V, S, Wh = torch.linalg.svd(Bt, full_matrices=False, driver="gesvda")
        return Q @ Wh.mT[..., :r], S[..., :r], V.mT[..., :r, :]
    def svd_r(Q, Bt, r):       # Bᵀ = P R, then the l×l SVD of R (gesvdjBatched when l <= 32)
        P = rsvd._cholqr2(Bt); R = P.mT @ Bt
        X, S, Yh = torch.linalg.svd(R, full_matrices=False)   # R = X S Yh, Bᵀ = (P X) S Yh
        return Q @ Yh.mT[..., :r], S[..., :r], (P @ X).mT[..., :r, :]
    out = {"range basis only (n_iter=2)": (lambda A: run(A, None)),
           "fast path, no check (eigh fp64)": (lambda A: run(A, rsvd._small_eigh)),
           "small step eigh fp64 of the full l×l": (lambda A: run(A, eigh_full)),
           "small step gesvda on Bt": (lambda A: run(A, gesvda)),
           "small step svd of R": (lambda A: run(A, svd_r)),
           "n_iter=1": (lambda A: run(A, rsvd._small_eigh, n_iter=1))}
    if rank + 8 > 32:
        out["l=32 (oversample 0), n_iter=3"] = lambda A: run(A, rsvd._small_eigh, oversample=32 - rank, n_iter=3)
    return out

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--kv", default="dev/rsvd_smol_kv.pt"); ap.add_argument("--batch", type=int, default=512)
    a = ap.parse_args()
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"device: {torch.cuda.get_device_name()} | torch {torch.__version__} | {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC")
    A = decaying_matrices(a.batch, 512, 128, "power", device=dev)          # [512, 512, 128] float32
    print(f"A: {tuple(A.shape)} float32, singular values 1/i, random singular vectors")
    S_opt = torch.linalg.svdvals(A.double().cpu())
    opt = {r: S_opt[..., r:].square().sum(-1).sqrt().to(dev) for r in (16, 32)}

    # accuracy on real SmolLM2 blocks, if the capture was carried
    try:
        kv = torch.load(a.kv)
        for name in ("keys", "values"):
            B = kv[name].unflatten(2, (-1, 256)); B = (B - B.mean(-2, keepdim=True)).to(dev)
            for r in (8, 16, 32):
                U, S, Vh = randomized_svd(B, r)
                ratio, orth = quality(B, U, S, Vh, optimal_error(B.cpu(), r).to(dev))
                print(f"SmolLM2 {name} {tuple(B.shape)} rank {r}: worst error/optimal {ratio:.4f}, orthogonality {orth:.1e}")
    except FileNotFoundError: print(f"(no {a.kv}: real-block accuracy skipped)")
    for dtype in (torch.float16, torch.bfloat16):
        Ad = A.to(dtype); U, S, Vh = randomized_svd(Ad, 32)
        r, o = quality(Ad, U, S, Vh, optimal_error(Ad.cpu(), 32).to(dev))
        print(f"{dtype} input rank 32: worst error/optimal {r:.4f}, orthogonality {o:.1e}")

    t_full = cuda_ms(lambda: torch.linalg.svd(A, full_matrices=False), reps=3)
    full = torch.linalg.svd(A, full_matrices=False)
    t_gesvda = fast_ms(lambda: torch.linalg.svd(A, full_matrices=False, driver="gesvda"))
    gesvda = torch.linalg.svd(A, full_matrices=False, driver="gesvda")
    rows = []
    for rank in (16, 32):
        def trunc(usv): U, S, Vh = usv; return U[..., :rank], S[..., :rank], Vh[..., :rank, :]
        q = rank + 8
        t_low = cuda_ms(lambda: torch.svd_lowrank(A, q=q, niter=1), reps=3)
        U, S, V = torch.svd_lowrank(A, q=q, niter=1)
        low = (U[..., :rank], S[..., :rank], V.mT[..., :rank, :])
        t_ours = fast_ms(lambda: randomized_svd(A, rank))
        ours = randomized_svd(A, rank)
        for name, t, usv in ((f"torch.linalg.svd (default driver)", t_full, trunc(full)),
                             (f"torch.linalg.svd driver=gesvda", t_gesvda, trunc(gesvda)),
                             (f"torch.svd_lowrank(q={q}, niter=1)", t_low, low),
                             (f"randomized_svd (oversample=8, n_iter=2)", t_ours, ours)):
            r, o = quality(A, *usv, opt[rank])
            rows.append((rank, name, t, r, o))
        for name, fn in variants(rank).items():
            t = fast_ms(lambda: fn(A)); res = fn(A)
            r, o = quality(A, *res, opt[rank]) if isinstance(res, tuple) else (float("nan"), float("nan"))
            rows.append((rank, "  variant: " + name, t, r, o))
    print("\n| rank | method | median ms | worst error / optimal | orthogonality |\n|---|---|---|---|---|")
    for rank, name, t, r, o in rows:
        print(f"| {rank} | {name} | {t:.2f} | {r:.4f} | {o:.1e} |")
    for rank in (16, 32):
        g = next(t for rk, n, t, *_ in rows if rk == rank and "gesvda" in n and "variant" not in n)
        o = next(t for rk, n, t, *_ in rows if rk == rank and n.startswith("randomized_svd"))
        print(f"rank {rank}: randomized_svd is {g / o:.1f}x faster than gesvda")

    from torch.profiler import profile, ProfilerActivity
    randomized_svd(A, 32); torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        randomized_svd(A, 32); torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=25, max_name_column_width=60))

if __name__ == "__main__":
    sys.exit(main())
