"""Static compile of a Gluon decode module's kernel (session 9): MOD=path.py (default bench/v12/gk12.py),
TAG=name -> /tmp/TAG.cubin; ARCH=90|80. Run with the device's Triton (3.6) first on PYTHONPATH."""
import importlib.util, os, sys
os.environ.pop("TRITON_INTERPRET", None)
import triton
from triton.backends.compiler import GPUTarget
from triton.experimental.gluon._runtime import GluonASTSource
path = os.environ.get("MOD", os.path.join(os.path.dirname(__file__), "gk12.py"))
spec = importlib.util.spec_from_file_location("gmod", path); ga = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ga)
names = ga._g_decode.arg_names
v16 = getattr(ga, "VF16", None)
consts = dict(D=128, HPG=int(os.environ.get("HPG", 4)), L=256, TILE=ga.GLUON_TILE, HOT_CHUNK=128,
              VPTX=ga._ptx_values16() if v16 else ga._ptx_values(), KPTX=getattr(ga, "_PTX_KEYS16", None) or getattr(ga, "_PTX_KEYS", None) or ga._ptx_keys(),
              VCON=ga._VCON, VL=ga.value_layout(ga.GLUON_TILE), LAZY=ga.GLUON_LAZY, NS=ga.GLUON_STAGES)
if v16 is None: consts["BIAS"] = ga._BIAS
else: consts["VF16"] = v16
ptrs = dict(Q="*bf16", SK="*bf16", SV="*bf16", HK="*bf16", HV="*bf16", KB="*bf16", KM="*bf16", KC="*u8", VC="*u8",
            VS="*bf16", PAD="*i32", O_PART="*fp32", LSE_PART="*fp32")
sig = {n: "constexpr" if n in consts else ptrs.get(n, "fp32" if n == "qk_scale" else "i32") for n in names}
STRIDES = "sqb sqh ssb ssg shb shg kbb kbg kbn kmb kmg kmn kcb kcg vcb vcg vsb vsg".split()
src = GluonASTSource(fn=ga._g_decode, signature=sig, constexprs={(names.index(n),): v for n, v in consts.items()},
                     attrs={(names.index(n),): [["tt.divisibility", 16]] for n in names if sig[n][0] == "*" or n in STRIDES})
k = triton.compile(src, target=GPUTarget("cuda", int(os.environ.get("ARCH", 90)), 32),
                   options=dict(num_warps=1, maxnreg=ga.GLUON_MAXNREG))
open(f"/tmp/{os.environ.get('TAG', 'g12')}.cubin", "wb").write(k.asm["cubin"])
open(f"/tmp/{os.environ.get('TAG', 'g12')}.ttgir", "w").write(k.asm["ttgir"])
print("shared", k.metadata.shared)
