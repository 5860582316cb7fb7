"Static compile of the v11 Gluon cold kernel for sm_90 without a GPU (device Triton first on PYTHONPATH); writes /tmp/TAG.{ptx,ttgir,cubin}. Env: TILE, TAG."
import os, sys
os.environ.pop("TRITON_INTERPRET", None)
import triton
from triton.backends.compiler import GPUTarget
from triton.experimental.gluon._runtime import GluonASTSource
sys.path.insert(0, os.path.dirname(__file__))
import gkern as gk
tile = int(os.environ.get("TILE", 32))
k = gk._cold_split
names = k.arg_names
consts = dict(D=128, HPG=4, L=256, TILE=tile, RK=16, BIAS=136.0, VPTX=gk._ptx_values(0x4300), KPTX=gk._ptx_keys(0x4300), VCON=gk.VCON,
              VL=gk.value_layout(tile), LAZY=float(os.environ.get("LAZY", 0)), PREFETCH=int(os.environ.get("PF", 1)))
ptrs = dict(QB="*bf16", QM="*fp32", KC="*u8", KB="*bf16", KM="*bf16", VC="*u8", VS="*bf16", PAD="*i32", O_PART="*fp32", LSE_PART="*fp32")
sig = {n: "constexpr" if n in consts else ptrs.get(n, "fp32" if n == "qk_scale" else "i32") for n in names}
div = [n for n in names if sig[n].startswith("*") or n in ("sqb", "sqh", "kcb", "kcg", "vcb", "vcg", "vsb", "vsg")]
attrs = {(names.index(n),): [["tt.divisibility", 16]] for n in div}
src = GluonASTSource(fn=k, signature=sig, constexprs={(names.index(n),): v for n, v in consts.items()}, attrs=attrs)
c = triton.compile(src, target=GPUTarget("cuda", 90, 32), options=dict(num_warps=1, **({"maxnreg": int(os.environ["NREG"])} if "NREG" in os.environ else {})))
tag = os.environ.get("TAG", "g")
open(f"/tmp/{tag}.ptx", "w").write(c.asm["ptx"]); open(f"/tmp/{tag}.ttgir", "w").write(c.asm["ttgir"])
open(f"/tmp/{tag}.cubin", "wb").write(c.asm["cubin"])
print("shared", c.metadata.shared, "regs?", getattr(c, "n_regs", None))
