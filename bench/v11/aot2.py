"Static compile of the v11c one-launch Gluon kernel (`gkern._decode`) for sm_90 without a GPU. Env: TILE, LAZY, QBIN, FUSED, NREG, TAG."
import os, sys
os.environ.pop("TRITON_INTERPRET", None)
import triton
from triton.backends.compiler import GPUTarget
from triton.experimental.gluon._runtime import GluonASTSource
sys.path.insert(0, os.path.dirname(__file__))
import gkern as gk
e = lambda n, d: type(d)(os.environ.get(n, d))
tile = e("TILE", 64)
k = gk._decode
names = k.arg_names
consts = dict(D=128, HPG=4, L=256, TILE=tile, RK=16, HOT_CHUNK=128, BIAS=136.0, VPTX=gk._ptx_values(0x4300),
              KPTX=gk._ptx_keys(0x4300), VCON=gk.VCON, VL=gk.value_layout(tile), LAZY=e("LAZY", 8.0),
              QBIN=e("QBIN", 1), FUSED=e("FUSED", 1), NS=e("NS", 0), VL16=gk.value_layout(16), CHUNK=e("CHUNK", 0))
ptrs = dict(Q="*bf16", SK="*bf16", SV="*bf16", HK="*bf16", HV="*bf16", KB="*bf16", KM="*bf16", KC="*u8", VC="*u8",
            VS="*bf16", PAD="*i32", QB="*bf16", QM="*fp32", O_PART="*fp32", LSE_PART="*fp32", OUT="*bf16", COUNT="*i32")
sig = {n: "constexpr" if n in consts else ptrs.get(n, "fp32" if n == "qk_scale" else "i32") for n in names}
div = [n for n in names if sig[n].startswith("*") or n in ("sqb", "sqh", "ssb", "ssg", "shb", "shg", "kbb", "kbg", "kbn", "kmb", "kmg", "kmn", "kcb", "kcg", "vcb", "vcg", "vsb", "vsg", "sob", "soh")]
attrs = {(names.index(n),): [["tt.divisibility", 16]] for n in div}
src = GluonASTSource(fn=k, signature=sig, constexprs={(names.index(n),): v for n, v in consts.items()}, attrs=attrs)
c = triton.compile(src, target=GPUTarget("cuda", 90, 32), options=dict(num_warps=1, **({"maxnreg": int(os.environ["NREG"])} if "NREG" in os.environ else {})))
tag = os.environ.get("TAG", "d")
open(f"/tmp/{tag}.ptx", "w").write(c.asm["ptx"]); open(f"/tmp/{tag}.ttgir", "w").write(c.asm["ttgir"])
open(f"/tmp/{tag}.cubin", "wb").write(c.asm["cubin"])
print("shared", c.metadata.shared)
