"Kernel study v11 (session 8, not shipped): the cold splits in Gluon, one warp per program, every tile in the register layout its mma.sync product reads (no shared memory, no layout conversion through it). Post-RoPE keys (rank 16, int4), per-token int4 values. See notes/kernel.md, Session 8."
import os, sys
import torch, triton
import triton.language as tl
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.ampere import mma_v2, async_copy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from v10 import kernels as v10   # the hot splits (dense tokens) and the split setup
from unsloth_spectral.triton_attention import _merge_splits, LOG2E, _p2

_barrier = getattr(gl, "barrier", None) or gl.thread_barrier   # (Triton 3.9 renamed these two)
_async_load = getattr(async_copy, "async_load", None) or async_copy.async_copy_global_to_shared
_MMA = gl.NVMMADistributedLayout(version=[2, 0], warps_per_cta=[1, 1], instr_shape=[16, 8])
MMA = gl.constexpr(_MMA)
A_OP = gl.constexpr(gl.DotOperandLayout(operand_index=0, parent=_MMA, k_width=2))
B_OP = gl.constexpr(gl.DotOperandLayout(operand_index=1, parent=_MMA, k_width=2))


def value_layout(tile: int):
    "[TILE, 8, 16] layout of the value tile before its unpack: lane (gid, tig) holds tokens 2tig, 2tig+1 (+8 ...) of the 8-byte word gid (16 channels, dim 2 its copies); registers: token pair first, then the 16 channels, so that one asm instance (pack 32) sees the two words of a token pair."
    return gl.DistributedLinearLayout(
        reg_bases=[[1, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 4], [0, 0, 8]] + [[8 << i, 0, 0] for i in range((tile // 8).bit_length() - 1)],
        lane_bases=[[2, 0, 0], [4, 0, 0], [0, 1, 0], [0, 2, 0], [0, 4, 0]], warp_bases=[], block_bases=[],
        shape=[tile, 8, 16])


def _ptx_values(magic: int) -> str:
    "Two 8-byte words (tokens t, t+1; 16 channels each) -> 16 registers, register i = (t, t+1) of channel i as magic | nibble."
    lines = ["{", ".reg .b32 a0, a1, b0, b1, x, y;", "mov.b64 {a0, a1}, $16;", "mov.b64 {b0, b1}, $17;"]
    for w, (a, b) in enumerate((("a0", "b0"), ("a1", "b1"))):
        for j in range(4):
            lines += [f"prmt.b32 x, {a}, {b}, {hex(((4 + j) << 8) | j)};",
                      f"lop3.b32 ${8 * w + 2 * j}, x, 0x000F000F, {hex(magic | magic << 16)}, 0xEA;",
                      "shr.u32 y, x, 4;",
                      f"lop3.b32 ${8 * w + 2 * j + 1}, y, 0x000F000F, {hex(magic | magic << 16)}, 0xEA;"]
    return "\n".join(lines + ["}"])


VCON = "=r," * 16 + ",".join(["l"] * 32)


def _ptx_keys(magic: int) -> str:
    "A token's 8-byte key word and this lane's shift (16 * tig) -> its two B-fragment registers: ranks (4tig, 4tig+1) and (4tig+2, 4tig+3) as magic | nibble."
    m = hex(magic | magic << 16)
    return "\n".join(["{", ".reg .b64 w;", ".reg .b32 x, y, z, u;",
                      "shr.u64 w, $2, $6;", "cvt.u32.u64 x, w;",
                      "shl.b32 y, x, 12;", f"lop3.b32 u, x, 0xF, {m}, 0xEA;", "lop3.b32 $0, y, 0xF0000, u, 0xEA;",
                      "shr.u32 z, x, 8;", "shl.b32 y, x, 4;", f"lop3.b32 u, z, 0xF, {m}, 0xEA;",
                      "lop3.b32 $1, y, 0xF0000, u, 0xEA;", "}"])


@triton.jit
def _qb_blocks(Q, sqb, sqh, KB, kbb, kbg, kbn, KM, kmb, kmg, kmn, QB, QM, qk_scale, G, N, bpp,
               D: tl.constexpr, HPG: tl.constexpr, BIAS: tl.constexpr):
    "Per cold block: B_k q (scaled, bf16) [16, 16] with its ranks permuted as the v11 score product reads them, and q.mean - BIAS * sum_k (B_k q) [16] (float32)."
    pid = tl.program_id(0)
    b = (pid // G).to(tl.int64)
    g = (pid % G).to(tl.int64)
    m = tl.arange(0, 16)
    d = tl.arange(0, D)
    k = tl.arange(0, 16)
    rank = 4 * ((k % 8) // 2) + 2 * (k // 8) + k % 2
    q = tl.load(Q + b * sqb + (g * HPG + m[:, None]) * sqh + d[None, :], mask=m[:, None] < HPG, other=0.)
    j0 = tl.program_id(1) * bpp
    for j in range(j0, tl.minimum(j0 + bpp, N)):
        kbT = tl.load(KB + b * kbb + g * kbg + j * kbn + rank[None, :] * D + d[:, None])            # [D, 16]
        km = tl.load(KM + b * kmb + g * kmg + j * kmn + d).to(tl.float32)
        qb = (tl.dot(q, kbT) * qk_scale).to(tl.bfloat16)
        qm = tl.sum(q.to(tl.float32) * km[None, :], 1) * qk_scale - BIAS * tl.sum(qb.to(tl.float32), 1)
        base = pid.to(tl.int64) * N + j
        tl.store(QB + (base * 16 + m[:, None]) * 16 + k[None, :], qb)
        tl.store(QM + base * 16 + m, qm)


@gluon.jit
def _tile_loads(t, kc_g, vc_g, vs_g, kt, v_off, st, TILE: gl.constexpr):
    "Raw loads of flat tile t of this (b, g) (blocks contiguous): key words, value words, value scales."
    tok0 = t * TILE
    kw = gl.load((kc_g + tok0) + kt)                                                  # [TILE] int64
    vw = gl.load((vc_g + tok0 * 8) + v_off)                                           # [TILE, 8] int64
    vs = gl.load((vs_g + tok0) + st)                                                  # [TILE]
    return kw, vw, vs


@gluon.jit
def _block_loads(j, qb_g, qm_g, qa_off, orow):
    "Block j's B_k q [16, 16] (the score product's A operand) and q.mean [16]."
    return gl.load((qb_g + j * 256) + qa_off), gl.load((qm_g + j * 16) + orow)


@gluon.jit
def _cold_split(QB, QM, KC, kcb, kcg, VC, vcb, vcg, VS, vsb, vsg, PAD, O_PART, LSE_PART,
                G, H, N, n_sinks, tiles_per_split, n_hot_splits, n_splits,
                D: gl.constexpr, HPG: gl.constexpr, L: gl.constexpr, TILE: gl.constexpr, RK: gl.constexpr,
                BIAS: gl.constexpr, VPTX: gl.constexpr, KPTX: gl.constexpr, VCON: gl.constexpr, VL: gl.constexpr,
                LAZY: gl.constexpr, PREFETCH: gl.constexpr):
    "Partial attention of one KV head's query rows (padded to 16) over one run of cold tiles (flat over blocks)."
    gl.static_assert(D == 128)
    gl.static_assert(RK == 16)
    pid = gl.program_id(0)
    cs = gl.program_id(1)
    split = cs + n_hot_splits
    b = (pid // G).to(gl.int64)
    g = (pid % G).to(gl.int64)
    DT: gl.constexpr = gl.bfloat16
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    TPB: gl.constexpr = L // TILE
    pad_b = gl.load(PAD + b)
    qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
    qk = gl.arange(0, 16, layout=gl.SliceLayout(0, A_OP))
    qa_off = qr[:, None] * 16 + qk[None, :]
    # key words: one 8-byte word per token in the B operand's token slice, this lane's 16-bit part by a shift
    kt = gl.arange(0, TILE, layout=gl.SliceLayout(0, B_OP))
    kk = gl.arange(0, 16, layout=gl.SliceLayout(1, B_OP))
    k_shift = gl.full([16, TILE], 0, gl.int32, B_OP) + (((kk % 8) // 2) * 16)[:, None]
    # value words [TILE, 8] (token, 8-byte word), in the value layout's slice
    VSL: gl.constexpr = gl.SliceLayout(2, VL)
    vt = gl.arange(0, TILE, layout=gl.SliceLayout(1, VSL))
    vw_i = gl.arange(0, 8, layout=gl.SliceLayout(0, VSL))
    v_off = vt[:, None] * 8 + vw_i[None, :]
    st = gl.arange(0, TILE, layout=COL)
    orow = gl.arange(0, 16, layout=ROW)
    kc_g = KC.to(gl.pointer_type(gl.int64)) + (b * kcb + g * kcg) // 8
    vc_g = VC.to(gl.pointer_type(gl.int64)) + (b * vcb + g * vcg) // 8
    vs_g = VS + b * vsb + g * vsg
    qb_g = QB + pid.to(gl.int64) * N * 256
    qm_g = QM + pid.to(gl.int64) * N * 16
    m_i = gl.full([16], -1e30, gl.float32, ROW)
    l_i = gl.zeros([16], gl.float32, ROW)
    acc = gl.zeros([16, D], gl.float32, MMA)
    wacc = gl.zeros([16, 8], gl.float32, MMA)   # sum of P * scale (the codes' bias), by the product with ones
    ones_b = gl.full([TILE, 8], 1.0, DT, B_OP)
    t_lo = cs * tiles_per_split
    t_hi = gl.minimum(t_lo + tiles_per_split, N * TPB)
    kw_n, vw_n, vs_n = _tile_loads(t_lo, kc_g, vc_g, vs_g, kt, v_off, st, TILE)
    qb_a, qm = _block_loads(t_lo // TPB, qb_g, qm_g, qa_off, orow)
    for t in range(t_lo, t_hi):
        if PREFETCH:   # the next tile's loads go out before this tile's work (register double buffering)
            kw, vw64, vs = kw_n, vw_n, vs_n
            kw_n, vw_n, vs_n = _tile_loads(gl.minimum(t + 1, t_hi - 1), kc_g, vc_g, vs_g, kt, v_off, st, TILE)
        else:
            kw, vw64, vs = _tile_loads(t, kc_g, vc_g, vs_g, kt, v_off, st, TILE)
        if t % TPB == 0:   # a new block: its B_k q and q.mean (L1/L2-resident, written by _qb_blocks)
            qb_a, qm = _block_loads(t // TPB, qb_g, qm_g, qa_off, orow)
        kb2 = gl.broadcast(gl.expand_dims(kw, 0), k_shift)[0]
        kc = gl.inline_asm_elementwise(KPTX, "=r,=r,l,l,l,l,r,r,r,r", [kb2, k_shift], dtype=gl.bfloat16,
                                       is_pure=True, pack=4)                                    # [16, TILE]
        s = mma_v2(qb_a, kc, gl.zeros([16, TILE], gl.float32, MMA))
        tok = n_sinks + t * TILE
        if tok < pad_b:   # left padding reaches into this tile
            s = gl.where((tok + st >= pad_b)[None, :], s, float("-inf"))
        m_t = gl.max(s, axis=1) + qm
        if LAZY > 0:   # the running max moves (and everything rescales) only when some row grows by > LAZY
            if gl.max(m_t - m_i, axis=0) > LAZY:
                m_new = gl.maximum(m_i, m_t)
                alpha = gl.exp2(m_i - m_new)
                l_i = l_i * alpha
                acc = acc * alpha[:, None]
                wacc = wacc * alpha[:, None]
                m_i = m_new
            p = gl.exp2(s - (m_i - qm)[:, None])
            l_i = l_i + gl.sum(p, axis=1)
        else:
            m_new = gl.maximum(m_i, m_t)
            alpha = gl.exp2(m_i - m_new)
            p = gl.exp2(s - (m_new - qm)[:, None])
            l_i = l_i * alpha + gl.sum(p, axis=1)
            m_i = m_new
            acc = acc * alpha[:, None]
            wacc = wacc * alpha[:, None]
        pw = gl.convert_layout((p * vs.to(gl.float32)[None, :]).to(DT), A_OP)
        wacc = mma_v2(pw, ones_b, wacc)
        v3 = gl.broadcast(gl.expand_dims(vw64, 2), gl.full([TILE, 8, 16], 0, gl.int64, VL))[0]
        vv = gl.inline_asm_elementwise(VPTX, VCON, [v3], dtype=gl.bfloat16, is_pure=True, pack=32)  # [TILE, 8, 16]
        vb = gl.convert_layout(gl.reshape(gl.permute(vv, (0, 2, 1)), (TILE, D)), B_OP)
        acc = mma_v2(pw, vb, acc)
    # column c of acc holds channel 16 * (c % 8) + c // 8; the codes' bias leaves with sum(P * scale)
    ocol = gl.arange(0, D, layout=COL)
    chan = 16 * (ocol % 8) + ocol // 8
    acc = acc - BIAS * gl.max(wacc, axis=1)[:, None]
    l_safe = gl.where(l_i > 0, l_i, 1.0)
    row = b * H + g * HPG + orow
    ok = orow < HPG
    gl.store(O_PART + (row[:, None] * n_splits + split) * D + chan[None, :], acc / l_safe[:, None], mask=ok[:, None])
    lse = gl.where(l_i > 0, m_i + gl.log2(l_safe), float("-inf"))
    gl.store(LSE_PART + row * n_splits + split, lse, mask=ok)


_BUFS = {}


def _tiles_per_split(n_tiles: int, BG: int, slots: int) -> int:
    "Fewest tiles per split such that all (b, g) x splits programs fit in `slots` resident programs (one wave)."
    tps = max(1, -(-n_tiles * BG // slots))
    while BG * -(-n_tiles // tps) > slots and tps < n_tiles: tps += 1
    return tps


def g_attention(query, layer, scaling, tile=64, per_sm=9, hot_chunk=128, lazy=0.0, prefetch=True, qb_bpp=8,
                parts=False, maxnreg=None, tps=None, stages="hot qb cold merge"):
    "v11: hot splits by the v10 Triton kernel and B_k q per block (`_qb_blocks`), the cold tiles by the Gluon kernel in one wave of `per_sm` one-warp programs per SM, then the merge."
    B, H, Qn, D = query.shape
    G, N = layer.hot_keys.shape[1], layer.key_coeffs.shape[2]
    L, RK, S, dev = layer.key_coeffs.shape[3], layer.key_basis.shape[3], layer.sink_keys.shape[2], query.device
    assert Qn == 1 and query.dtype == torch.bfloat16 and D == 128 and RK == 16, "study shapes only"
    TPB = L // tile
    n_hot_splits = max(1, -(-layer.n_hot // hot_chunk))
    tps = tps or _tiles_per_split(N * TPB, B * G, per_sm * v10._sm_count(dev))
    n_cold_splits = -(-(N * TPB) // tps)
    n_splits = n_hot_splits + n_cold_splits
    key = (id(layer), B, H, N, n_splits)
    if key not in _BUFS:   # (kept between calls, so that a timing of one stage reads what the others wrote)
        _BUFS[key] = (torch.empty(B * H * Qn * n_splits * D, device=dev, dtype=torch.float32),
                      torch.empty(B * H * Qn * n_splits, device=dev, dtype=torch.float32),
                      torch.empty(B * G * N * 256, device=dev, dtype=query.dtype),
                      torch.empty(B * G * N * 16, device=dev, dtype=torch.float32),
                      query.new_empty(B, H, Qn, D))
    o_part, lse_part, qb, qm, out = _BUFS[key]
    kc, kb, km, vc, vs = layer.key_coeffs, layer.key_basis, layer.key_mean, layer.value_codes, layer.value_scale
    sk, sv, hk, hv = layer.sink_keys, layer.sink_values, layer.hot_keys, layer.hot_values
    pad = layer.pad.to(dev, torch.int32)
    magic, bias = 0x4300, 136.0
    assert kc.stride(2) == L * RK // 2 and vc.stride(2) == L * D // 2 and vs.stride(2) == L, "blocks contiguous"
    qk = scaling * LOG2E
    if "hot" in stages: v10._w_split[(B * G, n_hot_splits)](
        query, *query.stride()[:3], sk, sv, *sk.stride()[:2], hk, hv, *hk.stride()[:2],
        kc, *kc.stride()[:3], kb, *kb.stride()[:3], km, *km.stride()[:3], vc, *vc.stride()[:3], vs, *vs.stride()[:3],
        pad, o_part, lse_part, qk, G, H, S, N, layer.n_hot, 1, n_hot_splits, n_splits,
        D, H // G, Qn, _p2(H // G * Qn), L, 32, RK, hot_chunk, magic, bias, 2, 1, False, 0, 0, 2, num_warps=4)
    if "qb" in stages: _qb_blocks[(B * G, -(-N // qb_bpp))](query, query.stride(0), query.stride(1), kb, *kb.stride()[:3],
                                        km, *km.stride()[:3], qb, qm, qk, G, N, qb_bpp, D, H // G, bias, num_warps=4)
    if "cold" in stages: _cold_split[(B * G, n_cold_splits)](
        qb, qm, kc, *kc.stride()[:2], vc, *vc.stride()[:2], vs, *vs.stride()[:2], pad, o_part, lse_part,
        G, H, N, S, tps, n_hot_splits, n_splits,
        D, H // G, L, tile, RK, bias, _ptx_values(magic), _ptx_keys(magic), VCON, value_layout(tile), lazy, prefetch,
        num_warps=1, **({} if maxnreg is None else dict(maxnreg=maxnreg)))
    if "merge" in stages: _merge_splits[(B * H * Qn,)](o_part, lse_part, out, *out.stride(), H, n_splits, Qn, _p2(n_splits, 2), D,
                                 num_warps=4)
    if parts: return out, o_part.view(B, H, Qn, n_splits, D), lse_part.view(B, H, Qn, n_splits), n_hot_splits, tps
    return out


# ---- v11c: one launch: hot splits (dense, in Gluon), B_k q per block in a prologue, cold splits, fused merge ----

@gluon.jit
def _dense_tile(Kb, Vb, t0, t_end, cpos0, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s,
                D: gl.constexpr, T: gl.constexpr):
    "Exact attention of the query rows over dense tokens t0 .. t_end - 1 of one (b, g) (sinks or hot buffer); the K and V tiles come by cp.async into shared memory and leave it as the products' operands (few registers)."
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    CB: gl.constexpr = gl.BlockedLayout([1, 8], [4, 8], [1, 1], [1, 0])
    ct = t0 + gl.arange(0, T, layout=gl.SliceLayout(1, CB))
    cd = gl.arange(0, D, layout=gl.SliceLayout(0, CB))
    off = ct[:, None] * D + cd[None, :]
    cm = (ct < t_end)[:, None] & (cd < D)[None, :]
    _barrier()   # (the previous tile's reads of k_s, v_s are done)
    _async_load(k_s, Kb + off, mask=cm)
    _async_load(v_s, Vb + off, mask=cm)
    async_copy.commit_group()
    async_copy.wait_group(0)
    _barrier()
    s = mma_v2(q_a, k_s.permute((1, 0)).load(B_OP), gl.zeros([16, T], gl.float32, MMA)) * qk_scale
    st = t0 + gl.arange(0, T, layout=COL)
    s = gl.where(((st < t_end) & (cpos0 + st >= pad_b))[None, :], s, float("-inf"))
    m_new = gl.maximum(m_i, gl.max(s, axis=1))
    alpha = gl.exp2(m_i - m_new)
    p = gl.exp2(s - m_new[:, None])
    l_i = l_i * alpha + gl.sum(p, axis=1)
    acc = mma_v2(gl.convert_layout(p.to(gl.bfloat16), A_OP), v_s.load(B_OP), acc * alpha[:, None])
    return m_new, l_i, acc


@gluon.jit
def _qb_from_smem(Q, q_off, q_mask, kb_s, km_s, qk_scale, BIAS: gl.constexpr):
    "B_k q (scaled, bf16, as the score product's A operand) and q.mean - BIAS * sum_k B_k q of the block in shared memory."
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    q_a = gl.load(Q + q_off, mask=q_mask, other=0.)
    qb16 = (mma_v2(q_a, kb_s.permute((1, 0)).load(B_OP), gl.zeros([16, 16], gl.float32, MMA)) * qk_scale).to(gl.bfloat16)
    km = km_s.load(gl.SliceLayout(0, A_OP)).to(gl.float32)
    qm = gl.convert_layout(gl.sum(q_a.to(gl.float32) * km[None, :], axis=1), ROW) * qk_scale
    qm = qm - BIAS * gl.sum(qb16.to(gl.float32), axis=1)
    return gl.convert_layout(qb16, A_OP), qm


@gluon.jit
def _cold_stream(Q, q_base, sqh, KB, kb_bg, kbn, KM, km_bg, kmn, KC, kc_bg, VC, vc_bg, VS, vs_bg, pad_b, qk_scale,
                 n_sinks, N, t_lo, t_hi, m_i, l_i, acc,
                 D: gl.constexpr, HPG: gl.constexpr, L: gl.constexpr, TILE: gl.constexpr, BIAS: gl.constexpr,
                 VPTX: gl.constexpr, KPTX: gl.constexpr, VCON: gl.constexpr, VL: gl.constexpr, LAZY: gl.constexpr,
                 NS: gl.constexpr, VL16: gl.constexpr, CHUNK: gl.constexpr):
    "Cold tiles t_lo .. t_hi - 1 of one (b, g), every load by cp.async through an NS-stage shared-memory ring (no registers held for loads in flight); B_k q at each block's first tile from the basis that came with an earlier tile."
    DT: gl.constexpr = gl.bfloat16
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    TPB: gl.constexpr = L // TILE
    S1: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[0])
    S2: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[1, 0])
    SB: gl.constexpr = gl.SwizzledSharedLayout(vec=8, per_phase=1, max_phase=8, order=[1, 0])
    kw_s = gl.allocate_shared_memory(gl.int64, [NS, TILE], S1)
    vw_s = gl.allocate_shared_memory(gl.int64, [NS, TILE, 8], S2)
    vs_s = gl.allocate_shared_memory(DT, [NS, TILE], S1)
    kb_s = gl.allocate_shared_memory(DT, [16, D], SB)
    km_s = gl.allocate_shared_memory(DT, [D], S1)
    # copy layouts (16-byte or 4-byte pieces per thread)
    CK: gl.constexpr = gl.BlockedLayout([2], [32], [1], [0])
    CV: gl.constexpr = gl.BlockedLayout([1, 2], [8, 4], [1, 1], [1, 0])
    CS: gl.constexpr = gl.BlockedLayout([2], [32], [1], [0])
    CB: gl.constexpr = gl.BlockedLayout([1, 8], [4, 8], [1, 1], [1, 0])
    CM: gl.constexpr = gl.BlockedLayout([2], [32], [1], [0])
    ck = gl.arange(0, TILE, layout=CK)
    cvt = gl.arange(0, TILE, layout=gl.SliceLayout(1, CV))
    cvw = gl.arange(0, 8, layout=gl.SliceLayout(0, CV))
    cv = cvt[:, None] * 8 + cvw[None, :]
    cs_ = gl.arange(0, TILE, layout=CS)
    cbr = gl.arange(0, 16, layout=gl.SliceLayout(1, CB))
    cbd = gl.arange(0, D, layout=gl.SliceLayout(0, CB))
    b_src = (4 * ((cbr % 8) // 2) + 2 * (cbr // 8) + cbr % 2)[:, None] * D + cbd[None, :]
    cm = gl.arange(0, D, layout=CM)
    kc_g = KC.to(gl.pointer_type(gl.int64)) + kc_bg // 8
    vc_g = VC.to(gl.pointer_type(gl.int64)) + vc_bg // 8
    vs_g = VS + vs_bg
    kb_g = KB + kb_bg
    km_g = KM + km_bg
    qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
    qd = gl.arange(0, D, layout=gl.SliceLayout(0, A_OP))
    q_off = q_base + qr[:, None] * sqh + qd[None, :]
    q_mask = (qr < HPG)[:, None]
    # reading layouts (those of the products' operands, as in _decode)
    kt = gl.arange(0, TILE, layout=gl.SliceLayout(0, B_OP))
    kk = gl.arange(0, 16, layout=gl.SliceLayout(1, B_OP))
    k_shift = gl.full([16, TILE], 0, gl.int32, B_OP) + (((kk % 8) // 2) * 16)[:, None]
    VSL: gl.constexpr = gl.SliceLayout(2, VL)
    VSL16: gl.constexpr = gl.SliceLayout(2, VL16)
    pw_s = gl.allocate_shared_memory(DT, [16, TILE], SB)
    st = gl.arange(0, TILE, layout=COL)
    wacc = gl.zeros([16, 8], gl.float32, MMA)
    ones_b = gl.full([TILE, 8], 1.0, DT, B_OP)
    # the first block's basis, then NS - 1 tiles in flight
    j0 = t_lo // TPB
    _async_load(kb_s, kb_g + j0 * kbn + b_src)
    _async_load(km_s, km_g + j0 * kmn + cm)
    for i0 in gl.static_range(NS - 1):
        tc = gl.minimum(t_lo + i0, t_hi - 1) * TILE
        _async_load(kw_s.index(i0), kc_g + tc + ck)
        _async_load(vw_s.index(i0), vc_g + tc * 8 + cv)
        _async_load(vs_s.index(i0), vs_g + tc + cs_)
        async_copy.commit_group()
    qb_a = gl.zeros([16, 16], DT, A_OP)
    qm = gl.zeros([16], gl.float32, ROW)
    for t in range(t_lo, t_hi):
        i = t - t_lo
        async_copy.wait_group(NS - 2)   # tile t (and any basis sent with an older tile) has landed
        _barrier()
        if (t % TPB == 0) | (t == t_lo):
            qb_a, qm = _qb_from_smem(Q, q_off, q_mask, kb_s, km_s, qk_scale, BIAS)
            _barrier()
            jn = gl.minimum(t // TPB + 1, N - 1)   # the next block's basis rides with the next tile copy
            _async_load(kb_s, kb_g + jn * kbn + b_src)
            _async_load(km_s, km_g + jn * kmn + cm)
        tc = gl.minimum(t + NS - 1, t_hi - 1) * TILE
        sn = (i + NS - 1) % NS
        _async_load(kw_s.index(sn), kc_g + tc + ck)
        _async_load(vw_s.index(sn), vc_g + tc * 8 + cv)
        _async_load(vs_s.index(sn), vs_g + tc + cs_)
        async_copy.commit_group()
        sc = i % NS
        kw = kw_s.index(sc).load(gl.SliceLayout(0, B_OP))
        vs = vs_s.index(sc).load(COL)
        kb2 = gl.broadcast(gl.expand_dims(kw, 0), k_shift)[0]
        kc = gl.inline_asm_elementwise(KPTX, "=r,=r,l,l,l,l,r,r,r,r", [kb2, k_shift], dtype=gl.bfloat16,
                                       is_pure=True, pack=4)
        s = mma_v2(qb_a, kc, gl.zeros([16, TILE], gl.float32, MMA))
        tok = n_sinks + t * TILE
        if tok < pad_b:
            s = gl.where((tok + st >= pad_b)[None, :], s, float("-inf"))
        m_t = gl.max(s, axis=1) + qm
        if gl.max(m_t - m_i, axis=0) > LAZY:
            m_new = gl.maximum(m_i, m_t)
            alpha = gl.exp2(m_i - m_new)
            l_i = l_i * alpha
            acc = acc * alpha[:, None]
            wacc = wacc * alpha[:, None]
            m_i = m_new
        p = gl.exp2(s - (m_i - qm)[:, None])
        l_i = l_i + gl.sum(p, axis=1)
        pw = gl.convert_layout((p * vs.to(gl.float32)[None, :]).to(DT), A_OP)
        wacc = mma_v2(pw, ones_b, wacc)
        if CHUNK == 0:
            vw64 = vw_s.index(sc).load(VSL)
            v3 = gl.broadcast(gl.expand_dims(vw64, 2), gl.full([TILE, 8, 16], 0, gl.int64, VL))[0]
            vv = gl.inline_asm_elementwise(VPTX, VCON, [v3], dtype=gl.bfloat16, is_pure=True, pack=32)
            vb = gl.convert_layout(gl.reshape(gl.permute(vv, (0, 2, 1)), (TILE, D)), B_OP)
            acc = mma_v2(pw, vb, acc)
        else:
            # the value product 16 tokens at a time (fewer registers live): P through shared memory as A chunks
            pw_s.store(pw)
            _barrier()
            for c in gl.static_range(TILE // 16):
                vwc = vw_s.index(sc).slice(16 * c, 16).load(VSL16)
                v3 = gl.broadcast(gl.expand_dims(vwc, 2), gl.full([16, 8, 16], 0, gl.int64, VL16))[0]
                vv = gl.inline_asm_elementwise(VPTX, VCON, [v3], dtype=gl.bfloat16, is_pure=True, pack=32)
                vb = gl.convert_layout(gl.reshape(gl.permute(vv, (0, 2, 1)), (16, D)), B_OP)
                acc = mma_v2(pw_s.slice(16 * c, 16, dim=1).load(A_OP), vb, acc)
            _barrier()
    async_copy.wait_group(0)
    return m_i, l_i, acc - BIAS * gl.max(wacc, axis=1)[:, None]


@gluon.jit
def _qb_step(j, N, q_s, kb_s, km_s, kb_g, kbn, km_g, kmn, b_src, cm, qk_scale, BIAS: gl.constexpr):
    "QBIN 2: block j's B_k q and q.mean from its basis in shared memory (buffer j % 2), then block j + 1's basis sent for."
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    async_copy.wait_group(0)
    _barrier()
    q_a = q_s.load(A_OP)
    qb16 = (mma_v2(q_a, kb_s.index(j % 2).permute((1, 0)).load(B_OP),
                   gl.zeros([16, 16], gl.float32, MMA)) * qk_scale).to(gl.bfloat16)
    km = km_s.index(j % 2).load(gl.SliceLayout(0, A_OP)).to(gl.float32)
    qm = gl.convert_layout(gl.sum(q_a.to(gl.float32) * km[None, :], axis=1), ROW) * qk_scale
    qm = qm - BIAS * gl.sum(qb16.to(gl.float32), axis=1)
    jn = gl.minimum(j + 1, N - 1)
    _barrier()
    _async_load(kb_s.index(jn % 2), kb_g + jn * kbn + b_src)
    _async_load(km_s.index(jn % 2), km_g + jn * kmn + cm)
    async_copy.commit_group()
    return gl.convert_layout(qb16, A_OP), qm


@gluon.jit
def _decode(Q, sqb, sqh, SK, SV, ssb, ssg, HK, HV, shb, shg, KB, kbb, kbg, kbn, KM, kmb, kmg, kmn,
            KC, kcb, kcg, VC, vcb, vcg, VS, vsb, vsg, PAD, QB, QM, O_PART, LSE_PART, OUT, sob, soh, COUNT,
            qk_scale, G, H, N, n_sinks, n_hot, tiles_per_split, n_hot_splits, n_splits,
            D: gl.constexpr, HPG: gl.constexpr, L: gl.constexpr, TILE: gl.constexpr, RK: gl.constexpr,
            HOT_CHUNK: gl.constexpr, BIAS: gl.constexpr, VPTX: gl.constexpr, KPTX: gl.constexpr,
            VCON: gl.constexpr, VL: gl.constexpr, LAZY: gl.constexpr, QBIN: gl.constexpr, FUSED: gl.constexpr,
            NS: gl.constexpr = 0, VL16: gl.constexpr = None, CHUNK: gl.constexpr = 0):
    "One decode step of one KV head's query rows (padded to 16): split < n_hot_splits: sinks and a chunk of the hot buffer, dense; else a run of cold tiles; the last split of (b, g) to finish merges."
    gl.static_assert(D == 128)
    gl.static_assert(RK == 16)
    pid = gl.program_id(0)
    split = gl.program_id(1)
    b = (pid // G).to(gl.int64)
    g = (pid % G).to(gl.int64)
    DT: gl.constexpr = gl.bfloat16
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    TPB: gl.constexpr = L // TILE
    pad_b = gl.load(PAD + b)
    orow = gl.arange(0, 16, layout=ROW)
    m_i = gl.full([16], -1e30, gl.float32, ROW)
    l_i = gl.zeros([16], gl.float32, ROW)
    acc = gl.zeros([16, D], gl.float32, MMA)
    if split < n_hot_splits:
        qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
        qd = gl.arange(0, D, layout=gl.SliceLayout(0, A_OP))
        q_a = gl.load(Q + b * sqb + (g * HPG + qr)[:, None] * sqh + qd[None, :], mask=(qr < HPG)[:, None], other=0.)
        SB: gl.constexpr = gl.SwizzledSharedLayout(vec=8, per_phase=1, max_phase=8, order=[1, 0])
        k_s = gl.allocate_shared_memory(DT, [16, D], SB)
        v_s = gl.allocate_shared_memory(DT, [16, D], SB)
        if split == 0:
            m_i, l_i, acc = _dense_tile(SK + b * ssb + g * ssg, SV + b * ssb + g * ssg, 0, n_sinks, 0, pad_b, q_a,
                                        m_i, l_i, acc, qk_scale, k_s, v_s, D, 16)
        h_lo = split * HOT_CHUNK
        h_hi = gl.minimum(h_lo + HOT_CHUNK, n_hot)
        for t0 in range(h_lo, h_hi, 16):
            m_i, l_i, acc = _dense_tile(HK + b * shb + g * shg, HV + b * shb + g * shg, t0, h_hi,
                                        n_sinks + N * L, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s, D, 16)
    elif NS > 0:
        cs = split - n_hot_splits
        t_lo = cs * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * TPB)
        m_i, l_i, acc = _cold_stream(Q, b * sqb + g * HPG * sqh, sqh, KB, b * kbb + g * kbg, kbn, KM, b * kmb + g * kmg, kmn,
                                     KC, b * kcb + g * kcg, VC, b * vcb + g * vcg, VS, b * vsb + g * vsg, pad_b, qk_scale,
                                     n_sinks, N, t_lo, t_hi, m_i, l_i, acc, D, HPG, L, TILE, BIAS, VPTX, KPTX, VCON, VL,
                                     LAZY, NS, VL16, CHUNK)
    else:
        cs = split - n_hot_splits
        t_lo = cs * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * TPB)
        qb_g = QB + pid.to(gl.int64) * N * 256
        qm_g = QM + pid.to(gl.int64) * N * 16
        ocol16 = gl.arange(0, 16, layout=COL)
        if QBIN == 1:
            # prologue: B_k q and q.mean of this split's blocks into the scratch (the next block's basis in flight)
            qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
            qd = gl.arange(0, D, layout=gl.SliceLayout(0, A_OP))
            q_a = gl.load(Q + b * sqb + (g * HPG + qr)[:, None] * sqh + qd[None, :], mask=(qr < HPG)[:, None],
                          other=0.)
            bd = gl.arange(0, D, layout=gl.SliceLayout(1, B_OP))
            bk = gl.arange(0, 16, layout=gl.SliceLayout(0, B_OP))
            b_off = (4 * ((bk % 8) // 2) + 2 * (bk // 8) + bk % 2)[None, :] * D + bd[:, None]
            kb_g = KB + b * kbb + g * kbg
            km_g = KM + b * kmb + g * kmg
            j_lo = t_lo // TPB
            j_hi = (t_hi - 1) // TPB + 1
            kb_n = gl.load(kb_g + j_lo * kbn + b_off)
            km_n = gl.load(km_g + j_lo * kmn + qd)
            for j in range(j_lo, j_hi):
                kb_t = kb_n
                km = km_n.to(gl.float32)
                kb_n = gl.load(kb_g + gl.minimum(j + 1, j_hi - 1) * kbn + b_off)
                km_n = gl.load(km_g + gl.minimum(j + 1, j_hi - 1) * kmn + qd)
                qb16 = (mma_v2(q_a, kb_t, gl.zeros([16, 16], gl.float32, MMA)) * qk_scale).to(DT)
                qm = gl.convert_layout(gl.sum(q_a.to(gl.float32) * km[None, :], axis=1), ROW) * qk_scale
                qm = qm - BIAS * gl.sum(qb16.to(gl.float32), axis=1)
                gl.store(qb_g + j * 256 + orow[:, None] * 16 + ocol16[None, :], qb16)
                gl.store(qm_g + j * 16 + orow, qm)
            _barrier()
        if QBIN == 2:
            # B_k q per block inside the loop: the next block's basis (rows in the permuted rank order) and mean
            # arrive by cp.async into shared memory while this block's tiles run; the query waits there too
            SH: gl.constexpr = gl.SwizzledSharedLayout(vec=8, per_phase=1, max_phase=8, order=[1, 0])
            SH1: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[0])
            CP: gl.constexpr = gl.BlockedLayout([1, 8], [4, 8], [1, 1], [1, 0])          # [16, D] rows of 16 B
            cr = gl.arange(0, 16, layout=gl.SliceLayout(1, CP))
            cd = gl.arange(0, D, layout=gl.SliceLayout(0, CP))
            b_src = (4 * ((cr % 8) // 2) + 2 * (cr // 8) + cr % 2)[:, None] * D + cd[None, :]
            CP1: gl.constexpr = gl.BlockedLayout([4], [32], [1], [0])
            cm = gl.arange(0, D, layout=CP1)
            kb_g = KB + b * kbb + g * kbg
            km_g = KM + b * kmb + g * kmg
            kb_s = gl.allocate_shared_memory(DT, [2, 16, D], SH)
            km_s = gl.allocate_shared_memory(DT, [2, D], SH1)
            q_s = gl.allocate_shared_memory(DT, [16, D], SH, gl.load(
                Q + b * sqb + (g * HPG + cr)[:, None] * sqh + cd[None, :], mask=(cr < HPG)[:, None], other=0.))
            j_lo = t_lo // TPB
            _async_load(kb_s.index(j_lo % 2), kb_g + j_lo * kbn + b_src)
            _async_load(km_s.index(j_lo % 2), km_g + j_lo * kmn + cm)
            async_copy.commit_group()
        qa_r = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
        qa_c = gl.arange(0, 16, layout=gl.SliceLayout(0, A_OP))
        qa_off = qa_r[:, None] * 16 + qa_c[None, :]
        kt = gl.arange(0, TILE, layout=gl.SliceLayout(0, B_OP))
        kk = gl.arange(0, 16, layout=gl.SliceLayout(1, B_OP))
        k_shift = gl.full([16, TILE], 0, gl.int32, B_OP) + (((kk % 8) // 2) * 16)[:, None]
        VSL: gl.constexpr = gl.SliceLayout(2, VL)
        vt = gl.arange(0, TILE, layout=gl.SliceLayout(1, VSL))
        vw_i = gl.arange(0, 8, layout=gl.SliceLayout(0, VSL))
        v_off = vt[:, None] * 8 + vw_i[None, :]
        st = gl.arange(0, TILE, layout=COL)
        kc_g = KC.to(gl.pointer_type(gl.int64)) + (b * kcb + g * kcg) // 8
        vc_g = VC.to(gl.pointer_type(gl.int64)) + (b * vcb + g * vcg) // 8
        vs_g = VS + b * vsb + g * vsg
        wacc = gl.zeros([16, 8], gl.float32, MMA)   # sum of P * scale (the codes' bias), by the product with ones
        ones_b = gl.full([TILE, 8], 1.0, DT, B_OP)
        kw_n, vw_n, vs_n = _tile_loads(t_lo, kc_g, vc_g, vs_g, kt, v_off, st, TILE)
        qb_a, qm = _block_loads(t_lo // TPB, qb_g, qm_g, qa_off, orow)   # (QBIN 2: overwritten at the first tile)
        if QBIN == 2:
            if t_lo % TPB != 0:   # the split starts inside a block: its B_k q now
                qb_a, qm = _qb_step(t_lo // TPB, N, q_s, kb_s, km_s, kb_g, kbn, km_g, kmn, b_src, cm, qk_scale, BIAS)
        for t in range(t_lo, t_hi):
            kw, vw64, vs = kw_n, vw_n, vs_n
            kw_n, vw_n, vs_n = _tile_loads(gl.minimum(t + 1, t_hi - 1), kc_g, vc_g, vs_g, kt, v_off, st, TILE)
            if t % TPB == 0:
                if QBIN == 2:
                    qb_a, qm = _qb_step(t // TPB, N, q_s, kb_s, km_s, kb_g, kbn, km_g, kmn, b_src, cm, qk_scale,
                                        BIAS)
                else:
                    qb_a, qm = _block_loads(t // TPB, qb_g, qm_g, qa_off, orow)
            kb2 = gl.broadcast(gl.expand_dims(kw, 0), k_shift)[0]
            kc = gl.inline_asm_elementwise(KPTX, "=r,=r,l,l,l,l,r,r,r,r", [kb2, k_shift], dtype=gl.bfloat16,
                                           is_pure=True, pack=4)                                # [16, TILE]
            s = mma_v2(qb_a, kc, gl.zeros([16, TILE], gl.float32, MMA))
            tok = n_sinks + t * TILE
            if tok < pad_b:
                s = gl.where((tok + st >= pad_b)[None, :], s, float("-inf"))
            m_t = gl.max(s, axis=1) + qm
            if gl.max(m_t - m_i, axis=0) > LAZY:   # lazy rescale (LAZY = 0: whenever some row's max grows)
                m_new = gl.maximum(m_i, m_t)
                alpha = gl.exp2(m_i - m_new)
                l_i = l_i * alpha
                acc = acc * alpha[:, None]
                wacc = wacc * alpha[:, None]
                m_i = m_new
            p = gl.exp2(s - (m_i - qm)[:, None])
            l_i = l_i + gl.sum(p, axis=1)
            pw = gl.convert_layout((p * vs.to(gl.float32)[None, :]).to(DT), A_OP)
            wacc = mma_v2(pw, ones_b, wacc)
            v3 = gl.broadcast(gl.expand_dims(vw64, 2), gl.full([TILE, 8, 16], 0, gl.int64, VL))[0]
            vv = gl.inline_asm_elementwise(VPTX, VCON, [v3], dtype=gl.bfloat16, is_pure=True, pack=32)
            vb = gl.convert_layout(gl.reshape(gl.permute(vv, (0, 2, 1)), (TILE, D)), B_OP)
            acc = mma_v2(pw, vb, acc)
        acc = acc - BIAS * gl.max(wacc, axis=1)[:, None]
    # (column c of a cold split's accumulator holds channel 16 (c % 8) + c // 8; a hot split's holds channel c)
    ocol = gl.arange(0, D, layout=COL)
    chan = gl.where(split < n_hot_splits, ocol, 16 * (ocol % 8) + ocol // 8)
    row = b * H + g * HPG + orow
    ok = orow < HPG
    l_safe = gl.where(l_i > 0, l_i, 1.0)
    gl.store(O_PART + (row[:, None] * n_splits + split) * D + chan[None, :], acc / l_safe[:, None], mask=ok[:, None])
    gl.store(LSE_PART + row * n_splits + split, gl.where(l_i > 0, m_i + gl.log2(l_safe), float("-inf")), mask=ok)
    if FUSED:
        # the last split of this (b, g) to finish merges its rows (its stores done before the counter's release)
        _barrier()
        done = gl.atomic_add(COUNT + pid, 1, sem="acq_rel", scope="gpu")
        if done == n_splits - 1:
            gl.atomic_xchg(COUNT + pid, 0, sem="relaxed", scope="gpu")
            MG: gl.constexpr = gl.BlockedLayout([1, 4], [4, 8], [1, 1], [1, 0])
            mr = gl.arange(0, 16, layout=gl.SliceLayout(1, MG))
            md = gl.arange(0, D, layout=gl.SliceLayout(0, MG))
            mrow = b * H + g * HPG + mr
            mok = mr < HPG
            m_all = gl.full([16], -1e30, gl.float32, gl.SliceLayout(1, MG))
            w_all = gl.zeros([16], gl.float32, gl.SliceLayout(1, MG))
            o_all = gl.zeros([16, D], gl.float32, MG)
            for s_i in range(n_splits):
                lse_s = gl.load(LSE_PART + mrow * n_splits + s_i, mask=mok, other=float("-inf"), cache_modifier=".cg")
                o_s = gl.load(O_PART + (mrow[:, None] * n_splits + s_i) * D + md[None, :], mask=mok[:, None], other=0.,
                              cache_modifier=".cg")
                m_new = gl.maximum(m_all, lse_s)
                a_old = gl.exp2(m_all - m_new)
                w_s = gl.exp2(lse_s - m_new)
                o_all = o_all * a_old[:, None] + o_s * w_s[:, None]
                w_all = w_all * a_old + w_s
                m_all = m_new
            gl.store(OUT + b * sob + (g * HPG + mr)[:, None] * soh + md[None, :],
                     (o_all / gl.where(w_all > 0, w_all, 1.)[:, None]).to(DT), mask=mok[:, None])


_COUNT = {}


def g2_attention(query, layer, scaling, tile=64, per_sm=8, hot_chunk=128, lazy=8.0, qbin=True, fused=True,
                 qb_bpp=8, maxnreg=None, tps=None, stages="qb decode merge", ns=0, chunk=0):
    "v11c: one launch (`_decode`), or with `qbin=False` B_k q by `_qb_blocks` first, and with `fused=False` the merge as its own launch."
    B, H, Qn, D = query.shape
    G, N = layer.hot_keys.shape[1], layer.key_coeffs.shape[2]
    L, RK, S, dev = layer.key_coeffs.shape[3], layer.key_basis.shape[3], layer.sink_keys.shape[2], query.device
    assert Qn == 1 and query.dtype == torch.bfloat16 and D == 128 and RK == 16, "study shapes only"
    TPB = L // tile
    n_hot_splits = max(1, -(-layer.n_hot // hot_chunk))
    tps = tps or _tiles_per_split(N * TPB, B * G, per_sm * v10._sm_count(dev) - B * G * n_hot_splits)
    n_splits = n_hot_splits + -(-(N * TPB) // tps)
    key = (id(layer), B, H, N, n_splits)
    if key not in _BUFS:
        _BUFS[key] = (torch.empty(B * H * Qn * n_splits * D, device=dev, dtype=torch.float32),
                      torch.empty(B * H * Qn * n_splits, device=dev, dtype=torch.float32),
                      torch.empty(B * G * N * 256, device=dev, dtype=query.dtype),
                      torch.empty(B * G * N * 16, device=dev, dtype=torch.float32),
                      query.new_empty(B, H, Qn, D))
    if (dev, B * G) not in _COUNT: _COUNT[(dev, B * G)] = torch.zeros(B * G, device=dev, dtype=torch.int32)
    o_part, lse_part, qb, qm, out = _BUFS[key]
    kc, kb, km, vc, vs = layer.key_coeffs, layer.key_basis, layer.key_mean, layer.value_codes, layer.value_scale
    sk, sv, hk, hv = layer.sink_keys, layer.sink_values, layer.hot_keys, layer.hot_values
    pad = layer.pad.to(dev, torch.int32)
    assert kc.stride(2) == L * RK // 2 and vc.stride(2) == L * D // 2 and vs.stride(2) == L, "blocks contiguous"
    assert sk.stride(2) == D and hk.stride(2) == D and sv.stride() == sk.stride() and hv.stride() == hk.stride()
    qk = scaling * LOG2E
    if not qbin and "qb" in stages:
        _qb_blocks[(B * G, -(-N // qb_bpp))](query, query.stride(0), query.stride(1), kb, *kb.stride()[:3],
                                            km, *km.stride()[:3], qb, qm, qk, G, N, qb_bpp, D, H // G, 136.0,
                                            num_warps=4)
    if "decode" in stages: _decode[(B * G, n_splits)](
        query, query.stride(0), query.stride(1), sk, sv, *sk.stride()[:2], hk, hv, *hk.stride()[:2],
        kb, *kb.stride()[:3], km, *km.stride()[:3], kc, *kc.stride()[:2], vc, *vc.stride()[:2], vs, *vs.stride()[:2],
        pad, qb, qm, o_part, lse_part, out, out.stride(0), out.stride(1), _COUNT[(dev, B * G)],
        qk, G, H, N, S, layer.n_hot, tps, n_hot_splits, n_splits,
        D, H // G, L, tile, RK, hot_chunk, 136.0, _ptx_values(0x4300), _ptx_keys(0x4300), VCON, value_layout(tile),
        lazy, qbin, fused, ns, value_layout(16), chunk, num_warps=1, **({} if maxnreg is None else dict(maxnreg=maxnreg)))
    if not fused and "merge" in stages:
        _merge_splits[(B * H * Qn,)](o_part, lse_part, out, *out.stride(), H, n_splits, Qn, _p2(n_splits, 2), D,
                                     num_warps=4)
    return out
