"""GPU benchmark of the batched randomized SVD (issue 3): accuracy against the optimal truncated SVD and a timing table
against torch.linalg.svd (default driver and gesvda) and torch.svd_lowrank, batch 512 of 512×128 float32, ranks 16
and 32, plus variants of the method (small-kernel and eigh choices: Jacobi kernel against torch eigh, sweeps, warps;
the session-1 range finder; the fast path replayed from a CUDA graph) and a profile.

usage (repo root, CUDA machine): PYTHONPATH=. python3 bench/rsvd_gpu.py [--kv dev/rsvd_smol_kv.pt] [--out DIR]
"""
import argparse, datetime, json, os, statistics, sys
import torch, triton
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

def fast_ms(fn): return do_bench(fn, warmup=25, rep=150, return_mode="median")

def quality(A, U, S, Vh, opt):
    "Worst error / optimal and worst orthogonality error over the batch."
    ratio = (rsvd_error(A, U, S, Vh) / opt).max().item()
    k = U.shape[-1]; eye = torch.eye(k, device=U.device)
    orth = max((U.mT @ U - eye).abs().max().item(), (Vh @ Vh.mT - eye).abs().max().item())
    return ratio, orth

# --- session 1's method (range finder on A, cuSOLVER Cholesky-QR2, float64 eigh), kept here for a same-card comparison
def _s1_cholqr2(Y):
    Q, l = Y, Y.shape[-1]; eye = torch.eye(l, dtype=torch.float64, device=Y.device)
    for shift in (1e-5, 0.0):
        G = (Q.mT @ Q).double(); tr = G.diagonal(dim1=-2, dim2=-1).sum(-1)[..., None, None]
        R = torch.linalg.cholesky_ex(G + (shift * tr / l + 1e-30) * eye, upper=True).L
        Q = Q @ torch.linalg.solve_triangular(R, eye, upper=True).to(Q.dtype)
    return Q

def _s1_small_eigh(Q, Bt, rank, inner=4):
    Bt64 = Bt.double(); H = Bt64.mT @ Bt64; l, W = H.shape[-1], None
    if rank <= 32 < l:
        W = torch.eye(l, 32, dtype=H.dtype, device=H.device).expand(*H.shape[:-2], l, 32)
        for _ in range(inner): W = _s1_cholqr2(H @ W)
        H = W.mT @ H @ W
    lam, Z = torch.linalg.eigh(H); lam, Z = lam.flip(-1)[..., :rank], Z.flip(-1)[..., :rank]
    if W is not None: Z = W @ Z
    S = lam.clamp_min(0).sqrt()
    return Q @ Z.float(), S.float(), ((Bt64 @ Z) / S.unsqueeze(-2)).mT.float()

def session1_rsvd(A, rank, oversample=8, n_iter=2):
    "Session 1's fast path with its two synchronizations (finite check, orthonormality check); no fallback needed here."
    X = A.float(); l = min(rank + oversample, X.shape[-1])
    omega = torch.randn(X.shape[-1], l, generator=torch.Generator(device=X.device).manual_seed(0), device=X.device)
    with rsvd._full_fp32():
        Y = X @ omega; bool(torch.isfinite(Y).all())
        Q = _s1_cholqr2(Y)
        for _ in range(n_iter): Q = _s1_cholqr2(X @ _s1_cholqr2(X.mT @ Q))
        U, S, Vh = _s1_small_eigh(Q, X.mT @ Q, rank)
        eye = torch.eye(rank, device=U.device); bool(((U.mT @ U - eye).abs().amax((-2, -1)) <= 1e-4).all())
    return U, S, Vh

# --- variants of the new method: swap one piece at a time
def with_patch(fn, **patches):
    "Run `fn` with attributes of the rsvd module replaced."
    def run(*a, **k):
        old = {name: getattr(rsvd, name) for name in patches}
        for name, v in patches.items(): setattr(rsvd, name, v)
        try: return fn(*a, **k)
        finally:
            for name, v in old.items(): setattr(rsvd, name, v)
    return run

_orig_chol_inv, _orig_top_eigh = rsvd.chol_inv, rsvd._top_eigh
def chol_inv_torch(M, shift=0.0, kernel=None): return _orig_chol_inv(M, shift, kernel=False)
def top_eigh_fp32(H, rank, inner=4):
    "The eigenproblem in float32 (vectors re-expanded to float64)."
    l, P = H.shape[-1], None
    if rank <= 32 < l:
        H2 = H @ H
        P = torch.eye(l, 32, dtype=H.dtype, device=H.device).expand(*H.shape[:-2], l, 32)
        for _ in range(inner): P = rsvd._cholqr(H2 @ P, rsvd._SHIFT)
        P = rsvd._cholqr(P); H = P.mT @ H @ P
    lam, Z = torch.linalg.eigh(H.float()); lam, Z = lam.flip(-1)[..., :rank].double(), Z.flip(-1)[..., :rank].double()
    return lam, (Z if P is None else P @ Z)

def fast_path_only(A, rank, n_iter=2):
    "The fast path alone: no final synchronization, no fallback."
    X = A.float(); l = min(rank + 8, X.shape[-1])
    omega = torch.randn(X.shape[-1], l, generator=torch.Generator(device=X.device).manual_seed(0), device=X.device,
                        dtype=torch.float64)
    with rsvd._full_fp32(): U, S, Vh, _, _ = rsvd._rsvd_gram(X, rank, n_iter, omega)
    return U, S, Vh

def graphed_fast_path(A, rank, n_iter=2):
    "The fast path captured once in a CUDA graph for this shape; each call copies A into the graph's input and replays."
    X = A.float().clone(); l = min(rank + 8, X.shape[-1])
    omega = torch.randn(X.shape[-1], l, generator=torch.Generator(device=X.device).manual_seed(0), device=X.device,
                        dtype=torch.float64)
    side = torch.cuda.Stream(); side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side), rsvd._full_fp32():
        for _ in range(2): rsvd._rsvd_gram(X, rank, n_iter, omega)          # warmup: kernels compiled before capture
    torch.cuda.current_stream().wait_stream(side); torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with rsvd._full_fp32(), torch.cuda.graph(graph): out = rsvd._rsvd_gram(X, rank, n_iter, omega)
    def run(A_, rank_): X.copy_(A_); graph.replay(); return out[:3]
    return run

def variants(rank, A):
    out = {f"variant: chol_inv kernel with {w} warps": with_patch(randomized_svd, _CHOL_WARPS={16: w, 32: w, 64: w})
           for w in (1, 2, 4, 8)}
    out |= {"variant: torch eigh float64 (previous path: cuSOLVER, host sync, H² shrink to 32 at l=40)": with_patch(randomized_svd, _JACOBI_MAX=0),
            "variant: torch eigh in float32 (previous path)": with_patch(randomized_svd, _top_eigh=top_eigh_fp32, _JACOBI_MAX=0)}
    if rank + 8 > 32: out["variant: Jacobi at 32 after the H² shrink"] = with_patch(randomized_svd, _JACOBI_MAX=32)
    out |= {f"variant: Jacobi {sw} sweeps": with_patch(randomized_svd, _JACOBI_SWEEPS=sw) for sw in (3, 4, 8)}
    out |= {f"variant: Jacobi with {w} warps": with_patch(randomized_svd, _JACOBI_WARPS={16: w, 32: w, 64: w}) for w in (1, 2, 4, 8)}
    out["variant: Jacobi, rotations by float32 tl.dot with J (not tl.gather)"] = with_patch(randomized_svd, _JACOBI_DOT=True, _JACOBI_MAX=64)
    out |= {"variant: chol_inv by torch (cholesky_ex + solve_triangular)": with_patch(randomized_svd, chol_inv=chol_inv_torch),
            "variant: fast path only (no final sync/check)": fast_path_only,
            "variant: n_iter=1": lambda A, r: randomized_svd(A, r, n_iter=1),
            "variant: session-1 method (range finder on A, cuSOLVER CholQR2)": session1_rsvd}
    try: out["variant: fast path replayed from a CUDA graph (same shape; copy of A in, no final check/sync)"] = graphed_fast_path(A, rank)
    except Exception as e: print(f"CUDA graph capture failed at rank {rank}: {type(e).__name__}: {e}")
    return out

def parts(A):
    "Times of the pieces, to see where the time goes."
    X = A.float(); out = {}
    with rsvd._full_fp32():
        out["G = XᵀX (float32 bmm, 512×128×128)"] = fast_ms(lambda: X.mT @ X)
        out["G.double()"] = fast_ms(lambda: (X.mT @ X).double())
        G = (X.mT @ X).double()
        for l in (24, 40):
            W = G @ torch.randn(G.shape[-1], l, device=G.device, dtype=torch.float64); M = W.mT @ W
            out[f"chol_inv kernel l={l}"] = fast_ms(lambda: rsvd.chol_inv(M, 1e-13, kernel=True))
            for w in (1, 2, 4, 8):
                out[f"chol_inv kernel l={l}, {w} warps"] = with_patch(fast_ms, _CHOL_WARPS={16: w, 32: w, 64: w})(
                    lambda: rsvd.chol_inv(M, 1e-13, kernel=True))
            out[f"chol_inv torch l={l}"] = fast_ms(lambda: rsvd.chol_inv(M, 1e-13, kernel=False))
            ref = rsvd.chol_inv(M, 1e-13, kernel=False); got = rsvd.chol_inv(M, 1e-13, kernel=True)
            out[f"chol_inv kernel vs torch rel err l={l} (not ms)"] = ((got - ref).abs().max() / ref.abs().max()).item()
            out[f"G @ W (float64, l={l})"] = fast_ms(lambda: G @ W)
        for k in (24, 32, 40):
            H = torch.randn(512, k, k, device=A.device, dtype=torch.float64); H = H @ H.mT
            if k <= 32:
                out[f"eigh float64 {k}x{k}"] = fast_ms(lambda: torch.linalg.eigh(H))
                Hf = H.float(); out[f"eigh float32 {k}x{k}"] = fast_ms(lambda: torch.linalg.eigh(Hf))
            for sw in (4, 6):
                for w in (2, 4, 8):
                    out[f"jacobi_eigh {k}x{k}, {sw} sweeps, {w} warps"] = with_patch(fast_ms, _JACOBI_WARPS={16: w, 32: w, 64: w})(
                        lambda: rsvd.jacobi_eigh(H, sw))
            out[f"jacobi_eigh {k}x{k}, 6 sweeps, rotations by tl.dot"] = fast_ms(lambda: rsvd.jacobi_eigh(H, 6, dot=True))
            lam, Z, off = rsvd.jacobi_eigh(H); ref = torch.linalg.eigh(H).eigenvalues
            err = ((lam.double().sort(-1).values - ref).abs().amax(-1) / ref.abs().amax(-1)).max().item()
            out[f"jacobi_eigh {k}x{k} vs eigh: eigenvalue rel err (not ms)"] = err
            out[f"jacobi_eigh {k}x{k}: off-diagonal norm (not ms)"] = off.max().item()
            out[f"jacobi_eigh {k}x{k}: orthogonality (not ms)"] = (Z.mT @ Z - torch.eye(k, device=Z.device)).abs().max().item()
    return out

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--kv", default="dev/rsvd_smol_kv.pt"); ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    a = ap.parse_args()
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    now = datetime.datetime.now(datetime.timezone.utc)
    head = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "triton": triton.__version__,
            "utc": f"{now:%Y-%m-%d %H:%M}"}
    print(f"device: {head['device']} | torch {head['torch']} | triton {head['triton']} | {head['utc']} UTC")
    A = decaying_matrices(a.batch, 512, 128, "power", device=dev)          # [512, 512, 128] float32
    print(f"A: {tuple(A.shape)} float32, singular values 1/i, random singular vectors")
    S_opt = torch.linalg.svdvals(A.double().cpu())
    opt = {r: S_opt[..., r:].square().sum(-1).sqrt().to(dev) for r in (16, 32)}
    res = {"head": head, "accuracy": [], "rows": [], "parts": {}}

    # accuracy on real SmolLM2 blocks, if the capture was carried, and on low-precision input
    try:
        kv = torch.load(a.kv)
        for name in ("keys", "values"):
            B = kv[name].unflatten(2, (-1, 256)); B = (B - B.mean(-2, keepdim=True)).to(dev)
            for r in (8, 16, 32):
                U, S, Vh = randomized_svd(B, r)
                ratio, orth = quality(B, U, S, Vh, optimal_error(B.cpu(), r).to(dev))
                line = f"SmolLM2 {name} {tuple(B.shape)} rank {r}: worst error/optimal {ratio:.4f}, orthogonality {orth:.1e}"
                print(line); res["accuracy"].append(line)
    except FileNotFoundError: print(f"(no {a.kv}: real-block accuracy skipped)")
    for decay in ("exp",):
        Ae = decaying_matrices(a.batch, 512, 128, decay, seed=1, device=dev)
        for r in (16, 32):
            U, S, Vh = randomized_svd(Ae, r); ratio, orth = quality(Ae, U, S, Vh, optimal_error(Ae.cpu(), r).to(dev))
            line = f"synthetic exp(-i/8) rank {r}: worst error/optimal {ratio:.4f}, orthogonality {orth:.1e}"
            print(line); res["accuracy"].append(line)
        del Ae
    for dtype in (torch.float16, torch.bfloat16):
        Ad = A.to(dtype); U, S, Vh = randomized_svd(Ad, 32)
        r, o = quality(Ad, U, S, Vh, optimal_error(Ad.cpu(), 32).to(dev))
        line = f"{dtype} input rank 32: worst error/optimal {r:.4f}, orthogonality {o:.1e}"
        print(line); res["accuracy"].append(line)
    Zb = A.clone(); Zb[3] = 0                                             # one all-zero block: the robust path
    U, S, Vh = randomized_svd(Zb, 16)
    line = f"batch with one all-zero block, rank 16: orthogonality {quality(Zb, U, S, Vh, opt[16])[1]:.1e}, " \
           f"S of that block max {S[3].abs().max().item():.1e}, robust-path call {fast_ms(lambda: randomized_svd(Zb, 16)):.2f} ms"
    print(line); res["accuracy"].append(line); del Zb

    line = f"Jacobi eigensolver kernel in use: {rsvd._JACOBI_MAX > 0} (l <= {rsvd._JACOBI_MAX}, {rsvd._JACOBI_SWEEPS} sweeps, " \
           f"{'tl.dot' if rsvd._JACOBI_DOT else 'tl.gather'} rotations)"
    print(line); res["accuracy"].append(line)

    t_full = cuda_ms(lambda: torch.linalg.svd(A, full_matrices=False), reps=2)
    full = torch.linalg.svd(A, full_matrices=False)
    t_gesvda = fast_ms(lambda: torch.linalg.svd(A, full_matrices=False, driver="gesvda"))
    gesvda = torch.linalg.svd(A, full_matrices=False, driver="gesvda")
    rows = []
    for rank in (16, 32):
        def trunc(usv): U, S, Vh = usv; return U[..., :rank], S[..., :rank], Vh[..., :rank, :]
        q = rank + 8
        t_low = cuda_ms(lambda: torch.svd_lowrank(A, q=q, niter=1), reps=2)
        U, S, V = torch.svd_lowrank(A, q=q, niter=1)
        low = (U[..., :rank], S[..., :rank], V.mT[..., :rank, :])
        t_ours = fast_ms(lambda: randomized_svd(A, rank))
        ours = randomized_svd(A, rank)
        for name, t, usv in (("torch.linalg.svd (default driver)", t_full, trunc(full)),
                             ("torch.linalg.svd driver=gesvda", t_gesvda, trunc(gesvda)),
                             (f"torch.svd_lowrank(q={q}, niter=1)", t_low, low),
                             ("randomized_svd (oversample=8, n_iter=2)", t_ours, ours)):
            r, o = quality(A, *usv, opt[rank]); rows.append((rank, name, t, r, o))
        for name, fn in variants(rank, A).items():
            try:
                t = fast_ms(lambda: fn(A, rank)); r, o = quality(A, *fn(A, rank), opt[rank])
            except Exception as e:
                print(f"{name} failed: {type(e).__name__}: {e}"); t = r = o = float("nan")
            rows.append((rank, "  " + name, t, r, o))
    res["rows"] = [dict(zip(("rank", "method", "ms", "error_ratio", "orthogonality"), x)) for x in rows]
    res["parts"] = parts(A)
    print("\nparts (median ms):")
    for k, v in res["parts"].items(): print(f"  {k}: {v:.4g}")

    from torch.profiler import profile, ProfilerActivity
    for rank in (16, 32):
        randomized_svd(A, rank); torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            randomized_svd(A, rank); torch.cuda.synchronize()
        print(f"\nprofile, randomized_svd rank {rank}:")
        print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=14, max_name_column_width=50))

    print(f"\n{head['device']}, torch {head['torch']}, {head['utc']} UTC; A {tuple(A.shape)} float32")
    print("| rank | method | median ms | worst error / optimal | orthogonality |\n|---|---|---|---|---|")
    for rank, name, t, r, o in rows:
        print(f"| {rank} | {name} | {t:.3f} | {r:.4f} | {o:.1e} |")
    for rank in (16, 32):
        g = next(t for rk, n, t, *_ in rows if rk == rank and "gesvda" in n)
        o = next(t for rk, n, t, *_ in rows if rk == rank and n.startswith("randomized_svd"))
        line = f"rank {rank}: randomized_svd {o:.3f} ms, gesvda {g:.3f} ms: {g / o:.1f}x faster (target <= 1.5 ms: {'met' if o <= 1.5 else 'NOT met'})"
        print(line); res.setdefault("summary", []).append(line)
    with open(os.path.join(a.out, "rsvd.json"), "w") as f: json.dump(res, f, indent=1)

if __name__ == "__main__":
    sys.exit(main())
