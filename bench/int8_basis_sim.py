"""Perplexity cost of storing each cold block's key basis int8-rounded (per basis row, i.e. rank; symmetric, s = max|row| / 127)
instead of in the cache's float dtype (session 10, CPU, SmolLM2, pydoc 4K at offsets 0/16000/32000; notes/quality.md).
A study: the rounding is patched into SpectralLayer._add_cold here; the cache itself is unchanged.
usage: PYTHONPATH=. python3 bench/int8_basis_sim.py [offsets]"""
import torch, time, json, sys, warnings
warnings.simplefilter("ignore")
from transformers import DynamicCache
from unsloth_spectral.core import load_model, SpectralConfig
from unsloth_spectral.spectral_cache import SpectralCache, SpectralLayer
from unsloth_spectral.integration import enable_spectral
from unsloth_spectral.evaluation import continuation_ppl, text_ids, prefill

OFFSETS = tuple(int(x) for x in sys.argv[1].split(",")) if len(sys.argv) > 1 else (0, 16000, 32000)
STATE = {"int8": False, "calls": 0}

def int8_rows(b):
    "Symmetric int8 rounding of each row over D (last axis) of b [B, G, n, R, D]; returned in b's dtype."
    x = b.float()
    s = (x.abs().amax(dim=-1, keepdim=True) / 127).clamp_min(torch.finfo(torch.float32).tiny)
    return (torch.round(x / s).clamp(-127, 127) * s).to(b.dtype)

_orig_add_cold = SpectralLayer._add_cold
def _add_cold_int8(self, starts, new):
    if STATE["int8"] and new.get("key_basis") is not None:
        new = dict(new); new["key_basis"] = int8_rows(new["key_basis"]).contiguous(); STATE["calls"] += 1
    return _orig_add_cold(self, starts, new)
SpectralLayer._add_cold = _add_cold_int8

model, tok = load_model(); enable_spectral(model)

def check(cfg):
    "After a 4096-token prefill (offset 0), every stored key-basis row of layer 0 is k * max|row|/127, |k| <= 127 integer."
    STATE["int8"] = True; STATE["calls"] = 0
    ids = text_ids(tok)[None, :4096]
    cache, _ = prefill(model, ids, lambda: SpectralCache(cfg, model))
    STATE["int8"] = False
    lay = cache.layers[0]
    b = lay.key_basis.float()                       # [B, G, N, R, D]
    s = b.abs().amax(-1, keepdim=True) / 127
    q = b / s
    err = (q - q.round()).abs().max().item()
    rows = b.reshape(-1, b.shape[-1])
    distinct = max(len(torch.unique(r)) for r in rows)
    print(f"check rope={cfg.rope}: layer0 key_basis {tuple(b.shape)} {lay.key_basis.dtype}, patched _add_cold calls={STATE['calls']}, "
          f"max|q-round(q)|={err:.2e}, max|q|={q.abs().max().item():.3f}, max distinct values per row={distinct} (D={b.shape[-1]})", flush=True)
    assert STATE["calls"] > 0 and err < 1e-3 and distinct <= 255
    return dict(shape=list(b.shape), calls=STATE["calls"], max_frac_err=err, max_distinct=distinct)

rows = []
def run(name, make_cache, int8=False):
    STATE["int8"] = int8
    t0 = time.time()
    r = continuation_ppl(model, tok, make_cache, context=4096, n_score=256, offsets=OFFSETS, progress=False)
    STATE["int8"] = False
    row = dict(config=name, ppl=r["ppl"], ppl_per_offset=r["ppl_per_offset"], fraction16=r["fraction16"], wall_s=time.time() - t0)
    rows.append(row); print(json.dumps(row), flush=True)
    json.dump(rows, open("bench/results/int8_basis.json", "w"), indent=1)

checks = {"pre": check(SpectralConfig()), "post": check(SpectralConfig(rope="post"))}
json.dump(checks, open("bench/results/int8_basis_check.json", "w"), indent=1)
run("dense", lambda: DynamicCache(config=model.config))
for name, cfg in [("default", SpectralConfig()), ("post", SpectralConfig(rope="post"))]:
    run(name, lambda cfg=cfg: SpectralCache(cfg, model))
    run(name + "+int8basis", lambda cfg=cfg: SpectralCache(cfg, model), int8=True)
