"""Correctness of the eager calls of a study module (session 15): VARS as in bench/v16/ab.py, CASES as there. For each
case, 40 back-to-back eager calls alternating two input sets (no synchronisation between them), then every output
against the float64 oracle of its inputs; and the same calls replayed from a CUDA graph.
usage: VARS="pkg=pkg" CASES="8/127/0/0/4/post/int8" PYTHONPATH=.:bench python3 bench/v19/pdl_check.py"""
import os, sys, torch
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
from v12.ab import load
from v16.ab import case
from unsloth_spectral.triton_attention import dense_oracle, rel_err

def variants() -> list:
    "(label, module) of each VARS entry."
    return [(v.split("=", 1)[0], load(v.split("=", 1)[1], i)) for i, v in enumerate(os.environ["VARS"].split(","))]

def cases():
    "Each CASES entry: its fields, bench/v16/ab.py's `case` for module m, and the oracle of both input sets."
    for c in os.environ.get("CASES", "8/127/0/0/4/post/int8").split(","):
        c = c.split("/")
        B, N, seed, pad, HPG = map(int, c[:5])
        def make(m, c=c, B=B, N=N, seed=seed, pad=pad, HPG=HPG):
            lays, qs, run, f, grid = case(m, B, N, seed, pad, HPG, c[5], None if c[6] == "-" else c[6])
            return lays, qs, run, f, grid, [dense_oracle(qs[i], lays[i], 128 ** -0.5) for i in range(2)]
        yield c, make

def eager_graph_errors(f, refs: list) -> tuple[list, list]:
    "Errors of 40 back-to-back eager calls of `f` (alternating inputs) and of 8 replayed from a CUDA graph."
    f(); f(); torch.cuda.synchronize()
    outs = [f() for _ in range(40)]
    torch.cuda.synchronize()
    errs = [rel_err(o, refs[i % 2]) for i, o in enumerate(outs)]
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g): gouts = [f() for _ in range(8)]
    g.replay(); torch.cuda.synchronize()
    return errs, [rel_err(o, refs[i % 2]) for i, o in enumerate(gouts)]

def checked():
    "Each case with each VARS entry: fields, label, (layers, queries, f, grid, oracles), eager and graph errors."
    vs = variants()
    for c, make in cases():
        for label, m in vs:
            lays, qs, run, f, grid, refs = make(m)
            errs, gerrs = eager_graph_errors(f, refs)
            yield c, label, (lays, qs, f, grid, refs), errs, gerrs
            del lays, run, f; torch.cuda.empty_cache()

if __name__ == "__main__":
    print(torch.cuda.get_device_name(), flush=True)
    for c, label, _, errs, gerrs in checked():
        print(f"{'/'.join(c)} {label}: eager max err {max(errs):.2e} (min {min(errs):.2e}); graph max {max(gerrs):.2e}"
              f"{'  MISMATCH' if max(errs + gerrs) > 1e-2 else ''}", flush=True)
