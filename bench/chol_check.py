"""GPU check of the Cholesky-inverse kernels (run after the session-5 shared-loop refactor): kernel vs float64 reference, then one
library call per rank beside gesvda."""
import torch, triton
from unsloth_spectral import rsvd
print(torch.cuda.get_device_name(), torch.__version__, triton.__version__)
g = torch.Generator().manual_seed(1)
worst = 0.0
for l in (5, 16, 24, 32, 33, 40, 48, 64):
    W = torch.randn(64, 80, l, generator=g, dtype=torch.float64)
    M = (W.mT @ W).cuda()
    for shift in (0.0, 1e-5):
        R = rsvd.chol_inv(M, shift, kernel=True)
        ref = rsvd.chol_inv_reference(M, shift)
        err = ((R - ref).abs().amax((-2, -1)) / ref.abs().amax((-2, -1))).max().item()
        worst = max(worst, err)
        print(f"chol_inv l={l:2d} shift={shift:g}: max rel err {err:.1e}")
print(f"chol_inv worst {worst:.1e}: {'ok' if worst < 1e-9 else 'FAIL'}")
from triton.testing import do_bench
X = rsvd.decaying_matrices(512, 512, 128, "power", device="cuda")     # the benchmark's batch: singular values 1/i
t_ges = do_bench(lambda: torch.linalg.svd(X, full_matrices=False, driver="gesvda"), rep=300)
for rank in (16, 32):
    U, S, Vh = rsvd.randomized_svd(X, rank)
    orth = (Vh @ Vh.mT - torch.eye(rank, device="cuda")).abs().max().item()
    ratio = (rsvd.rsvd_error(X, U, S, Vh) / rsvd.optimal_error(X, rank)).max().item()
    t = do_bench(lambda: rsvd.randomized_svd(X, rank), rep=300)
    print(f"rank {rank}: randomized_svd {t:.3f} ms, gesvda {t_ges:.3f} ms ({t_ges / t:.1f}x), orthogonality {orth:.1e}, error/optimal {ratio:.4f}")
