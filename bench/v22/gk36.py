"""Study module (session 18): 05b with the hot chunk's dense tiles pipelined (two stages), and the hot weight of
post-RoPE plans as a switch.

The shipped hot path runs a hot chunk (128 tokens) as 8 dense tiles of 16 tokens, each copied, waited for and used
before the next is copied: 8 round trips, which is why a chunk weighs 11 cold tiles of 64 (`GLUON_HOT_WEIGHT_POST`).
Here tile i + 1's copy goes out before tile i is used (a two-stage ring of K and V tiles, 16 KB), so a chunk costs
about half the round trips and can weigh less; the sinks keep the single-stage tile.
GK_HW=n: GLUON_HOT_WEIGHT_POST (a hot chunk counted as n cold tiles of 64; shipped 11).
GK_PIPE=0: the shipped single-stage hot tiles (to time the weight alone)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

HW = int(os.environ.get("GK_HW", "11"))
PIPE = os.environ.get("GK_PIPE", "1") == "1"

SUBS = [("GLUON_HOT_WEIGHT_POST = 11 ", f"GLUON_HOT_WEIGHT_POST = {HW} ")]
if PIPE: SUBS += [
    ("""        h_hi = gl.minimum((split + 1) * HOT_CHUNK, n_hot)
        for t0 in range(split * HOT_CHUNK, h_hi, 16):
            m_i, l_i, acc = _g_dense_tile(HK + b * shb + g * shg, HV + b * shb + g * shg, t0, h_hi,
                                          n_sinks + N * L, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s, D, 16)
""", """        h_lo = split * HOT_CHUNK
        h_hi = gl.minimum(h_lo + HOT_CHUNK, n_hot)
        k2 = gl.allocate_shared_memory(gl.bfloat16, [2, 16, D], SB)
        v2 = gl.allocate_shared_memory(gl.bfloat16, [2, 16, D], SB)
        hk_b = HK + b * shb + g * shg
        hv_b = HV + b * shb + g * shg
        _g_dense_copy(hk_b, hv_b, h_lo, h_hi, k2.index(0), v2.index(0), D, 16)
        for t0 in range(h_lo, h_hi, 16):
            i = (t0 - h_lo) // 16
            _g_dense_copy(hk_b, hv_b, t0 + 16, h_hi, k2.index((i + 1) % 2), v2.index((i + 1) % 2), D, 16)
            async_copy.wait_group(1)   # tile i has landed
            _barrier()
            m_i, l_i, acc = _g_dense_math(k2.index(i % 2), v2.index(i % 2), t0, h_hi, n_sinks + N * L, pad_b, q_a,
                                          m_i, l_i, acc, qk_scale, D, 16)
        async_copy.wait_group(0)
"""),
    # (_g_dense_tile split in two where it waits: the package's lines up to its copies' commit become `_g_dense_copy`,
    # the rest `_g_dense_math`, and `_g_dense_tile` calls both)
    ("""def _g_dense_tile(Kb, Vb, t0, t_end, cpos0, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s,
                  D: gl.constexpr, T: gl.constexpr):
    "Exact attention of the query rows over dense tokens t0 .. t_end - 1 of one (b, g) (sinks or hot buffer); K and V come by cp.async into shared memory and leave it as the products' operands."
""", """def _g_dense_tile(Kb, Vb, t0, t_end, cpos0, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s,
                  D: gl.constexpr, T: gl.constexpr):
    "Exact attention of the query rows over dense tokens t0 .. t_end - 1 of one (b, g): `_g_dense_copy`, its wait, `_g_dense_math`."
    _g_dense_copy(Kb, Vb, t0, t_end, k_s, v_s, D, T)
    async_copy.wait_group(0)
    _barrier()
    return _g_dense_math(k_s, v_s, t0, t_end, cpos0, pad_b, q_a, m_i, l_i, acc, qk_scale, D, T)

@gluon.jit
def _g_dense_copy(Kb, Vb, t0, t_end, k_s, v_s, D: gl.constexpr, T: gl.constexpr):
    "Dense tokens t0 .. min(t0 + T, t_end) - 1 into k_s, v_s by cp.async, one commit group (none copied past t_end)."
"""),
    ("""    async_copy.commit_group()
    async_copy.wait_group(0)
    _barrier()
    s = mma_v2(q_a, k_s.permute((1, 0))""", """    async_copy.commit_group()

@gluon.jit
def _g_dense_math(k_s, v_s, t0, t_end, cpos0, pad_b, q_a, m_i, l_i, acc, qk_scale, D: gl.constexpr, T: gl.constexpr):
    "`_g_dense_tile`'s products and softmax on tiles already in shared memory."
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    s = mma_v2(q_a, k_s.permute((1, 0))"""),
]

globals().update(derive(f"gk36_{HW}_{int(PIPE)}", __doc__, SUBS))
