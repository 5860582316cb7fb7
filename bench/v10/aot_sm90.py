"Static compile of the v10 study kernel (`kernels._w_split`, cold splits) for sm_90 without a GPU; put the device Triton first on PYTHONPATH. Env: NW, TILE, NS, FOLD, ASM, KASM, KG, LAZY, MODE, TAG; writes /tmp/TAG.{ptx,ttgir,cubin}."
import os, sys
os.environ.pop("TRITON_INTERPRET", None)
import triton
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource
sys.path.insert(0, os.path.dirname(__file__))
import importlib; mod = importlib.import_module(os.environ.get("MOD", "kernels"))
e = lambda n, d: int(os.environ.get(n, d))
k = mod._w_split
names = k.arg_names
consts = dict(D=128, HPG=4, QLEN=1, BLOCK_M=16, L=256, TILE=e("TILE", 32), RK=16, HOT_CHUNK=128, MAGIC=0x4300,
              BIAS=136.0, ASM=e("ASM", 2), STAGES=e("NS", 1), FOLD=e("FOLD", 0), COLD=e("COLD", 1), MODE=e("MODE", 0), KASM=e("KASM", 2), KG=e("KG", 0), LAZY=e("LAZY", 0))
for kv in sys.argv[1:]:
    a, b = kv.split("="); consts[a] = int(b)
consts = {n: v for n, v in consts.items() if n in names}
ptrs = dict(Q="*bf16", SK="*bf16", SV="*bf16", HK="*bf16", HV="*bf16", KC="*u8", KB="*bf16", KM="*bf16",
            VC="*u8", VS="*bf16", PAD="*i32", O_PART="*fp32", LSE_PART="*fp32", OUT="*bf16", COUNT="*i32")
sig = {}
for n in names:
    if n in consts: sig[n] = "constexpr"
    elif n in ptrs: sig[n] = ptrs[n]
    elif n in ("qk_scale",): sig[n] = "fp32"
    else: sig[n] = "i32"
div = [n for n in names if sig[n].startswith("*") or (sig[n] == "i32" and n not in ("G", "H", "n_sinks", "n_cold", "n_hot", "blocks_per_split", "n_hot_splits", "n_splits"))]
attrs = {(names.index(n),): [["tt.divisibility", 16]] for n in div}
src = ASTSource(fn=k, signature=sig, constexprs={(names.index(n),): v for n, v in consts.items()}, attrs=attrs)
c = triton.compile(src, target=GPUTarget("cuda", 90, 32), options=dict(num_warps=e("NW", 1), num_stages=e("KNS", 1)))
tag = os.environ.get("TAG", "w")
open(f"/tmp/{tag}.ptx", "w").write(c.asm["ptx"]); open(f"/tmp/{tag}.ttgir", "w").write(c.asm["ttgir"])
open(f"/tmp/{tag}.cubin", "wb").write(c.asm["cubin"])
print("shared", c.metadata.shared, consts)
