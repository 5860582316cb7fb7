"""The evaluation table of 07 in one command: perplexity, agreement, memory, needle and fidelity rows as JSON.

Runs `evaluation.run_eval` (one shared prefill per offset), `evaluation.needle_methods` (one shared prefill per prompt)
and `evaluation.attention_fidelity` on the embedded SmolLM2 (float32) for the methods named, at each context, on any
device; rows carry the device and versions. Rows already in --out are kept, so an interrupted run resumes.

The stdlib's pydoc text differs between Python versions (3.12's gives dense 11.396 at 4K where 3.11's gives
12.031), so runs meant to sit beside each other read one text file (`--text`).

usage: python bench/eval_run.py --device cuda --methods spectral-all --contexts 2048,4096,7936 \
           --needle 2048,4096,7936 --fidelity 4096 --text pydoc-py3.11.txt --out bench/results/eval_gpu.json
       python bench/eval_run.py --device cpu --threads 12 --methods quanto --contexts 7936 --needle 2048,4096,7936 \
           --text pydoc-py3.11.txt --out bench/results/eval_quanto.json
"""
import argparse, json, platform, sys, time
from pathlib import Path

import torch

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--methods", default="spectral-all", help="names `evaluation.method_table` takes (comma list)")
    ap.add_argument("--contexts", default="2048,4096,7936", help="contexts of the perplexity rows ('' for none)")
    ap.add_argument("--text", default="pydoc", help="'pydoc' (this Python's) or a UTF-8 file")
    ap.add_argument("--attention", default="auto", choices=("auto", "reference"),
                    help="spectral attention: the library's dispatch (kernel on CUDA), or the PyTorch reference")
    ap.add_argument("--n-new", type=int, default=16, help="greedy tokens for the agreement")
    ap.add_argument("--needle", default="", help="contexts of the needle rows (5 depths x offsets 0, 16000)")
    ap.add_argument("--fidelity", type=int, default=0, metavar="CONTEXT", help="per-layer fidelity of the spectral default here")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    import transformers
    from unsloth_spectral import evaluation as ev
    from unsloth_spectral.core import load_model, SpectralConfig
    from unsloth_spectral.cli import device_name
    from unsloth_spectral.spectral_cache import SpectralCache
    dev = torch.device(a.device)
    if a.attention == "reference":
        from unsloth_spectral import integration
        from unsloth_spectral.spectral_attention import spectral_attention
        integration.spectral_decode_attention = spectral_attention
    model, tok = load_model(None, dtype=torch.float32, device=dev)
    env = dict(device=device_name(dev), torch=torch.__version__, transformers=transformers.__version__,
               python=platform.python_version(), attention=a.attention)
    print(env, flush=True)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(out.read_text()) if out.is_file() else []
    have = {(r["method"], r["context"], r.get("metric", "ppl")) for r in rows}
    save = lambda: out.write_text(json.dumps(rows, indent=1))
    names = [n for n in a.methods.split(",") if n]
    ints = lambda x: [int(c) for c in x.split(",") if c]
    for c in ints(a.contexts):
        table = ev.method_table(model, names)
        todo = {n: m for n, m in table.items() if (n, c, "ppl") not in have}
        if todo or ("dense", c, "ppl") not in have:
            t0 = time.time()
            for r in ev.evaluate_methods(model, tok, todo, c, 256, a.n_new, (0, 16000, 32000), a.text, progress=False):
                if (r["method"], c, "ppl") in have: continue
                rows.append(dict(r, metric="ppl", **env)); have.add((r["method"], c, "ppl"))
                print(f"{r['method']:>20} {c:>5} ppl {r['ppl']:.3f} fraction16 {r['fraction16']:.4f} "
                      f"agree {r.get('agreement', float('nan')):.3f}", flush=True)
            save(); print(f"ppl @ {c}: {time.time() - t0:.0f} s", flush=True)
    for c in ints(a.needle):
        table = ev.method_table(model, names)
        todo = {n: m for n, m in table.items() if (n, c, "needle") not in have}
        if todo or ("dense", c, "needle") not in have:
            t0 = time.time()
            for r in ev.needle_methods(model, tok, todo, c, text=a.text, progress=False):
                if (r["method"], c, "needle") in have: continue
                rows.append(dict(r, **env)); have.add((r["method"], c, "needle"))
                print(f"{r['method']:>20} {c:>5} needle {r['accuracy']:.2f} {r['accuracy_per_depth']}", flush=True)
            save(); print(f"needle @ {c}: {time.time() - t0:.0f} s", flush=True)
    if a.fidelity and ("spectral", a.fidelity, "fidelity") not in have:
        ev.spectral_methods(model, ["spectral"])
        r = ev.attention_fidelity(model, tok, lambda: SpectralCache(SpectralConfig(), model), a.fidelity, text=a.text,
                                  progress=False)
        rows.append(dict(r, method="spectral", family="spectral", **env)); save()
        print(f"fidelity @ {a.fidelity}: rel err mean {r['rel_error_mean']:.3f}, corr min {r['corr_min']:.3f}", flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
