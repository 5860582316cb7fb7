"The Gluon kernel of commit 4513d8d (`unsloth_spectral.gluon_attention` then) against the same with the softmax on rows 0-7 only (`half.py`, the module as shipped since, kept outside git in dev/v11/; HALF=path): error against the float64 oracle and CUDA-graph time, each plan on its own layers (session 8)."
import importlib.util, os, sys, time, torch, triton
sys.path.insert(0, os.path.dirname(__file__))
from timing import graph_us
from unsloth_spectral import gluon_attention as shipped
from unsloth_spectral.triton_attention import random_layer, dense_oracle, rel_err
spec = importlib.util.spec_from_file_location("half", os.environ.get("HALF", "dev/v11/half.py"))
half = importlib.util.module_from_spec(spec); spec.loader.exec_module(half)
print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
for B, N, seed, pad in ((1, 511, 0, 0), (2, 127, 1, 900), (8, 127, 2, 0), (1, 15, 3, 0)):
    row = f"B{B} N{N} pad_max {pad}:"
    for name, m in (("shipped", shipped), ("half", half), ("shipped", shipped), ("half", half)):
        lays = [random_layer(B=B, G=8, D=128, S=4, N=N, L=256, n_hot=252, cap=400, RK=16, quant="int4", rope="post",
                             values="int4", dtype=torch.bfloat16, device="cuda", seed=seed + 10 * i, pad_max=pad)
                for i in range(2)]
        qs = [torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        plans = [m.make_gluon_plan(qs[i], lays[i], 128 ** -0.5, lays[i].pad.to(torch.int32)) for i in range(2)]
        err = rel_err(plans[0](qs[0], lays[0].n_hot), dense_oracle(qs[0], lays[0], 128 ** -0.5))
        it = [0]
        def f():
            i = it[0] % 2; it[0] += 1
            return plans[i](qs[i], lays[i].n_hot)
        row += f" | {name}: {err:.1e}, {graph_us(f):.1f} us"
        del lays, plans; torch.cuda.empty_cache()
    print(row, flush=True)
