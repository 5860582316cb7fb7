"""Study module (session 18): 05b with the dense tokens (sinks and hot buffer) taken at run time by the programs that
finish their cold tiles first.

GK_DYN=1 (post-RoPE keys, where the balanced plan applies): every one of a (b, g)'s P = slots // (B G) programs runs
an equal share of the cold tiles (no hot chunk first, no hot weight); the dense tokens form a pool of 16-token tiles
(item 0 the sinks, item k the hot tokens 16 (k - 1) .. 16 k - 1). A program claims pool items one at a time from a
per-(b, g) counter by an atomic add (lane 0; each next claim sent before the item it has is read, so that the
answer's round trip overlaps work) and runs each item into its own partial, the accumulator turned to channel order
first. It stops at its first claim past the pool; the program whose add is the call's last (M = items + claiming
programs adds in all) sets the counter back to 0 for the next call. Each program stores one partial (n_splits = P
instead of P + the hot splits). The items a partial gets change from call to call, so results are not bit-for-bit
repeatable (the shipped kernel's are).
GK_LATE=1 (default): the first claim after the cold loop, by every program of the grid row; GK_LATE=0: sent at the
start of a program's last cold tile (a value carried through the loop for it).
GK_ALL=1: every resident slot a program (grid (B G, P + 1) where slots allow; the spare programs claim at once).
GK_DYN=2: the same equal shares, the dense items given out statically instead (no counter): item k to program
(r + k) % P, so that the P - r programs with one cold tile fewer take them first; each program runs its items after
its cold tiles. Deterministic.
GK_DYN=0: the shipped plan (the counter passed, unused).
Results: notes/kernel.md, Session 18 (not shipped)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

DYN = os.environ.get("GK_DYN", "1") != "0"
STAT = os.environ.get("GK_DYN", "1") == "2"
LATE = os.environ.get("GK_LATE", "1") == "1"
ALL = os.environ.get("GK_ALL", "0") == "1"

SUBS = [
    # _g_cold: the counter and the switch; the first claim at the start of the last cold tile; returned as a scalar
    ("TABL: gl.constexpr, RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr):\n    \"Cold tiles",
     "TABL: gl.constexpr, RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr, CNT, DYN: gl.constexpr):\n    \"Cold tiles"),
    ("""    l_i = gl.convert_layout(_rows8v(l_i, HALF), gl.SliceLayout(1, s0.type.layout))
    for t in range(t_lo, t_hi):""", """    l_i = gl.convert_layout(_rows8v(l_i, HALF), gl.SliceLayout(1, s0.type.layout))
    LN: gl.constexpr = gl.BlockedLayout([1], [32], [1], [0])
    lane = gl.arange(0, 32, layout=LN)
    claim = gl.zeros([32], gl.int32, LN)
    for t in range(t_lo, t_hi):"""),
    ("""        _async_load(vs_s.index(sn), vs_g + tc + ck)
        async_copy.commit_group()
        sc = i % NS""", """        _async_load(vs_s.index(sn), vs_g + tc + ck)
        async_copy.commit_group()
        if LOOP_C:
            if t == t_hi - 1:
                ln = gl.arange(0, 32, layout=LN)
                claim = gl.atomic_add(CNT + _ctaid(t) + ln * 0, ln * 0 + 1, mask=ln == 0, sem="relaxed")
        sc = i % NS"""),
    ("""    return gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc
""", """    return (gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc,
            gl.max(gl.where(lane == 0, claim, 0), axis=0))
"""),
    # _g_decode
    ('''    if BAL:   # tiles_per_split each,''', '''    if DYN:   # a (b, g)'s p_bg programs split the cold tiles equally (tps_w: the (b, g) from which one fewer)
        p_bg = gl.num_programs(1) - (pid >= tps_w).to(gl.int32)
        a_bg = (N * (L // TILE)) // p_bg
        r_bg = (N * (L // TILE)) % p_bg
        t_lo = split * a_bg + gl.minimum(split, r_bg)
        t_hi = gl.where(split < p_bg, t_lo + a_bg + (split < r_bg).to(gl.int32), t_lo)
        slot = split
        go = t_hi > t_lo
    elif BAL:   # tiles_per_split each,'''),
    ("PAD, O_PART, LSE_PART,\n              qk_scale,", "PAD, O_PART, LSE_PART, CNT,\n              qk_scale,"),
    ("KG: gl.constexpr, BAL: gl.constexpr):\n    \"Pass 1", "KG: gl.constexpr, BAL: gl.constexpr, DYN: gl.constexpr):\n    \"Pass 1"),
    ("""    if go:
        m_i, l_i, acc = _g_cold(""", """    c = pid * 0 + 2147483647   # (no cold tiles: no claims)
    if go:
        m_i, l_i, acc, c = _g_cold("""),
    ("RK, RP, KG)\n", "RK, RP, KG, CNT, DYN)\n"),
    ("""    ocol = gl.arange(0, D, layout=COL)
    if BAL: chan""", """    if DYN:   # the dense pool's items, claimed one at a time (the program's indices read again: nothing of them
        # is held in registers through the cold loop)
        lane0 = gl.arange(0, 32, layout=gl.BlockedLayout([1], [32], [1], [0]))
        pid = _ctaid(split)
        if LATE_C: c = gl.max(gl.where(lane0 == 0, gl.atomic_add(CNT + pid + lane0 * 0, lane0 * 0 + 1, mask=lane0 == 0, sem="relaxed"), 0), axis=0)
        b = (pid // G).to(gl.int64)
        g = (pid % G).to(gl.int64)
        PB: gl.constexpr = gl.BlockedLayout([16, 4, 1], [1, 1, 32], [1, 1, 1], [2, 1, 0])
        a3 = gl.convert_layout(gl.reshape(acc, [16, 4, 32]), PB)   # (column 32 j + i holds channel 4 i + j)
        acc = gl.convert_layout(gl.reshape(gl.permute(a3, (0, 2, 1)), [16, D]), MMA)
        LN: gl.constexpr = gl.BlockedLayout([1], [32], [1], [0])
        lane = gl.arange(0, 32, layout=LN)
        n_pool = 1 + (n_hot + 15) // 16
        if STAT_C:   # (GK_DYN=2) item k to program (r + k) % p_bg: the programs with one cold tile fewer first
            p_bg = gl.num_programs(1) - (pid >= tps_w).to(gl.int32)
            k0 = (split + p_bg - (N * (L // TILE)) % p_bg) % p_bg
            if (split < p_bg) & (k0 < n_pool):
                qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
                qd = gl.arange(0, D, layout=gl.SliceLayout(0, A_OP))
                SBD: gl.constexpr = gl.SwizzledSharedLayout(vec=8, per_phase=1, max_phase=8, order=[1, 0])
                k_s = gl.allocate_shared_memory(gl.bfloat16, [16, D], SBD)
                v_s = gl.allocate_shared_memory(gl.bfloat16, [16, D], SBD)
                for k in range(k0, n_pool, p_bg):
                    q_a = gl.load(Q + b * sqb + (g * HPG + qr)[:, None] * sqh + qd[None, :], mask=(qr < HPG)[:, None], other=0.)
                    m_i, l_i, acc = _g_pool_item(k, SK + b * ssb + g * ssg, SV + b * ssb + g * ssg, HK + b * shb + g * shg,
                                                 HV + b * shb + g * shg, n_sinks, n_hot, n_sinks + N * L, pad_b, q_a,
                                                 m_i, l_i, acc, qk_scale, k_s, v_s, D)
        else:
            if c < n_pool:
                qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
                qd = gl.arange(0, D, layout=gl.SliceLayout(0, A_OP))
                q_a = gl.load(Q + b * sqb + (g * HPG + qr)[:, None] * sqh + qd[None, :], mask=(qr < HPG)[:, None], other=0.)
                SBD: gl.constexpr = gl.SwizzledSharedLayout(vec=8, per_phase=1, max_phase=8, order=[1, 0])
                k_s = gl.allocate_shared_memory(gl.bfloat16, [16, D], SBD)
                v_s = gl.allocate_shared_memory(gl.bfloat16, [16, D], SBD)
                while c < n_pool:
                    c2 = gl.atomic_add(CNT + pid + lane * 0, lane * 0 + 1, mask=lane == 0, sem="relaxed")
                    m_i, l_i, acc = _g_pool_item(c, SK + b * ssb + g * ssg, SV + b * ssb + g * ssg, HK + b * shb + g * shg,
                                                 HV + b * shb + g * shg, n_sinks, n_hot, n_sinks + N * L, pad_b, q_a,
                                                 m_i, l_i, acc, qk_scale, k_s, v_s, D)
                    c = gl.max(gl.where(lane == 0, c2, 0), axis=0)
            if c == n_pool + gl.num_programs(1) - (0 if LATE_C else (pid >= tps_w).to(gl.int32)) - 1:   # the last add of this call: the counter back to 0
                gl.store(CNT + pid, 0)
    ocol = gl.arange(0, D, layout=COL)
    if DYN: chan = ocol
    elif BAL: chan"""),
    # the plan
    ("""    o_part = _scratch(dev, B * H * n_splits * D, "o", torch.float16)""",
     f"""    dyn = {DYN} and bal is not None and layer.rope == "post"
    if dyn:   # every program an equal share of the cold tiles, the dense tokens claimed at run time
        n_hot_splits = 0
        n_progs, (tps, tps_r, tps_w) = _balanced(n_t, B * G, 0, slots, 0)
        n_splits = n_progs
        tps_w = B * G   # (every (b, g) n_progs programs)
        extra = slots - B * G * n_progs
        if {ALL} and extra > 0: n_progs, n_splits, tps_w = n_progs + 1, n_splits + 1, extra
    cnt = torch.zeros(B * G, dtype=torch.int32, device=dev)
    o_part = _scratch(dev, B * H * n_splits * D, "o", torch.float16)"""),
    ("GLUON_LAZY = 8.0 ", f"LATE_C = gl.constexpr({LATE and not STAT})\nLOOP_C = gl.constexpr({DYN and not LATE and not STAT})\nSTAT_C = gl.constexpr({STAT})\nGLUON_LAZY = 8.0 "),
    ('''@gluon.jit
def _g_store(''', '''@gluon.jit
def _g_pool_item(k, SKb, SVb, HKb, HVb, n_sinks, n_hot, hot_pos, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s,
                 D: gl.constexpr):
    "Dense pool item k: the sinks (k = 0) or the hot tokens 16 (k - 1) .. 16 k - 1."
    if k == 0:
        for t0 in range(0, n_sinks, 16):
            m_i, l_i, acc = _g_dense_tile(SKb, SVb, t0, n_sinks, 0, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s, D, 16)
    else:
        h0 = (k - 1) * 16
        m_i, l_i, acc = _g_dense_tile(HKb, HVb, h0, gl.minimum(h0 + 16, n_hot), hot_pos, pad_b, q_a, m_i, l_i, acc,
                                      qk_scale, k_s, v_s, D, 16)
    return m_i, l_i, acc

@gluon.jit
def _ctaid(x):
    "%ctaid.x, read where it is called (not hoisted: no value held across a loop for it)."
    return gl.inline_asm_elementwise("mov.u32 $0, %ctaid.x;", "=r,r", [x], dtype=gl.int32, is_pure=False, pack=1)

@gluon.jit
def _g_store('''),
    ("pad, o_part, lse_part, scaling * LOG2E,", "pad, o_part, lse_part, cnt, scaling * LOG2E,"),
    ("*rope_args, RK, RP, RK != 16, bal is not None)", "*rope_args, RK, RP, RK != 16, bal is not None, dyn)"),
    ("    plan.balanced = bal is not None\n", "    plan.balanced = bal is not None\n    plan.dyn, plan.cnt = dyn, cnt\n"),
]

globals().update(derive(f"gk35_{int(DYN)}{int(STAT)}{int(LATE)}{int(ALL)}", __doc__, SUBS))
