"Which splits of the v10 study kernel disagree on the GPU: each split's partial (lse, o) against float64 torch (found the key-code join bug of session 7)."
import os, sys, json
sys.path.insert(0, os.path.dirname(__file__))
import torch
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer
from unsloth_spectral.triton_attention import _unpack_int4, dense_oracle, rel_err, LOG2E
import kernels as w1
dev = torch.device("cuda")
cfg = SpectralConfig(rope="post")
V = json.loads(os.environ.get("DBGV", '{"num_warps": 1, "tile": 16, "per_sm": 16}'))
for fn, dt in ((w1.w_attention, torch.bfloat16), (w1.w2_attention, torch.bfloat16), (w1.w2_attention, torch.float16)):
    torch.manual_seed(0)
    B = 2
    lay = bench_layer(B, 8, 128, 4096, cfg, dt, dev)
    lay.pad = torch.tensor([0, 300], dtype=torch.int32, device=dev)
    q = torch.randn(B, 32, 1, 128, device=dev, dtype=dt)
    out, op, lp, nhs, bps = fn(q, lay, 128 ** -0.5, parts=True, **V)
    print(dt, "total rel err", rel_err(out, dense_oracle(q, lay, 128 ** -0.5)), "hot splits", nhs, "bps", bps)
    c = lambda t: t.double()
    N, L = lay.key_coeffs.shape[2], 256
    K = c(lay.key_mean)[..., None, :] + _unpack_int4(lay.key_coeffs).double() @ c(lay.key_basis)
    Vv = _unpack_int4(lay.value_codes).double() * c(lay.value_scale)[..., None]
    K, Vv = K.reshape(B, 8, N * L, 128), Vv.reshape(B, 8, N * L, 128)
    S = lay.sink_keys.shape[2]
    Kall = torch.cat((c(lay.sink_keys), K, c(lay.hot_keys[:, :, :lay.n_hot])), 2).repeat_interleave(4, 1)
    Vall = torch.cat((c(lay.sink_values), Vv, c(lay.hot_values[:, :, :lay.n_hot])), 2).repeat_interleave(4, 1)
    s = (q.double() @ Kall.transpose(-1, -2))[:, :, 0] * 128 ** -0.5 * LOG2E      # [B, H, T]
    t = torch.arange(Kall.shape[2], device=dev)
    s = s.masked_fill(t[None, None] < lay.pad[:, None, None], float("-inf"))
    ranges = []
    for h in range(nhs):
        idx = list(range(S + N * L + h * 128, S + N * L + min((h + 1) * 128, lay.n_hot)))
        if h == 0: idx = list(range(S)) + idx
        ranges.append(("hot", h, idx))
    for cs in range(-(-N // bps)):
        ranges.append(("cold", cs, list(range(S + cs * bps * L, S + min((cs + 1) * bps, N) * L))))
    for k, (kind, i, idx) in enumerate(ranges):
        ii = torch.tensor(idx, device=dev)
        ss = s[..., ii]
        lse = torch.logsumexp(ss / LOG2E, -1) * LOG2E
        p = torch.softmax(ss / LOG2E, -1)
        o = (p[..., None, :] @ Vall[:, :, ii])[..., 0, :]
        ok = torch.isfinite(lse)
        dl = (lp[:, :, 0, k].double() - lse)[ok].abs().max().item() if ok.any() else 0.0
        do = ((op[:, :, 0, k].double() - o)[ok].norm() / o[ok].norm()).item() if ok.any() else 0.0
        if k < 4 or dl > 1e-2 or do > 3e-2: print(f"  split {k} {kind} {i}: lse diff {dl:.2e}, o rel {do:.2e}")
