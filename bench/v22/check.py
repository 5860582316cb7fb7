"""Correctness of the run-time dense pool (session 18): bench/v19/pdl_check.py's calls (40 back-to-back eager calls
alternating two input sets, then 8 replayed from a CUDA graph, each against the float64 oracle of its inputs), then
calls with fewer hot tokens than the plan was made for (n_hot 0, 17 and 100), and the per-(b, g) counters, which must
stand at 0 after every call.
usage: VARS="dyn=bench/v22/gk35.py" CASES="8/127/0/0/4/post/int8" PYTHONPATH=.:bench python3 bench/v22/check.py"""
import os, sys, types, torch
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from v19.pdl_check import checked
from unsloth_spectral.triton_attention import dense_oracle, rel_err

print(torch.cuda.get_device_name(), flush=True)
for c, label, (lays, qs, f, grid, refs), errs, gerrs in checked():
    herrs = []
    for nh in (0, 17, 100):
        lay = types.SimpleNamespace(**vars(lays[0]))
        lay.n_hot = nh
        herrs.append(rel_err(f.plans[0](qs[0], nh), dense_oracle(qs[0], lay, 128 ** -0.5)))
    torch.cuda.synchronize()
    cnt = [int(p.cnt.abs().sum()) if hasattr(p, "cnt") else 0 for p in f.plans]
    bad = max(errs + gerrs + herrs) > 1e-2 or any(cnt)
    print(f"{'/'.join(c)} {label}: grid {grid} dyn {getattr(f.plans[0], 'dyn', None)}; eager max err {max(errs):.2e} "
          f"(min {min(errs):.2e}); graph max {max(gerrs):.2e}; n_hot 0/17/100 {' '.join(f'{e:.2e}' for e in herrs)}; "
          f"counters {cnt}{'  MISMATCH' if bad else ''}", flush=True)
    del lays, qs, f
