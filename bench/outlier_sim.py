"""The session-3 key-outlier experiment, now through the library: `SpectralConfig(key_outliers=N_OUT)` keeps the exact
key residual of the N_OUT worst-fit tokens of each cold block (03); spectral attention runs through the PyTorch
reference (the kernel does not read those rows yet). Needle retrieval and perplexity at one context.

usage: python bench/outlier_sim.py N_OUT CONTEXT THREADS needle|OFFSET [...]   (TEXT=file, default .carry/text/pydoc-py3.11.txt)
"""
import os, sys, time
import torch
from unsloth_spectral.core import load_model, SpectralConfig
from unsloth_spectral.spectral_cache import SpectralCache
from unsloth_spectral.spectral_attention import spectral_attention
from unsloth_spectral.integration import enable_spectral
from unsloth_spectral import integration, evaluation as ev
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
N_OUT, CTX = int(sys.argv[1]), int(sys.argv[2])
integration.spectral_decode_attention = spectral_attention
model, tok = load_model(); enable_spectral(model)
T = os.environ.get("TEXT", ".carry/text/pydoc-py3.11.txt")
mk = lambda: SpectralCache(SpectralConfig(key_outliers=N_OUT), model)
t0 = time.time()
for what in sys.argv[4:]:
    if what == "needle":
        r = ev.needle_retrieval(model, tok, mk, context=CTX, text=T, progress=False)
        print("n_out", N_OUT, "ctx", CTX, "needle", r["accuracy"], r["accuracy_per_depth"], f"{time.time()-t0:.0f}s", flush=True)
    else:
        r = ev.continuation_ppl(model, tok, mk, context=CTX, offsets=(int(what),), text=T, progress=False)
        print("n_out", N_OUT, "ctx", CTX, "offset", what, "ppl", round(r["ppl"], 4), f"{time.time()-t0:.0f}s", flush=True)
