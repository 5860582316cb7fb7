"""Experiment (not library code): keep the exact pre-RoPE key residual of the N tokens of each cold block that the
factors fit worst, and see what it does to needle retrieval and perplexity. It patches `SpectralLayer._factor` (the
residual rows and their indices are stored beside the factors) and the reference's pre-RoPE scores (the rows are added
to the rebuilt key tile before RoPE); spectral attention runs through the PyTorch reference.

usage: python bench/outlier_sim.py N_OUT CONTEXT THREADS needle|OFFSET [...]   (text: .carry/text/pydoc-py3.11.txt)
"""
import torch, sys, time, types
from unsloth_spectral.core import load_model, SpectralConfig
from unsloth_spectral import spectral_cache as sc, spectral_attention as sa
from unsloth_spectral.spectral_cache import SpectralCache, dequantize_coeffs
from unsloth_spectral.integration import enable_spectral
from unsloth_spectral import integration, evaluation as ev
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
N_OUT = int(sys.argv[1]); CTX = int(sys.argv[2])
orig_factor = sc.SpectralLayer._factor
def _factor(self, k, v):
    out = orig_factor(self, k, v)
    if out is None or N_OUT == 0: return out
    x = k - out["key_mean"].float()[..., None, :]
    approx = dequantize_coeffs(out["key_coeffs"], self.quant) @ out["key_basis"].float()
    res = x - approx                                                 # [B,G,n,L,D]
    idx = res.norm(dim=-1).topk(N_OUT, dim=-1).indices               # [B,G,n,o]
    out["key_out_idx"] = idx
    out["key_out_res"] = torch.gather(res, 3, idx[..., None].expand(*idx.shape, res.shape[-1])).to(self.dtype)
    return out
sc.SpectralLayer._factor = _factor
sc.SpectralLayer.key_out_idx = None; sc.SpectralLayer.key_out_res = None
orig_scores = sa._pre_rope_scores
def _pre_rope_scores(q, layer, n0, n1, starts):
    "Scores are linear in the pre-RoPE key tile: the reference's scores plus its scores of a residual-only tile."
    s = orig_scores(q, layer, n0, n1, starts)
    if layer.key_out_idx is None: return s
    idx, res = layer.key_out_idx[:, :, n0:n1], layer.key_out_res[:, :, n0:n1].float()
    B, G, n, _ = idx.shape
    D, L = res.shape[-1], layer.block_size
    tile = res.new_zeros(B, G, n, L, D).scatter_(3, idx[..., None].expand(*idx.shape, D), res)  # residual rows only
    only = types.SimpleNamespace(block_size=L, head_dim=layer.head_dim, key_mean=res.new_zeros(B, G, n, D),
                                 key_coeffs=tile, key_basis=torch.eye(D, device=res.device).expand(B, G, n, D, D),
                                 quant=None, inv_freq=layer.inv_freq, attention_scaling=layer.attention_scaling,
                                 pad=layer.pad)
    return s + orig_scores(q, only, 0, n, starts)
sa._pre_rope_scores = _pre_rope_scores
integration.spectral_decode_attention = sa.spectral_attention
model, tok = load_model(); enable_spectral(model)
import os
T = os.environ.get("TEXT", ".carry/text/pydoc-py3.11.txt")
mk = lambda: SpectralCache(SpectralConfig(), model)
t0 = time.time()
for what in sys.argv[4:]:
    if what == "needle":
        r = ev.needle_retrieval(model, tok, mk, context=CTX, text=T, progress=False)
        print("n_out", N_OUT, "ctx", CTX, "needle", r["accuracy"], r["accuracy_per_depth"], f"{time.time()-t0:.0f}s", flush=True)
    else:
        off = int(what)
        r = ev.continuation_ppl(model, tok, mk, context=CTX, offsets=(off,), text=T, progress=False)
        print("n_out", N_OUT, "ctx", CTX, "offset", off, "ppl", round(r["ppl"], 4), f"{time.time()-t0:.0f}s", flush=True)
