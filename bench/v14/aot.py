"""Static compile of a Gluon decode module's kernel (session 10; bench/v12/aot.py plus TMA descriptors):
MOD=path.py TAG=name [ARCH=90|80] [HPG=4] -> /tmp/TAG.cubin. Run with the device's Triton (3.6) first on PYTHONPATH."""
import importlib.util, os
os.environ.pop("TRITON_INTERPRET", None)
import triton
from triton.backends.compiler import GPUTarget
from triton.experimental.gluon._runtime import GluonASTSource
path = os.environ.get("MOD", os.path.join(os.path.dirname(__file__), "gk14.py"))
spec = importlib.util.spec_from_file_location("gmod", path); ga = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ga)
names = ga._g_decode.arg_names
consts = dict(D=128, HPG=int(os.environ.get("HPG", 4)), L=256, TILE=ga.GLUON_TILE, HOT_CHUNK=128, BIAS=ga._BIAS,
              VPTX=ga._ptx_values(), KPTX=ga._ptx_keys(), VCON=ga._VCON, VL=ga.value_layout(ga.GLUON_TILE),
              LAZY=ga.GLUON_LAZY, NS=ga.GLUON_STAGES, FUSE=bool(int(os.environ.get("GK_FUSE", 0))), PDLT=int(os.environ.get("GK_PDL", 0)) == 2,
              R=int(os.environ.get("HPG", 4)), NSP=32)
consts = {k: v for k, v in consts.items() if k in names}
ptrs = dict(Q="*bf16", SK="*bf16", SV="*bf16", HK="*bf16", HV="*bf16", KB="*bf16", KM="*bf16", KC="*u8", VC="*u8",
            VS="*bf16", PAD="*i32", CNT="*i32", OUT="*bf16", O_PART="*fp32", LSE_PART="*fp32")
if int(getattr(ga, "_TMA", 0)):
    T = ga.GLUON_TILE
    lay = lambda b: f"NVMMASharedLayout(swizzle_byte_width=0, element_bitwidth={b}, rank=2)"
    ptrs.update(KC=f"tensordesc<u8[{T // 2}, 16],{lay(8)}>", VC=f"tensordesc<u8[{T}, 64],{lay(8)}>",
                VS=f"tensordesc<bf16[{T // 8}, 8],{lay(16)}>")
sig = {n: "constexpr" if n in consts else ptrs.get(n, "fp32" if n == "qk_scale" else "i32") for n in names}
STRIDES = "sqb sqh ssb ssg shb shg kbb kbg kbn kmb kmg kmn kcb kcg vcb vcg vsb vsg".split()
src = GluonASTSource(fn=ga._g_decode, signature=sig, constexprs={(names.index(n),): v for n, v in consts.items()},
                     attrs={(names.index(n),): [["tt.divisibility", 16]] for n in names
                            if (sig[n][0] == "*" or n in STRIDES)})
k = triton.compile(src, target=GPUTarget("cuda", int(os.environ.get("ARCH", 90)), 32),
                   options=dict(num_warps=1, maxnreg=ga.GLUON_MAXNREG))
tag = os.environ.get("TAG", "g14")
open(f"/tmp/{tag}.cubin", "wb").write(k.asm["cubin"])
open(f"/tmp/{tag}.ttgir", "w").write(k.asm["ttgir"])
print("shared", k.metadata.shared)
