"""Unsloth dense against Unsloth + spectral on a GPU: decode tok/s, KV bytes and greedy agreement.

Run from the repository root on a GPU machine with Unsloth importable (see notes/gpu.md for the wheels carried):
    PYTHONPATH=.:/root/unsloth_site python bench/unsloth_gpu.py [--contexts 4096,32768] [--skip-smoke]
Models have random weights (no download): a small Llama for the lossless check, a Llama-3-8B shape for speed and
memory. Tokenizer: the embedded SmolLM2's (token ids only).
"""
import argparse, gc, json, os, shutil, sys, time
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import torch

def random_llama_folder(path, tokenizer_dir, **shape):
    "A Hugging Face folder holding a LlamaForCausalLM of `shape` with random bf16 weights (normal, std 0.02)."
    from safetensors.torch import save_file
    from transformers import LlamaConfig, LlamaForCausalLM
    cfg = LlamaConfig(**shape)
    with torch.device("meta"): skeleton = LlamaForCausalLM(cfg)
    g = torch.Generator(device="cuda").manual_seed(0)
    tensors = {}
    for name, p in skeleton.state_dict().items():
        if name.endswith("norm.weight"): t = torch.ones(p.shape, dtype=torch.bfloat16)
        else: t = (torch.randn(p.shape, generator=g, device="cuda", dtype=torch.float32) * 0.02).to(torch.bfloat16).cpu()
        tensors[name] = t
    os.makedirs(path, exist_ok=True)
    save_file(tensors, os.path.join(path, "model.safetensors"), metadata={"format": "pt"})
    cfg.save_pretrained(path)
    for f in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if os.path.exists(os.path.join(tokenizer_dir, f)): shutil.copy(os.path.join(tokenizer_dir, f), path)
    return path

def fold_diagnosis(SpectralConfig):
    "Fold 1K random bf16 tokens on the GPU under the settings Unsloth's generate uses; print blocks and warnings."
    import warnings
    from unsloth_spectral.spectral_cache import SpectralLayer
    from unsloth_spectral.unsloth_integration import _exact_math
    inv = 1.0 / (500000 ** (torch.arange(0, 128, 2).float() / 128))
    k, v = (torch.randn(1, 8, 1024, 128, device="cuda").to(torch.bfloat16) for _ in range(2))
    print(f"float32 matmul precision here: {torch.get_float32_matmul_precision()}, tf32: {torch.backends.cuda.matmul.allow_tf32}")
    for name, ctx in (("autocast bf16", lambda: torch.autocast("cuda", dtype=torch.bfloat16)),
                      ("plain", lambda: torch.autocast("cuda", enabled=False)),
                      ("_exact_math under autocast", lambda: _exact_math(k.device))):
        layer = SpectralLayer(SpectralConfig(), 8, 128, inv)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16), ctx():
                layer.append(k, v); layer.fold()
        print(f"fold ({name}): cold {layer.n_cold}, dense {len(layer.dense_blocks)}, warnings {[str(x.message)[:300] for x in w]}", flush=True)

def load(path, max_seq_length):
    from unsloth import FastLanguageModel
    model, tok = FastLanguageModel.from_pretrained(path, max_seq_length=max_seq_length, dtype=torch.bfloat16,
                                                   load_in_4bit=False, fix_tokenizer=False)
    FastLanguageModel.for_inference(model)
    return model

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contexts", default="4096,32768"); ap.add_argument("--new", type=int, default=128)
    ap.add_argument("--skip-smoke", action="store_true"); ap.add_argument("--tmp", default="/root/us_models")
    ap.add_argument("--tokenizer", default=".carry/tok", help="folder with tokenizer files (default: the embedded SmolLM2's)")
    a = ap.parse_args()
    t0 = time.time()
    import unsloth
    from unsloth_spectral.core import SpectralConfig
    from unsloth_spectral import unsloth_integration as ui
    print(f"unsloth {unsloth.__version__} | torch {torch.__version__} | {torch.cuda.get_device_name()} | "
          f"attention on factors: {ui._decode_attention().__module__}.{ui._decode_attention().__name__} | import {time.time() - t0:.0f}s", flush=True)
    if not os.path.isdir(a.tokenizer):
        from unsloth_spectral.core import embedded_model_dir
        a.tokenizer = str(embedded_model_dir())
    rows = []
    fold_diagnosis(SpectralConfig)
    t = time.time()
    big = f"{a.tmp}/llama3-8b-random"
    if not os.path.exists(f"{big}/model.safetensors"):
        random_llama_folder(big, a.tokenizer, vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                            num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                            max_position_embeddings=131072, rope_theta=500000.0,
                            rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                          "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})
    print(f"8B folder ready [{time.time() - t:.0f}s]", flush=True)
    t = time.time()
    model = load(big, 33280)
    print(f"8B loaded [{time.time() - t:.0f}s], {torch.cuda.memory_allocated() / 2**30:.1f} GiB", flush=True)
    warm = torch.randint(100, 40000, (1, 600), generator=torch.Generator().manual_seed(2)).cuda()
    ui.compare_decode(model, warm, None, new_tokens=8)   # compile the kernels of both paths
    for ctx in [int(c) for c in a.contexts.split(",")]:
        t = time.time()
        ids = torch.randint(100, 40000, (1, ctx), generator=torch.Generator().manual_seed(ctx)).cuda()
        r = ui.compare_decode(model, ids, None, new_tokens=a.new)
        r["case"] = "8B default"; rows.append(r)
        print(f"{json.dumps(r)} [{time.time() - t:.0f}s]", flush=True)
        gc.collect(); torch.cuda.empty_cache()
    if not a.skip_smoke:
        del model; gc.collect(); torch.cuda.empty_cache()
        t = time.time()
        small = random_llama_folder(f"{a.tmp}/small", a.tokenizer, vocab_size=49152, hidden_size=1024,
                                    intermediate_size=2816, num_hidden_layers=4, num_attention_heads=16,
                                    num_key_value_heads=4, max_position_embeddings=8192, rope_theta=100000.0)
        model = load(small, 4096)
        ids = torch.randint(100, 40000, (1, 1024), generator=torch.Generator().manual_seed(1)).cuda()
        lossless = SpectralConfig(k_keys=64, k_values=64, block_size=128, hot_size=64, quant=None, values="lowrank")
        r = ui.compare_decode(model, ids, lossless, new_tokens=64)
        print(f"smoke (4-layer random Llama, 1K prompt, lossless): {json.dumps(r)} [{time.time() - t:.0f}s]", flush=True)
        r["case"] = "small lossless"; rows.append(r)
    print(f"\n{torch.cuda.get_device_name()}, {time.strftime('%Y-%m-%d')}, unsloth {unsloth.__version__}, torch {torch.__version__}")
    print(f"{'case':15} {'ctx':>6} {'dense tok/s':>11} {'spec tok/s':>10} {'dense KV MiB':>12} {'spec KV MiB':>11} {'agree':>6} {'1st diff':>8} {'logit err':>9} {'dense blk':>9}")
    for r in rows:
        print(f"{r['case']:15} {r['context']:6d} {r['dense_tok_s']:11.1f} {r['spectral_tok_s']:10.1f} "
              f"{r['dense_kv_bytes'] / 2**20:12.1f} {r['spectral_kv_bytes'] / 2**20:11.1f} {r['agreement']:6.3f} "
              f"{r['first_disagreement']:8d} {r['logits_rel_err']:9.2e} {r['uncompressed_blocks']:9d}")
    out = os.environ.get("OUT")
    if out: json.dump(rows, open(os.path.join(out, "unsloth_gpu.json"), "w"), indent=1)

if __name__ == "__main__":
    main()
