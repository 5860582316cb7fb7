"""Run NVIDIA kvpress presses through the harness of `unsloth_spectral.evaluation`, in kvpress's own environment.

kvpress pins transformers < 5.3, so it lives in its own venv (`.venv-kvpress`, see bench/README.md). This script
loads `evaluation.py` and `core.py` by file path (not through the package, whose other modules need a newer
transformers), so the metrics are the very same functions, and writes the same JSON rows as `unsloth-spectral eval`.
Rows already in --out are kept and skipped, so an interrupted run resumes.

usage: .venv-kvpress/bin/python bench/kvpress_runner.py --model-dir ~/.cache/unsloth_spectral/SmolLM2-135M-Instruct \
           --context 2048,4096 --presses knorm,streaming_llm,snapkv,expected_attention,tova --ratios 0.5,0.75,0.875 \
           --out bench/results/kvpress_4k.json
"""
import argparse, importlib.util, json, sys, time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

def _load(name):
    spec = importlib.util.spec_from_file_location(f"_us_{name}", ROOT / "unsloth_spectral" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec); sys.modules[spec.name] = mod; spec.loader.exec_module(mod)
    return mod

PRESSES = {"knorm": "KnormPress", "streaming_llm": "StreamingLLMPress", "snapkv": "SnapKVPress",
           "expected_attention": "ExpectedAttentionPress", "tova": "TOVAPress"}

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", required=True, help="a plain Hugging Face model folder")
    ap.add_argument("--text", default="pydoc", help="'pydoc' or the path of a UTF-8 file")
    ap.add_argument("--context", default="4096", help="comma list of context lengths")
    ap.add_argument("--device", default="cpu", help="torch device of the model (cpu, cuda)")
    ap.add_argument("--n-score", type=int, default=256)
    ap.add_argument("--n-new", type=int, default=32)
    ap.add_argument("--offsets", default="0,16000,32000")
    ap.add_argument("--presses", default=",".join(PRESSES))
    ap.add_argument("--ratios", default="0.5,0.75,0.875", help="kvpress compression_ratio: share of tokens evicted")
    ap.add_argument("--metrics", default="ppl", help="ppl and/or needle")
    ap.add_argument("--needle-context", default=None, help="comma list of needle contexts (default: --context)")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    presses = [p for p in a.presses.split(",") if p]
    bad = [p for p in presses if p not in PRESSES]
    if bad: sys.exit(f"kvpress_runner: --presses must be among {','.join(PRESSES)}; got {','.join(bad)}")
    ratios = [float(r) for r in a.ratios.split(",")]
    if not all(0 < r < 1 for r in ratios): sys.exit(f"kvpress_runner: --ratios must be in (0, 1), got {a.ratios}")
    if a.threads: torch.set_num_threads(a.threads)

    import kvpress, transformers
    transformers.utils.logging.disable_progress_bar()
    from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache
    core, ev = _load("core"), _load("evaluation")
    if "unsloth_spectral" not in sys.modules:  # evaluation imports `unsloth_spectral.core` lazily: give it this one
        import types
        pkg = types.ModuleType("unsloth_spectral"); pkg.__path__ = []; pkg.core = core
        sys.modules.update({"unsloth_spectral": pkg, "unsloth_spectral.core": core})
    tok = AutoTokenizer.from_pretrained(a.model_dir)
    model = AutoModelForCausalLM.from_pretrained(a.model_dir, dtype=torch.float32).to(a.device).eval()
    ids = torch.tensor(tok(core.load_text(a.text)).input_ids)
    offsets = tuple(int(o) for o in a.offsets.split(","))
    dev = torch.device(a.device)
    env = dict(transformers=transformers.__version__, kvpress=getattr(kvpress, "__version__", "?"), torch=torch.__version__,
               device=torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu")
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(out.read_text()) if out.is_file() else []
    done = {(r["method"], r.get("ratio"), r["context"], r.get("metric", "ppl")) for r in rows}
    dense = lambda: DynamicCache(config=model.config)
    metrics = a.metrics.split(",")

    def save(row):
        rows.append(row); out.write_text(json.dumps(rows, indent=1)); done.add(key(row))
        print(json.dumps({k: row.get(k) for k in ("method", "ratio", "context", "ppl", "accuracy", "fraction", "seconds")}), flush=True)
    key = lambda r: (r["method"], r.get("ratio"), r["context"], r.get("metric", "ppl"))

    methods = {f"{p}-{r}": dict(make_cache=dense, press=getattr(kvpress, PRESSES[p])(compression_ratio=r),
                                family="kvpress", press_name=p, ratio=r, env=env)
               for p in presses for r in ratios}
    for context in (int(c) for c in a.context.split(",")):
        if "ppl" in metrics and not any(k[2] == context and k[3] == "ppl" for k in done):
            for row in ev.evaluate_methods(model, ids, methods, context=context, n_score=a.n_score, n_new=a.n_new,
                                           offsets=offsets, text=a.text):
                save(row)
    for context in (int(c) for c in (a.needle_context or a.context).split(",")) if "needle" in metrics else ():
        for name, m in {"dense": dict(press=None, ratio=None), **methods}.items():
            if (name, m["ratio"], context, "needle") in done: continue
            with_ = (lambda press=m["press"]: press(model)) if m["press"] is not None else None
            row = ev.needle_retrieval(model, tok, dense, context=context, prefill_with=with_, text=a.text)
            save(dict(method=name, family="kvpress" if m["press"] else "dense", ratio=m["ratio"], env=env, **row))

if __name__ == "__main__":
    main()
