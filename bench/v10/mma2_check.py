"""The key-code join fix on the GPU (session 7): the shipped kernel before (`old_ta.py`, the module of the previous
commit, beside this checkout in .carry/) and after, against the float64 oracle, with 2 warps per program (Triton makes
every product mma.sync then, as on sm_80/86/89) and at the default plans; then both timed on the same inputs."""
import importlib.util, os, sys, time
import torch, triton
from unsloth_spectral import triton_attention as new
from unsloth_spectral.core import SpectralConfig
from unsloth_spectral.benchmark import bench_layer
spec = importlib.util.spec_from_file_location("old_ta", os.environ.get("OLD", ".carry/old_ta.py"))
old = importlib.util.module_from_spec(spec); spec.loader.exec_module(old)
print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
CASES = [  # random_layer kwargs, H, options
    (dict(B=2, G=8, D=128, S=4, N=15, L=256, n_hot=200, cap=400, RK=16, quant="int4", rope="pre", values="int4"), 32),
    (dict(B=2, G=8, D=128, S=4, N=15, L=256, n_hot=200, cap=400, RK=16, quant="int4", rope="post", values="int4"), 32),
    (dict(B=2, G=8, D=128, S=4, N=15, L=256, n_hot=200, cap=400, RK=24, quant="int4", rope="pre", values="int4"), 32),
    (dict(B=2, G=4, D=128, S=4, N=7, L=256, n_hot=100, cap=300, RK=16, RV=32, quant="int4", rope="pre", values="lowrank"), 16),
    (dict(B=2, G=3, D=64, S=4, N=15, L=256, n_hot=200, cap=400, RK=16, quant="int4", rope="pre", values="int4"), 9),
]
for kw, H in ([] if os.environ.get("ONLY_TIME") else CASES):
    for dt in [getattr(torch, d) for d in os.environ.get("DTYPES", "bfloat16,float16").split(",")]:
        lay = new.random_layer(**kw, dtype=dt, pad_max=300, device="cuda", seed=3)
        q = torch.randn(kw["B"], H, 1, kw["D"], device="cuda").to(dt)
        ref = new.dense_oracle(q, lay, kw["D"] ** -0.5)
        line = f"{kw['rope']}-RoPE rk{kw['RK']} {kw['values']} D{kw['D']} {str(dt)[6:]}:"
        for opts in (dict(), dict(num_warps=2), dict(num_warps=2, vjoin=False), dict(tile=32)):
            for name, m in (("old", old), ("new", new)):
                args = m._layer_tensors(q, lay)
                try:
                    out = m.decode_attention_factors(*args, lay.pad, kw["D"] ** -0.5, quant=lay.quant,
                                                     inv_freq=lay.inv_freq if lay.rope == "pre" else None,
                                                     values=kw["values"], **opts)
                    line += f" {name}{opts or ''} {new.rel_err(out, ref):.1e}"
                except Exception as e:
                    line += f" {name}{opts or ''} ERROR {type(e).__name__}"
        print(line, flush=True)
cfgs = {"default": SpectralConfig(), "post": SpectralConfig(rope="post")}
for cname, cfg in cfgs.items():
    for T, B in ((32768, 8), (131072, 1)):
        # each module its own layers: a layer keeps the launch plan of the module that ran it first (the 20:04 A/B
        # shared them, so both of its columns timed the old module's plan)
        lays = {k: [bench_layer(B, 8, 128, T, cfg, torch.bfloat16, "cuda") for _ in range(2)] for k in ("old", "new")}
        qs = [torch.randn(B, 32, 1, 128, device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        fns = {}
        for name, m in (("old", old), ("new", new)):
            it = [0]
            def f(m=m, it=it, ls=lays[name]):
                i = it[0] % 2; it[0] += 1
                return m.spectral_decode_attention(qs[i], ls[i], 128 ** -0.5)
            fns[name] = f
        us = {k: [] for k in fns}
        for _ in range(3):
            for k, f in fns.items(): us[k].append(1e3 * triton.testing.do_bench(f, warmup=10, rep=60, return_mode="median"))
        print(f"A/B {cname} {T // 1024}K B{B}: old {sorted(us['old'])[1]:.1f} us, new {sorted(us['new'])[1]:.1f} us; "
              f"rounds old {['%.1f' % u for u in us['old']]}, new {['%.1f' % u for u in us['new']]}", flush=True)
        del lays; torch.cuda.empty_cache()
