"""Perplexity and KV bytes of the fast GPU decode configuration, post-RoPE key factors of fixed rank 16 with an int8
key basis (`SpectralConfig(rope="post", rank_policy="fixed", basis_quant="int8")`, what the Gluon kernel takes),
against dense, the default and the steps in between (session 11, CPU, SmolLM2, pydoc 4K at offsets 0/16000/32000,
the protocol of bench/int8_basis_sim.py; notes/quality.md). No patching: basis_quant="int8" is a cache option.
fraction16: the KV bytes as a fraction of dense in 16-bit floats (the compression ratio is 1/fraction16).
--block512 (session 14): the fast config and the default at blocks of 512 tokens instead (half the basis bytes), into
bench/results/fast_config_quality_block512.json.
usage: PYTHONPATH=. python3 bench/fast_config_quality.py [offsets] [--block512]"""
import time, json, sys, warnings
warnings.simplefilter("ignore")
from transformers import DynamicCache
from unsloth_spectral.core import load_model, SpectralConfig
from unsloth_spectral.spectral_cache import SpectralCache
from unsloth_spectral.integration import enable_spectral
from unsloth_spectral.evaluation import continuation_ppl

B512 = "--block512" in sys.argv
args = [a for a in sys.argv[1:] if a != "--block512"]
OFFSETS = tuple(int(x) for x in args[0].split(",")) if args else (0, 16000, 32000)
OUT = "bench/results/fast_config_quality_block512.json" if B512 else "bench/results/fast_config_quality.json"
model, tok = load_model(); enable_spectral(model)

CONFIGS = [("default", SpectralConfig()),
           ("post", SpectralConfig(rope="post")),
           ("post+fixed16", SpectralConfig(rope="post", rank_policy="fixed")),
           ("post+fixed16+int8basis (fast)", SpectralConfig(rope="post", rank_policy="fixed", basis_quant="int8")),
           ("default+int8basis", SpectralConfig(basis_quant="int8"))]
if B512:
    CONFIGS = [("post+fixed16+int8basis (fast), block 512",
                SpectralConfig(rope="post", rank_policy="fixed", basis_quant="int8", block_size=512)),
               ("default, block 512", SpectralConfig(block_size=512))]

rows = []
def run(name, make_cache):
    t0 = time.time()
    r = continuation_ppl(model, tok, make_cache, context=4096, n_score=256, offsets=OFFSETS, progress=False)
    row = dict(config=name, ppl=r["ppl"], ppl_per_offset=r["ppl_per_offset"], fraction16=r["fraction16"], wall_s=time.time() - t0)
    rows.append(row); print(json.dumps(row), flush=True)
    json.dump(rows, open(OUT, "w"), indent=1)

if not B512: run("dense", lambda: DynamicCache(config=model.config))
for name, cfg in CONFIGS:
    run(name, lambda cfg=cfg: SpectralCache(cfg, model))
