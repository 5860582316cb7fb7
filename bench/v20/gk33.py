"""Study module (session 16): 05b where each cold program, when its own tiles are done, asks L2 to prefetch the last
GK_PF tiles (key words, value codes, value scales; `cp.async.bulk.prefetch.L2`, one lane, sm_90) of a sibling split of
the same (b, g): GK_PFP=half the split C/2 cold splits on (mod C), =next the next one. The idea: programs end over a
spread of ~5 µs at 32K B=8 (Session 13's stamps), the DRAM idles in that tail, and the ones still running wait on
their last tiles' loads; whoever ends first pulls a straggler's last tiles into L2 with bandwidth the tail leaves
free. Fire and forget: nobody waits on a prefetch, so the results cannot change. Whole-block plans only (not the balanced
pre-RoPE ones)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

PF, PFP = int(os.environ.get("GK_PF", "2")), os.environ.get("GK_PFP", "half")
SUBS = [
    ("""                                BIAS, VPTX, KPTX, VCON, VL, LAZY, NS, KB_I8, INV, TAB, rope_scale, PRE, HP, TABL, RK, RP, KG)
""", f"""                                BIAS, VPTX, KPTX, VCON, VL, LAZY, NS, KB_I8, INV, TAB, rope_scale, PRE, HP, TABL, RK, RP, KG)
        if not BAL:
            C = n_splits - n_hot_splits
            c = split - n_hot_splits
            p = {"(c + C // 2) % C" if PFP == "half" else "(c + 1) % C"}
            p_hi = gl.minimum((p + 1) * tiles_per_split, N * (L // TILE))
            p_lo = gl.maximum(p_hi - {PF}, p * tiles_per_split)
            if p_hi > p_lo:
                nb = (p_hi - p_lo) * TILE
                _bulk_pf(KC + b * kcb + g * kcg + p_lo * TILE * (RK // 2), nb * (RK // 2))
                _bulk_pf(VC + b * vcb + g * vcg + p_lo * TILE * (D // 2), nb * (D // 2))
                _bulk_pf(VS + b * vsb + g * vsg + p_lo * TILE, nb * 2)
"""),
    ("""@gluon.jit
def _g_store(""", """@gluon.jit
def _bulk_pf(ptr, size):
    return gl.inline_asm_elementwise(
        "{ .reg .pred p; .reg .b32 l; mov.u32 l, %laneid; setp.eq.u32 p, l, 0; "
        "@p cp.async.bulk.prefetch.L2.global [$1], $2; mov.u32 $0, 0; }",
        "=r,l,r", [ptr.to(gl.int64), size.to(gl.int32)], dtype=gl.int32, is_pure=False, pack=1)

@gluon.jit
def _g_store("""),
]
globals().update(derive(f"gk33_{PF}{PFP}", __doc__, SUBS))
