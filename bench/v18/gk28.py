"""Study module (session 14): 05b with the cold tail shared out at run time. Each cold program keeps the first part
of its range to itself and offers its last GK_SH tiles in a 64-bit word (front | back << 32, in a buffer of one
word a cold program). It claims them from the front, GK_C tiles at a time, by an atomic add sent one tile before it
needs the answer (so the claim rides under a tile's arithmetic); when its own are gone, it reads its siblings' words
(the other cold programs of its (b, g), one lane each, one round trip), and takes GK_C tiles from the back of the
fullest, until none is left. Every word is reset by its owner at its start, and is spent (front >= back) when its
owner ends, so a word from an earlier call offers nothing. The thief's tiles join its own partial (same (b, g)), so
the merge is unchanged. Session 13's stamps: at 32K B=8 cold programs end between 44.5 (p10) and 52.7 µs (max)
with no order by launch rank, a spread that fixed ranges cannot take out.
Its substitutions apply to 05b as of commit 0b07edf (before the balanced programs shipped)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

SUBS = [
    # _g_cold: the accumulators come in and go out raw; the range's end grows by claims
    ("""            qk_scale, n_sinks, N, t_lo, t_hi, m_i, l_i,
            D: gl.constexpr,""", """            qk_scale, n_sinks, N, t_lo, t_hi, m_i, l_i, acc_t, wacc, wme, own,
            D: gl.constexpr,"""),
    ("""TABL: gl.constexpr, RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr):
    "Cold tiles""", """TABL: gl.constexpr, RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr, C: gl.constexpr):
    "Cold tiles"""),
    ("""    wacc = gl.zeros([16, NQ], gl.float32, MMA)
    ones_a""", """    ones_a"""),
    ("""    unit = gl.where(((gl.arange(0, D, layout=gl.SliceLayout(1, MMA)) // 32) % 2) == 1, 16.0 * _SUB_UNIT, _SUB_UNIT)
    acc_t = gl.zeros([D, NQ], gl.float32, MMA)   # O transposed: V^T P^T (half the products of P V at <= 8 rows)
""", ""),
    ("""    for t in range(t_lo, t_hi):
        i = t - t_lo
        async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        _barrier()
""", """    LANE: gl.constexpr = gl.BlockedLayout([1], [32], [1], [0])
    lanes = gl.arange(0, 32, layout=LANE)
    clm = gl.zeros([32], gl.int64, LANE)
    pend = t_lo * 0
    t_end = t_hi
    t = t_lo
    while t < t_end:
        i = t - t_lo
        async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        _barrier()
        if pend == 1:   # the claim sent a tile ago: C more tiles of this program's shared part, or none
            old = gl.sum(clm, axis=0)
            f = (old & 0xFFFFFFFF).to(gl.int32)
            bk = (old >> 32).to(gl.int32)
            t_end = gl.where(f < bk, gl.minimum(f + C, bk), t_end)
            own = gl.where(f < bk, own, 0)
            pend = 0
"""),
    ("""        tc = gl.minimum(t + NS - 1, t_hi - 1) * TILE
        sn = (i + NS - 1) % NS""", """        tc = gl.minimum(t + NS - 1, t_end - 1) * TILE
        sn = (i + NS - 1) % NS"""),
    ("""        _async_load(vs_s.index(sn), vs_g + tc + ck)
        async_copy.commit_group()
        sc = i % NS""", """        _async_load(vs_s.index(sn), vs_g + tc + ck)
        async_copy.commit_group()
        if (own == 1) & (t + 2 == t_end):   # claim the next C tiles now, read the answer a tile later
            clm = _lane0(_CLAIM, lanes, gl.full([32], 0, gl.int64, LANE) + wme, gl.full([32], C, gl.int64, LANE))
            pend = 1
        sc = i % NS"""),
    ("if (t % TPB == TPB - 1) & (t + 1 < t_hi):", "if (t % TPB == TPB - 1) & (t + 1 < t_end):"),
    ("""        acc_t = mma_v2(vt, pw, acc_t)
    async_copy.wait_group(0)
    acc_t = (acc_t - (BIAS * unit)[:, None] * gl.max(wacc, axis=0)[None, :]) / unit[:, None]
    acc = gl.convert_layout(_rows16(gl.permute(acc_t, (1, 0)), D, HALF), MMA)
    return gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc
""", """        acc_t = mma_v2(vt, pw, acc_t)
        t += 1
    async_copy.wait_group(0)
    return gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc_t, wacc, own

@gluon.jit
def _g_cold_out(acc_t, wacc, D: gl.constexpr, HPG: gl.constexpr, BIAS: gl.constexpr):
    "The cold accumulator, transposed back, without the values' bias, in units of the values' scale."
    unit = gl.where(((gl.arange(0, D, layout=gl.SliceLayout(1, MMA)) // 32) % 2) == 1, 16.0 * _SUB_UNIT, _SUB_UNIT)
    acc_t = (acc_t - (BIAS * unit)[:, None] * gl.max(wacc, axis=0)[None, :]) / unit[:, None]
    return gl.convert_layout(_rows16(gl.permute(acc_t, (1, 0)), D, HPG <= 8), MMA)

_CLAIM = gl.constexpr("{ .reg .pred p; setp.eq.s32 p, $1, 0; mov.b64 $0, 0; @p atom.relaxed.gpu.global.add.u64 $0, [$2], $3; }")
_SETW = gl.constexpr("{ .reg .pred p; setp.eq.s32 p, $1, 0; mov.b64 $0, 0; @p atom.relaxed.gpu.global.exch.b64 $0, [$2], $3; }")
_PROBE = gl.constexpr("{ .reg .pred p, q; setp.gt.s32 p, $1, 0; setp.lt.s32 q, $1, $3; and.pred p, p, q; mov.b64 $0, 0; "
          "@p ld.relaxed.gpu.global.b64 $0, [$2]; }")

@gluon.jit
def _lane0(asm: gl.constexpr, lanes, addr, val):
    "An atomic on one word by lane 0 (the others get 0): `asm` with (lane, address, operand)."
    return gl.inline_asm_elementwise(asm, "=l,r,l,l", [lanes, addr, val], dtype=gl.int64, is_pure=False, pack=1)

@gluon.jit
def _g_next(WB, me, P, own, C: gl.constexpr):
    "The next run of tiles for a cold program whose run ended: more of its own (front), else C from the back of the sibling with the most left; (0, 0) when none is left."
    LANE: gl.constexpr = gl.BlockedLayout([1], [32], [1], [0])
    lanes = gl.arange(0, 32, layout=LANE)
    z = gl.full([32], 0, gl.int64, LANE)
    s_lo = me * 0
    s_hi = me * 0
    go = 1
    if own == 1:
        old = gl.sum(_lane0(_CLAIM, lanes, z + (WB + 8 * me.to(gl.int64)), z + C), axis=0)
        f = (old & 0xFFFFFFFF).to(gl.int32)
        bk = (old >> 32).to(gl.int32)
        if f < bk:
            s_lo = f
            s_hi = gl.minimum(f + C, bk)
            go = 0
        else:
            own = 0
    n_try = 0
    while (go == 1) & (n_try < 4):
        vict = (me + lanes) % P   # lane j: the sibling j after this program (j = 1 .. min(31, P - 1))
        w = gl.inline_asm_elementwise(_PROBE, "=l,r,l,r", [lanes, z + WB + 8 * vict.to(gl.int64),
                                      gl.full([32], 0, gl.int32, LANE) + gl.minimum(P, 32)],
                                      dtype=gl.int64, is_pure=False, pack=1)
        left = (w >> 32).to(gl.int32) - (w & 0xFFFFFFFF).to(gl.int32)
        key = gl.max(gl.where((lanes > 0) & (lanes < P) & (left > 0), left * 64 + lanes, -1), axis=0)
        if key < 0:
            go = 0
        else:
            v = (me + key % 64) % P
            old = gl.sum(_lane0(_CLAIM, lanes, z + (WB + 8 * v.to(gl.int64)), z + (-(C << 32))), axis=0)
            f = (old & 0xFFFFFFFF).to(gl.int32)
            bk = (old >> 32).to(gl.int32)
            if f < bk:
                s_lo = gl.maximum(f, bk - C)
                s_hi = bk
                go = 0
            n_try += 1
    return s_lo, s_hi, own
"""),
    # _g_decode: the words, the private run, then runs until none is left
    ("qk_scale, G, H, N, n_sinks, n_hot, tiles_per_split, n_hot_splits, n_splits,",
     "qk_scale, G, H, N, n_sinks, n_hot, tiles_per_split, n_hot_splits, n_splits, WS, SH,"),
    ("RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr):\n    \"Pass 1",
     "RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr, C: gl.constexpr):\n    \"Pass 1"),
    ("""        t_lo = (split - n_hot_splits) * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * (L // TILE))
        m_i, l_i, acc = _g_cold(Q, b * sqb + g * HPG * sqh, sqh, KB, b * kbb + g * kbg, kbn, KS, b * ksb + g * ksg,
                                ksn, KM, b * kmb + g * kmg, kmn, KC, b * kcb + g * kcg, VC, b * vcb + g * vcg, VS,
                                b * vsb + g * vsg, pad_b, qk_scale, n_sinks, N, t_lo, t_hi, m_i, l_i, D, HPG, L, TILE,
                                BIAS, VPTX, KPTX, VCON, VL, LAZY, NS, KB_I8, INV, TAB, rope_scale, PRE, HP, TABL, RK, RP, KG)
""", """        me = split - n_hot_splits
        P = n_splits - n_hot_splits
        t_lo = me * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * (L // TILE))
        mid = gl.minimum(gl.maximum(t_hi - SH, t_lo + 1), t_hi)   # [t_lo, mid) its own, [mid, t_hi) offered
        WB = WS + 8 * (pid * P).to(gl.int64)
        LANE: gl.constexpr = gl.BlockedLayout([1], [32], [1], [0])
        _lane0(_SETW, gl.arange(0, 32, layout=LANE), gl.full([32], 0, gl.int64, LANE) + (WB + 8 * me.to(gl.int64)),
               gl.full([32], 0, gl.int64, LANE) + ((t_hi.to(gl.int64) << 32) | mid.to(gl.int64)))
        NQ: gl.constexpr = 8 if HPG <= 8 else 16
        acc_t = gl.zeros([D, NQ], gl.float32, MMA)
        wacc = gl.zeros([16, NQ], gl.float32, MMA)
        s_lo = t_lo
        s_hi = mid
        own = 1
        while s_lo < s_hi:
            m_i, l_i, acc_t, wacc, own = _g_cold(
                Q, b * sqb + g * HPG * sqh, sqh, KB, b * kbb + g * kbg, kbn, KS, b * ksb + g * ksg,
                ksn, KM, b * kmb + g * kmg, kmn, KC, b * kcb + g * kcg, VC, b * vcb + g * vcg, VS,
                b * vsb + g * vsg, pad_b, qk_scale, n_sinks, N, s_lo, s_hi, m_i, l_i, acc_t, wacc,
                WB + 8 * me.to(gl.int64), own, D, HPG, L, TILE,
                BIAS, VPTX, KPTX, VCON, VL, LAZY, NS, KB_I8, INV, TAB, rope_scale, PRE, HP, TABL, RK, RP, KG, C)
            s_lo, s_hi, own = _g_next(WB, me, P, own, C)
        acc = _g_cold_out(acc_t, wacc, D, HPG, BIAS)
"""),
    # the plan: one word a cold program
    ("""    o_part = _scratch(dev, B * H * n_splits * D, "o")""", """    o_part = _scratch(dev, B * H * n_splits * D, "o")
    words = torch.zeros(B * G * (n_splits - n_hot_splits), dtype=torch.int64, device=dev)"""),
    ("                  tps, n_hot_splits, n_splits, D, H // G,",
     "                  tps, n_hot_splits, n_splits, words.data_ptr(), _SH, D, H // G,"),
    ("*rope_args, RK, RP, RK != 16)", "*rope_args, RK, RP, RK != 16, _C)"),
    ("""    return _Plan(dev, (B * G, n_splits), split_args, (B * H,), merge_args, (B, H, 1, D),
                 dict(num_warps=1, maxnreg=GLUON_MAXNREG), False, borrowed, kernel=_g_decode)""",
     """    plan = _Plan(dev, (B * G, n_splits), split_args, (B * H,), merge_args, (B, H, 1, D),
                 dict(num_warps=1, maxnreg=GLUON_MAXNREG), False, borrowed, kernel=_g_decode)
    plan.words = words
    return plan"""),
    ("""def make_gluon_plan(""", """_E = __import__("os").environ
_SH, _C = int(_E.get("GK_SH", 6)), int(_E.get("GK_C", 2))

def make_gluon_plan("""),
]
if __name__ != "__main__":
    globals().update(derive("gk28", __doc__, SUBS))
