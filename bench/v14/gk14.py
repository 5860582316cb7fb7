"""Session 10 study copy of `unsloth_spectral/gluon_attention.py` (v12, as shipped), as measured on the H200
(notes/kernel.md, Session 10). Switches by environment, all off by default (then it is the shipped kernel):
GK_STREAM (timing only: the cp.async ring and its waits, no arithmetic), GK_NOQB (with GK_STREAM: no B_k q either;
the pair is the streaming floor), GK_L2 (timing only: every tile of a split re-reads its first tile, so from L2),
GK_TPSX (tiles per split times this), GK_PPS (programs per multiprocessor), GK_NS (ring depth; > 2 only with
GK_STREAM), GK_TMA (cold tiles by TMA with an mbarrier per stage, sm_90), GK_QS (the query rows in shared memory once
per split), GK_FUSE (the merge in the last program of each (b, g), by an atomic count), GK_PDL (1: the merge by
programmatic dependent launch; 2: the decode also triggers it at its start), GK_NOPADBR (timing only: no
left-padding mask in the cold loop), GK_NOBASIS (timing only, with GK_STREAM: no basis or mean copies), GK_FAKE
(timing only: keys and scales read from the first bytes of the value tile, as in bench/v12/gk12.py), GK_ALIGN (tiles
per split rounded up to whole blocks, so that no block's basis is read by two splits). None beat the shipped kernel (bench/results/gpu/kernel_h200_01*_v14_*.log,
kernel_h200_02*_v14_*.log)."""

# %% ../nbs/05b_gluon_attention.ipynb #8b170e42
from __future__ import annotations

import os
import torch
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.ampere import async_copy, mma_v2
from triton.experimental.gluon.language.nvidia.hopper import mbarrier, tma

from unsloth_spectral.triton_attention import (
    LOG2E, _Plan, _capability, _key_out, _p2, _scratch, _sm_count, _values_int4)

# (Triton 3.9 renamed these three)
_barrier = getattr(gl, "barrier", None) or gl.thread_barrier
_async_load = getattr(async_copy, "async_load", None) or async_copy.async_copy_global_to_shared
_REINTERPRET = gl.constexpr(hasattr(gl.shared_memory_descriptor, "reinterpret"))   # (3.6: _reinterpret)

_MMA = gl.NVMMADistributedLayout(version=[2, 0], warps_per_cta=[1, 1], instr_shape=[16, 8])
MMA = gl.constexpr(_MMA)                                                                  # accumulators [16, N]
A_OP = gl.constexpr(gl.DotOperandLayout(operand_index=0, parent=_MMA, k_width=2))        # A operands [16, K]
B_OP = gl.constexpr(gl.DotOperandLayout(operand_index=1, parent=_MMA, k_width=2))        # B operands [K, N]
GLUON_TILE = 64           # cold tokens per step
GLUON_STAGES = int(os.environ.get('GK_NS', 2))         # cp.async ring depth
GLUON_MAXNREG = 168       # 12 one-warp programs per SM (160 registers, no spills with Triton 3.6)
_STREAM = gl.constexpr(int(os.environ.get('GK_STREAM', 0)))
_L2 = gl.constexpr(int(os.environ.get('GK_L2', 0)))
_TMA = gl.constexpr(int(os.environ.get('GK_TMA', 0)))   # cold tiles by TMA (sm_90), mbarrier per stage
_FUSE = int(os.environ.get('GK_FUSE', 0))   # the merge in the last program of each (b, g)
_QS = gl.constexpr(int(os.environ.get('GK_QS', 0)))   # the query rows in shared memory once per split
_NOQB = gl.constexpr(int(os.environ.get('GK_NOQB', 0)))   # (with GK_STREAM) no B_k q either
_NOPADBR = gl.constexpr(int(os.environ.get('GK_NOPADBR', 0)))   # timing only: no left-padding mask in the cold loop
_PDL = int(os.environ.get('GK_PDL', 0))   # the merge by programmatic dependent launch (2: the decode triggers it at its start)
_NOBASIS = gl.constexpr(int(os.environ.get('GK_NOBASIS', 0)))   # timing only: no basis or mean copies (with GK_STREAM)
_FAKE = gl.constexpr(int(os.environ.get('GK_FAKE', 0)))   # timing only: keys and scales read from the value tile's bytes
_ALIGN = int(os.environ.get('GK_ALIGN', 0))   # tiles per split a multiple of a block's tiles (splits start on blocks)
_PPS = int(os.environ.get('GK_PPS', 0))
_TPSX = float(os.environ.get('GK_TPSX', 1))
GLUON_LAZY = 8.0          # the running max moves only when a row grows by more than this (base 2)
_BIAS = 136.0             # bf16 bits 0x4300 | n are 128 + n; the code is n - 8

def value_layout(tile: int):
    "[tile, 8, 16] layout of a value tile before its unpack: lane (gid, tig) holds word gid of tokens 2 tig, 2 tig + 1 (+8 ...), dim 2 its sixteen copies; registers: the token pair first, then the copies, so that one asm instance (pack 32) sees both words of a pair."
    return gl.DistributedLinearLayout(
        reg_bases=[[1, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 4], [0, 0, 8]]
        + [[8 << i, 0, 0] for i in range((tile // 8).bit_length() - 1)],
        lane_bases=[[2, 0, 0], [4, 0, 0], [0, 1, 0], [0, 2, 0], [0, 4, 0]], warp_bases=[], block_bases=[],
        shape=[tile, 8, 16])

def _ptx_values(magic: int = 0x4300) -> str:
    "Two 8-byte words (tokens t, t+1; 16 channels each) -> 16 registers, register i = (t, t+1) of channel i as magic | nibble."
    m = hex(magic | magic << 16)
    lines = ["{", ".reg .b32 a0, a1, b0, b1, x, y;", "mov.b64 {a0, a1}, $16;", "mov.b64 {b0, b1}, $17;"]
    for w, (a, b) in enumerate((("a0", "b0"), ("a1", "b1"))):
        for j in range(4):   # byte j of both words side by side, then its low and its high nibbles
            lines += [f"prmt.b32 x, {a}, {b}, {hex(((4 + j) << 8) | j)};",
                      f"lop3.b32 ${8 * w + 2 * j}, x, 0x000F000F, {m}, 0xEA;", "shr.u32 y, x, 4;",
                      f"lop3.b32 ${8 * w + 2 * j + 1}, y, 0x000F000F, {m}, 0xEA;"]
    return "\n".join(lines + ["}"])

_VCON = "=r," * 16 + ",".join(["l"] * 32)

def _ptx_keys() -> str:
    "A lane's 16-bit key chunk (ranks 4 tig .. 4 tig + 3, two per byte; twice in one register) -> its two fp16x2 B-fragment registers: (rank 4 tig, 4 tig + 2) as 1024 + n, (4 tig + 1, 4 tig + 3) as 1024 + 16 n (fp16 has the mantissa bits to take the high nibble in place)."
    return "\n".join(["{", ".reg .b32 x;", "prmt.b32 x, $2, 0, 0x0100;",
                      "lop3.b32 $0, x, 0x000F000F, 0x64006400, 0xEA;", "lop3.b32 $1, x, 0x00F000F0, 0x64006400, 0xEA;", "}"])

# %% auto #0
__all__ = ['MMA', 'A_OP', 'B_OP', 'GLUON_TILE', 'GLUON_STAGES', 'GLUON_MAXNREG', 'GLUON_LAZY', 'GLUON_HEAD_DIM', 'GLUON_RANK',
           'GLUON_MAX_ROWS', 'value_layout', 'gluon_route', 'make_gluon_plan']

# %% ../nbs/05b_gluon_attention.ipynb #b0d3d086
@gluon.jit
def _g_dense_tile(Kb, Vb, t0, t_end, cpos0, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s,
                  D: gl.constexpr, T: gl.constexpr):
    "Exact attention of the query rows over dense tokens t0 .. t_end - 1 of one (b, g) (sinks or hot buffer); K and V come by cp.async into shared memory and leave it as the products' operands."
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    CB: gl.constexpr = gl.BlockedLayout([1, 8], [4, 8], [1, 1], [1, 0])
    ct = t0 + gl.arange(0, T, layout=gl.SliceLayout(1, CB))
    cd = gl.arange(0, D, layout=gl.SliceLayout(0, CB))
    _barrier()   # (the previous tile's reads of k_s, v_s are done)
    cm = (ct < t_end)[:, None]   # (a row mask: 16-byte copies)
    _async_load(k_s, Kb + ct[:, None] * D + cd[None, :], mask=cm)
    _async_load(v_s, Vb + ct[:, None] * D + cd[None, :], mask=cm)
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
def _g_qb(q_a, kb_s, km_s, qk_scale):
    "B_k q of the block in shared memory (scaled, fp16, columns 8-15 (high nibbles, 16x) by 1/16, as the score product's A operand) and q.mean minus the codes' offsets."
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    hi = gl.arange(0, 16, layout=COL) >= 8
    qb = (mma_v2(q_a, kb_s.permute((1, 0)).load(B_OP), gl.zeros([16, 16], gl.float32, MMA)) * qk_scale)
    qb16 = (qb * gl.where(hi, 0.0625, 1.0)[None, :]).to(gl.float16)
    km = gl.expand_dims(km_s.load(gl.SliceLayout(1, B_OP)), 1)   # q.mean by the tensor cores (8 equal columns)
    qm = gl.max(mma_v2(q_a, gl.broadcast(km, gl.full([q_a.shape[1], 8], 0, km.dtype, B_OP))[0],
                       gl.zeros([16, 8], gl.float32, MMA)), axis=1) * qk_scale
    off = gl.where(hi, 1152.0, 1032.0)   # 1024 + 16 n = 16 (n - 8) + 1152; 1024 + n = (n - 8) + 1032
    return gl.convert_layout(qb16, A_OP), qm - gl.sum(qb16.to(gl.float32) * off[None, :], axis=1)

@gluon.jit
def _rows8(x, T: gl.constexpr, HALF: gl.constexpr):
    "Rows 0-7 of a [16, T] tensor in the MMA layout (HALF; rows 8-15 are a register bit there, so no data moves), or all."
    if HALF: return gl.split(gl.permute(gl.reshape(x, [2, 8, T]), (1, 2, 0)))[0]
    else: return x

@gluon.jit
def _rows8v(x, HALF: gl.constexpr):
    "Rows 0-7 of a [16] row vector (HALF), or all."
    if HALF: return gl.split(gl.permute(gl.reshape(x, [2, 8]), (1, 0)))[0]
    else: return x

@gluon.jit
def _rows16(x, T: gl.constexpr, HALF: gl.constexpr):
    "Back to [16, T] (HALF: rows 8-15 a copy of rows 0-7)."
    if HALF: return gl.reshape(gl.permute(gl.join(x, x), (2, 0, 1)), [16, T])
    else: return x

@gluon.jit
def _rows16v(x, HALF: gl.constexpr):
    "Back to [16] (HALF: rows 8-15 a copy of rows 0-7)."
    if HALF: return gl.reshape(gl.permute(gl.join(x, x), (1, 0)), [16])
    else: return x

@gluon.jit
def _cp_tile(kw, vw, vs, kc_g, vc_g, vs_g, tc, ck, cv, FAKE: gl.constexpr):
    "One tile's key codes, value codes and value scales by cp.async into a ring stage, as one group (FAKE: keys and scales from the value tile)."
    _async_load(kw, kc_g + tc * (8 if FAKE else 1) + ck)
    _async_load(vw, vc_g + tc * 8 + cv)
    _async_load(vs, vs_g + tc * (32 if FAKE else 1) + ck)
    async_copy.commit_group()

@gluon.jit
def _tma_tile(KC, VC, VS, bar, kw, vw, vs, kr0, vr0, sr0, tc, TILE: gl.constexpr):
    "(GK_TMA) One tile's key codes, value codes and value scales by TMA into a ring stage; `bar` counts the bytes."
    mbarrier.expect(bar, TILE * 74)
    tma.async_copy_global_to_shared(KC, [kr0 + tc // 2, 0], bar, kw)
    tma.async_copy_global_to_shared(VC, [vr0 + tc, 0], bar, vw)
    tma.async_copy_global_to_shared(VS, [sr0 + tc // 8, 0], bar, vs)

@gluon.jit
def _g_cold(Q, q_base, sqh, KB, kb_bg, kbn, KM, km_bg, kmn, KC, kc_bg, VC, vc_bg, VS, vs_bg, pad_b, qk_scale,
            n_sinks, N, t_lo, t_hi, m_i, l_i,
            D: gl.constexpr, HPG: gl.constexpr, L: gl.constexpr, TILE: gl.constexpr, BIAS: gl.constexpr,
            VPTX: gl.constexpr, KPTX: gl.constexpr, VCON: gl.constexpr, VL: gl.constexpr, LAZY: gl.constexpr,
            NS: gl.constexpr):
    "Cold tiles t_lo .. t_hi - 1 (flat over the blocks) of one (b, g): codes and scales by cp.async through an NS-stage ring, B_k q at each block's first tile, lazy online softmax, the value product transposed (V^T P^T) with V^T unpacked into its A fragments."
    # (the next block's basis rides with the tile NS - 1 ahead, so it has landed by the block's first tile only when a
    # split's first block holds NS - 1 tiles or more: with two stages always; deeper rings need a wait there)
    if not _STREAM: gl.static_assert(NS == 2)
    DT: gl.constexpr = gl.bfloat16
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
    TPB: gl.constexpr = L // TILE
    S1: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[0])
    S2: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[1, 0])
    SB: gl.constexpr = gl.SwizzledSharedLayout(vec=8, per_phase=1, max_phase=8, order=[1, 0])
    if _TMA:
        bars = gl.allocate_shared_memory(gl.int64, [NS, 1], mbarrier.MBarrierLayout())
        for i0 in gl.static_range(NS): mbarrier.init(bars.index(i0), count=1)
        kw_t = gl.allocate_shared_memory(gl.uint8, [NS, TILE // 2, 16], KC.layout)
        vw_t = gl.allocate_shared_memory(gl.uint8, [NS, TILE, 64], VC.layout)
        vs_t = gl.allocate_shared_memory(DT, [NS, TILE // 8, 8], VS.layout)
        kr0 = (kc_bg // 16).to(gl.int32)
        vr0 = (vc_bg // 64).to(gl.int32)
        sr0 = (vs_bg // 8).to(gl.int32)
        kw_s = kw_t._reinterpret(gl.int64, [NS, TILE], S1)
        vw_s = vw_t._reinterpret(gl.int64, [NS, TILE, 8], S2)
        vs_s = vs_t._reinterpret(DT, [NS, TILE], S1)
    else:
        kw_s = gl.allocate_shared_memory(gl.int64, [NS, TILE], S1)       # key words, one per token
        vw_s = gl.allocate_shared_memory(gl.int64, [NS, TILE, 8], S2)    # value words, eight per token
        vs_s = gl.allocate_shared_memory(DT, [NS, TILE], S1)             # value scales
    kb_s = gl.allocate_shared_memory(DT, [16, D], SB)                # the next block's basis (rows permuted)
    km_s = gl.allocate_shared_memory(DT, [D], S1)                    # and its key mean
    # copy layouts (16-byte pieces, 4-byte for the scales)
    CK: gl.constexpr = gl.BlockedLayout([2], [32], [1], [0])
    CV: gl.constexpr = gl.BlockedLayout([1, 2], [8, 4], [1, 1], [1, 0])
    CB: gl.constexpr = gl.BlockedLayout([1, 8], [4, 8], [1, 1], [1, 0])
    ck = gl.arange(0, TILE, layout=CK)
    cv = gl.arange(0, TILE, layout=gl.SliceLayout(1, CV))[:, None] * 8 + gl.arange(0, 8, layout=gl.SliceLayout(0, CV))[None, :]
    cbr = gl.arange(0, 16, layout=gl.SliceLayout(1, CB))
    b_src = (4 * ((cbr % 8) // 2) + 2 * (cbr % 2) + cbr // 8)[:, None] * D + gl.arange(0, D, layout=gl.SliceLayout(0, CB))[None, :]
    cm = gl.arange(0, D, layout=CK)
    if not _TMA:
        kc_g = KC.to(gl.pointer_type(gl.int64)) + kc_bg // 8
        vc_g = VC.to(gl.pointer_type(gl.int64)) + vc_bg // 8
        vs_g = VS + vs_bg
        if _FAKE:
            kc_g = vc_g
            vs_g = VC.to(gl.pointer_type(gl.bfloat16)) + vc_bg // 2
    kb_g = KB + kb_bg
    km_g = KM + km_bg
    qr = gl.arange(0, 16, layout=gl.SliceLayout(1, A_OP))
    q_off = q_base + qr[:, None] * sqh + gl.arange(0, D, layout=gl.SliceLayout(0, A_OP))[None, :]
    q_mask = (qr < HPG)[:, None]
    KL: gl.constexpr = gl.BlockedLayout([1, 1], [8, 4], [1, 1], [1, 0])   # [TILE, 4] key chunks: lane (gid, tig) chunk tig
    NQ: gl.constexpr = 8 if HPG <= 8 else 16   # query rows of the transposed value product
    VSL: gl.constexpr = gl.SliceLayout(2, VL)
    st = gl.arange(0, TILE, layout=COL)
    wacc = gl.zeros([16, NQ], gl.float32, MMA)   # sum of P * scale (each row), for the values' bias
    ones_a = gl.full([16, TILE], 1.0, DT, A_OP)
    acc_t = gl.zeros([D, NQ], gl.float32, MMA)   # O transposed: V^T P^T (half the products of P V at <= 8 rows)
    # the first block's basis, then NS - 1 tiles in flight
    j0 = t_lo // TPB
    if _QS:
        q_s = gl.allocate_shared_memory(DT, [16, D], SB)
        q_s.store(gl.load(Q + q_off, mask=q_mask, other=0.))
    if not _NOBASIS:
        _async_load(kb_s, kb_g + j0 * kbn + b_src)
        _async_load(km_s, km_g + j0 * kmn + cm)
    if _TMA: async_copy.commit_group()
    for i0 in gl.static_range(NS - 1):
        tc = gl.minimum(t_lo + i0, t_hi - 1) * TILE
        if _TMA:
            _tma_tile(KC, VC, VS, bars.index(i0), kw_t.index(i0), vw_t.index(i0), vs_t.index(i0), kr0, vr0, sr0, tc, TILE)
        else:
            _cp_tile(kw_s.index(i0), vw_s.index(i0), vs_s.index(i0), kc_g, vc_g, vs_g, tc, ck, cv, _FAKE)
    qb_a = gl.zeros([16, 16], gl.float16, A_OP)   # (fp16: the key codes' high nibbles need no shift)
    # up to 8 query rows: the softmax runs on rows 0-7 of the score tile only (rows 8-15 are padding; ~10% fewer
    # instructions per tile, 80.5 -> 75.3 µs at 32K B=8 on the H200: bench/v11/ab.py)
    HALF: gl.constexpr = HPG <= 8
    s0 = _rows8(gl.zeros([16, TILE], gl.float32, MMA), TILE, HALF)   # (for its layout)
    qm = gl.convert_layout(_rows8v(gl.zeros([16], gl.float32, ROW), HALF), gl.SliceLayout(1, s0.type.layout))
    m_i = gl.convert_layout(_rows8v(m_i, HALF), gl.SliceLayout(1, s0.type.layout))
    l_i = gl.convert_layout(_rows8v(l_i, HALF), gl.SliceLayout(1, s0.type.layout))
    for t in range(t_lo, t_hi):
        i = t - t_lo
        if _TMA:
            mbarrier.wait(bars.index(i % NS), (i // NS) & 1)
            async_copy.wait_group(0)   # (the basis: sent a block ago)
        else:
            async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        _barrier()
        if (t % TPB == 0) | (t == t_lo):
            # the values' bias leaves once per block (folded out over a whole split, it cost precision at 128K)
            acc_t = acc_t - BIAS * gl.max(wacc, axis=0)[None, :]
            wacc = gl.zeros([16, NQ], gl.float32, MMA)
            if _QS: q_a = q_s.load(A_OP)
            else: q_a = gl.load(Q + q_off, mask=q_mask, other=0.)
            if not (_STREAM & _NOQB): qb_a, qm16 = _g_qb(q_a, kb_s, km_s, qk_scale)
            else: qm16 = gl.zeros([16], gl.float32, ROW)
            qm = gl.convert_layout(_rows8v(qm16, HALF), gl.SliceLayout(1, s0.type.layout))
            _barrier()
            jn = gl.minimum(t // TPB + 1, N - 1)   # the next block's basis rides with the next tile's copies
            if _L2: jn = j0
            if not _NOBASIS:
                _async_load(kb_s, kb_g + jn * kbn + b_src)
                _async_load(km_s, km_g + jn * kmn + cm)
            if _TMA: async_copy.commit_group()
        tc = gl.minimum(t + NS - 1, t_hi - 1) * TILE
        if _L2: tc = t_lo * TILE
        sn = (i + NS - 1) % NS
        if _TMA:
            _tma_tile(KC, VC, VS, bars.index(sn), kw_t.index(sn), vw_t.index(sn), vs_t.index(sn), kr0, vr0, sr0, tc, TILE)
        else:
            _cp_tile(kw_s.index(sn), vw_s.index(sn), vs_s.index(sn), kc_g, vc_g, vs_g, tc, ck, cv, _FAKE)
        sc = i % NS
        if not _STREAM:
            if _REINTERPRET: kw = kw_s.index(sc).reinterpret(gl.int16, [TILE, 4], S2).load(KL)
            else: kw = kw_s.index(sc)._reinterpret(gl.int16, [TILE, 4], S2).load(KL)
            vs = vs_s.index(sc).load(COL)
            kj = gl.join(kw, kw)
            kj = gl.join(kj, kj)   # [TILE, 4, e, f]: the chunk four times, k = 8 e + 2 tig + f
            k16 = gl.convert_layout(gl.permute(gl.reshape(gl.permute(kj, (0, 2, 1, 3)), [TILE, 16]), (1, 0)), B_OP)
            kc = gl.inline_asm_elementwise(KPTX, "=r,=r,r,r", [k16], dtype=gl.float16, is_pure=True, pack=4)
            s = mma_v2(qb_a, kc, gl.zeros([16, TILE], gl.float32, MMA))
            tok = n_sinks + t * TILE
            if not _NOPADBR:
                if tok < pad_b:   # left padding reaches into this tile
                    s = gl.where((tok + st >= pad_b)[None, :], s, float("-inf"))
            s = _rows8(s, TILE, HALF)
            m_t = gl.max(s, axis=1) + qm
            # lazy, per row and without a branch (one basic block schedules better: 65.1-66.1 -> 64.6-64.9 µs at 32K B=8
            # on the H200, bench/v12/ab.py 00:48-00:49, though the rescale now runs on every tile)
            m_new = gl.where(m_t > m_i + LAZY, gl.maximum(m_i, m_t), m_i)
            alpha = gl.exp2(m_i - m_new)
            l_i = l_i * alpha
            a_c = gl.convert_layout(alpha, COL)
            acc_t = acc_t * a_c[None, :]
            wacc = wacc * a_c[None, :]
            m_i = m_new
            p = gl.exp2(s - (m_i - qm)[:, None])
            l_i = l_i + gl.sum(p, axis=1)
            vsr = gl.convert_layout(vs.to(gl.float32), gl.SliceLayout(0, s.type.layout))
            pw = gl.convert_layout(gl.permute((p * vsr[None, :]).to(DT), (1, 0)), B_OP)   # P^T [TILE, NQ]
            wacc = mma_v2(ones_a, pw, wacc)
            vw = vw_s.index(sc).load(VSL)
            v3 = gl.broadcast(gl.expand_dims(vw, 2), gl.full([TILE, 8, 16], 0, gl.int64, VL))[0]
            vv = gl.inline_asm_elementwise(VPTX, VCON, [v3], dtype=gl.bfloat16, is_pure=True, pack=32)
            vt = gl.convert_layout(gl.permute(gl.reshape(gl.permute(vv, (0, 2, 1)), (TILE, D)), (1, 0)), A_OP)
            acc_t = mma_v2(vt, pw, acc_t)
    async_copy.wait_group(0)
    acc_t = acc_t - BIAS * gl.max(wacc, axis=0)[None, :]
    acc = gl.convert_layout(_rows16(gl.permute(acc_t, (1, 0)), D, HALF), MMA)
    return gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc

@gluon.jit
def _g_merge(O_PART, LSE_PART, OUT, row0, n_splits, HPG: gl.constexpr, R: gl.constexpr, D: gl.constexpr,
             NSP: gl.constexpr):
    "The merge of one (b, g)'s HPG rows over its splits (log-sum-exp weights), CS splits per load round."
    CS: gl.constexpr = 32 // R
    L3: gl.constexpr = gl.BlockedLayout([1, 1, 4], [1, 1, 32], [1, 1, 1], [2, 1, 0])
    L2: gl.constexpr = gl.SliceLayout(2, L3)
    LR: gl.constexpr = gl.SliceLayout(0, L2)
    LS: gl.constexpr = gl.SliceLayout(1, L2)
    LA: gl.constexpr = gl.SliceLayout(0, L3)
    LM: gl.constexpr = gl.BlockedLayout([1, 1], [32 // R, R], [1, 1], [1, 0])
    rm = gl.arange(0, R, layout=gl.SliceLayout(0, LM))
    sm = gl.arange(0, NSP, layout=gl.SliceLayout(1, LM))
    lse_all = gl.load(LSE_PART + (row0 + rm)[None, :] * n_splits + sm[:, None],
                      mask=(sm < n_splits)[:, None] & (rm < HPG)[None, :], other=float("-inf"), cache_modifier=".cg")
    m = gl.convert_layout(gl.max(lse_all, axis=0), LR)
    m = gl.where(m == float("-inf"), 0.0, m)
    r = gl.arange(0, R, layout=LR)
    d = gl.arange(0, D, layout=gl.SliceLayout(0, LA))
    acc = gl.zeros([R, D], gl.float32, LA)
    den = gl.zeros([R], gl.float32, LR)
    for c0 in range(0, n_splits, CS):
        sp = c0 + gl.arange(0, CS, layout=LS)
        ok = (sp < n_splits)[:, None] & (r < HPG)[None, :]
        lse = gl.load(LSE_PART + (row0 + r)[None, :] * n_splits + sp[:, None], mask=ok, other=float("-inf"),
                      cache_modifier=".cg")
        w = gl.exp2(lse - m[None, :])
        den = den + gl.sum(w, axis=0)
        o = gl.load(O_PART + ((row0 + r)[None, :, None] * n_splits + sp[:, None, None]) * D + d[None, :][None, :, :],
                    mask=ok[:, :, None], other=0.0, cache_modifier=".cg")
        acc = acc + gl.sum(o * w[:, :, None], axis=0)
    den = gl.convert_layout(gl.where(den > 0, den, 1.0), gl.SliceLayout(1, LA))
    ra = gl.arange(0, R, layout=gl.SliceLayout(1, LA))
    gl.store(OUT + (row0 + ra)[:, None] * D + d[None, :], (acc / den[:, None]).to(OUT.dtype.element_ty),
             mask=(ra < HPG)[:, None])

@gluon.jit(do_not_specialize=["Q", "n_hot", "OUT"])
def _g_decode(Q, sqb, sqh, SK, SV, ssb, ssg, HK, HV, shb, shg, KB, kbb, kbg, kbn, KM, kmb, kmg, kmn,
              KC, kcb, kcg, VC, vcb, vcg, VS, vsb, vsg, PAD, O_PART, LSE_PART,
              qk_scale, G, H, N, n_sinks, n_hot, tiles_per_split, n_hot_splits, n_splits, CNT, OUT,
              FUSE: gl.constexpr, PDLT: gl.constexpr, R: gl.constexpr, NSP: gl.constexpr, D: gl.constexpr, HPG: gl.constexpr, L: gl.constexpr, TILE: gl.constexpr, HOT_CHUNK: gl.constexpr,
              BIAS: gl.constexpr, VPTX: gl.constexpr, KPTX: gl.constexpr, VCON: gl.constexpr, VL: gl.constexpr,
              LAZY: gl.constexpr, NS: gl.constexpr):
    "Pass 1 of one decode step for one KV head's query rows (padded to 16): split < n_hot_splits: the sinks (split 0) and a chunk of the hot buffer, dense; else a run of cold tiles."
    gl.static_assert(D == 128)
    if PDLT:
        gl.inline_asm_elementwise("griddepcontrol.launch_dependents; mov.u32 $0, 0;", "=r", [], dtype=gl.int32,
                                  is_pure=False, pack=1)
    pid = gl.program_id(0)
    split = gl.program_id(1)
    b = (pid // G).to(gl.int64)
    g = (pid % G).to(gl.int64)
    ROW: gl.constexpr = gl.SliceLayout(1, MMA)
    COL: gl.constexpr = gl.SliceLayout(0, MMA)
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
        k_s = gl.allocate_shared_memory(gl.bfloat16, [16, D], SB)
        v_s = gl.allocate_shared_memory(gl.bfloat16, [16, D], SB)
        if split == 0:
            for t0 in range(0, n_sinks, 16):
                m_i, l_i, acc = _g_dense_tile(SK + b * ssb + g * ssg, SV + b * ssb + g * ssg, t0, n_sinks, 0, pad_b,
                                              q_a, m_i, l_i, acc, qk_scale, k_s, v_s, D, 16)
        h_hi = gl.minimum((split + 1) * HOT_CHUNK, n_hot)
        for t0 in range(split * HOT_CHUNK, h_hi, 16):
            m_i, l_i, acc = _g_dense_tile(HK + b * shb + g * shg, HV + b * shb + g * shg, t0, h_hi,
                                          n_sinks + N * L, pad_b, q_a, m_i, l_i, acc, qk_scale, k_s, v_s, D, 16)
    else:
        t_lo = (split - n_hot_splits) * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * (L // TILE))
        m_i, l_i, acc = _g_cold(Q, b * sqb + g * HPG * sqh, sqh, KB, b * kbb + g * kbg, kbn, KM, b * kmb + g * kmg,
                                kmn, KC, b * kcb + g * kcg, VC, b * vcb + g * vcg, VS, b * vsb + g * vsg, pad_b,
                                qk_scale, n_sinks, N, t_lo, t_hi, m_i, l_i, D, HPG, L, TILE, BIAS, VPTX, KPTX,
                                VCON, VL, LAZY, NS)
    # (column c of a cold accumulator holds channel 16 (c % 8) + c // 8; a hot one's channel c)
    ocol = gl.arange(0, D, layout=COL)
    chan = gl.where(split < n_hot_splits, ocol, 16 * (ocol % 8) + ocol // 8)
    row = b * H + g * HPG + orow
    ok = orow < HPG
    l_safe = gl.where(l_i > 0, l_i, 1.0)
    gl.store(O_PART + (row[:, None] * n_splits + split) * D + chan[None, :], acc / l_safe[:, None], mask=ok[:, None])
    gl.store(LSE_PART + row * n_splits + split, gl.where(l_i > 0, m_i + gl.log2(l_safe), float("-inf")), mask=ok)
    if FUSE:   # the last program of this (b, g) to get here merges its rows (and resets the count for the next call)
        _barrier()
        done = gl.atomic_add(CNT + pid, 1, sem="acq_rel", scope="gpu")
        if done == n_splits - 1:
            _g_merge(O_PART, LSE_PART, OUT, b * H + g * HPG, n_splits, HPG, R, D, NSP)
            gl.store(CNT + pid, 0)

# %% ../nbs/05b_gluon_attention.ipynb #c8af0117
GLUON_HEAD_DIM, GLUON_RANK, GLUON_MAX_ROWS = 128, 16, 16

def gluon_route(query: torch.Tensor, layer) -> str | None:
    "Why the Gluon kernel cannot take this call (None when it can)."
    if not query.is_cuda: return f"{query.device.type} tensor"
    cap = _capability(query.device)
    if cap is None or cap < (8, 0): return f"compute capability {cap} (needs sm_80 or newer)"
    if query.dtype != torch.bfloat16: return f"dtype {query.dtype} (bfloat16 only)"
    B, H, Qn, D = query.shape
    if D != GLUON_HEAD_DIM: return f"head_dim {D} ({GLUON_HEAD_DIM} only)"
    if Qn != 1: return f"q_len {Qn} (1 only)"
    if layer.rope != "post": return f"{layer.rope}-RoPE keys (post-RoPE only)"
    if layer.quant != "int4": return f"quant {layer.quant!r} (int4 only)"
    if getattr(layer, "key_coeffs", None) is None: return "no cold block yet"
    if not _values_int4(layer): return "low-rank values (per-token int4 only)"
    if _key_out(layer) is not None: return "exact key residual rows"
    if getattr(layer, "dense_blocks", None): return "dense (uncompressed) blocks"
    kc, kb, km, vc, vs = layer.key_coeffs, layer.key_basis, layer.key_mean, layer.value_codes, layer.value_scale
    hk, hv, sk, sv = layer.hot_keys, layer.hot_values, layer.sink_keys, layer.sink_values
    if kb.shape[3] != GLUON_RANK: return f"key rank {kb.shape[3]} ({GLUON_RANK} only)"
    G, L = hk.shape[1], kc.shape[3]
    if H % G or H // G > GLUON_MAX_ROWS: return f"{H} query heads over {G} KV heads (up to {GLUON_MAX_ROWS} per group)"
    if L % GLUON_TILE: return f"block_size {L} (a multiple of {GLUON_TILE})"
    ts = [t for t in (kc, kb, km, vc, vs, hk, hv, sk, sv) if t is not None]
    if any(t.device != query.device for t in ts): return "cache tensors on another device"
    if kc.dtype != torch.uint8 or vc.dtype != torch.uint8: return "codes not uint8"
    if any(t.dtype != query.dtype for t in (kb, km, vs, hk, hv) + ((sk, sv) if sk is not None else ())):
        return "basis, mean, scales or dense tokens not in the query's dtype"
    if (kc.stride()[2:] != (L * 8, 8, 1) or vc.stride()[2:] != (L * D // 2, D // 2, 1) or vs.stride()[2:] != (L, 1)
            or kb.stride()[2:] != (16 * D, D, 1) or km.stride()[2:] != (D, 1) or hk.stride()[2:] != (D, 1)
            or hv.stride() != hk.stride() or (sk is not None and (sk.stride()[2:] != (D, 1) or sv.stride() != sk.stride()))):
        return "cache tensors not in the cache's contiguous layout"
    return None

def _tiles_per_split(n_tiles: int, BG: int, slots: int) -> int:
    "Fewest tiles per split such that the BG x splits cold programs fit in `slots` resident programs (one wave)."
    tps = max(1, -(-n_tiles * BG // max(slots, 1)))
    while BG * -(-n_tiles // tps) > slots and tps < n_tiles: tps += 1
    return tps

def _programs_per_sm(device: torch.device) -> int:
    "One-warp programs resident per multiprocessor: registers (GLUON_MAXNREG) and shared memory (~14 KB each, 1 KB reserved)."
    p = torch.cuda.get_device_properties(device)
    if _PPS: return _PPS
    regs = getattr(p, "regs_per_multiprocessor", 65536) // (GLUON_MAXNREG * 32)
    per = GLUON_STAGES * GLUON_TILE * (8 + 64 + 2) + 16 * 128 * 2 + 128 * 2 + 1024 + 256   # ring, basis, mean, reserved
    smem = getattr(p, "shared_memory_per_multiprocessor", 164 * 1024) // per
    return max(1, min(regs, smem, 32))

def make_gluon_plan(query, layer, scaling: float, pad: torch.Tensor, borrowed=None, hot_chunk: int = 128) -> _Plan:
    "The launch plan of one decode step on this kernel (the layer must pass `gluon_route`)."
    B, H, Qn, D = query.shape
    hk, hv = layer.hot_keys, layer.hot_values
    G = hk.shape[1]
    sk, sv = layer.sink_keys, layer.sink_values
    if sk is None: sk = sv = query.new_zeros(B, G, 0, D)
    kc, kb, km, vc, vs = layer.key_coeffs, layer.key_basis, layer.key_mean, layer.value_codes, layer.value_scale
    N, L = kc.shape[2], kc.shape[3]
    dev = query.device
    n_hot_splits = max(1, -(-layer.n_hot // hot_chunk))
    slots = _programs_per_sm(dev) * _sm_count(dev) - B * G * n_hot_splits
    tps = max(1, int(round(_tiles_per_split(N * (L // GLUON_TILE), B * G, slots) * _TPSX)))
    if _ALIGN: tps = -(-tps // (L // GLUON_TILE)) * (L // GLUON_TILE)
    n_splits = n_hot_splits + -(-(N * (L // GLUON_TILE)) // tps)
    fuse = bool(_FUSE) and n_splits <= 64
    cnt = torch.zeros(B * G, dtype=torch.int32, device=dev)
    o_part = _scratch(dev, B * H * n_splits * D, "o")
    lse_part = _scratch(dev, B * H * n_splits, "lse")
    kca, vca, vsa = kc, vc, vs
    if _TMA:
        from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
        def span(t): return 1 + sum((n - 1) * st for n, st in zip(t.shape, t.stride()))
        u8 = gl.NVMMASharedLayout(swizzle_byte_width=0, element_bitwidth=8, rank=2)
        kca = TensorDescriptor(kc, [span(kc) // 16, 16], [16, 1], [GLUON_TILE // 2, 16], u8)
        vca = TensorDescriptor(vc, [span(vc) // 64, 64], [64, 1], [GLUON_TILE, 64], u8)
        vsa = TensorDescriptor(vs, [span(vs) // 8, 8], [8, 1], [GLUON_TILE // 8, 8],
                               gl.NVMMASharedLayout(swizzle_byte_width=0, element_bitwidth=16, rank=2))
    split_args = (query, query.stride(0), query.stride(1), sk, sv, *sk.stride()[:2], hk, hv, *hk.stride()[:2],
                  kb, *kb.stride()[:3], km, *km.stride()[:3], kca, *kc.stride()[:2], vca, *vc.stride()[:2],
                  vsa, *vs.stride()[:2], pad, o_part, lse_part, scaling * LOG2E, G, H, N, sk.shape[2], layer.n_hot,
                  tps, n_hot_splits, n_splits, cnt, None, fuse, _PDL == 2, _p2(H // G, 1), _p2(n_splits, 2), D, H // G, L, GLUON_TILE, hot_chunk, _BIAS, _ptx_values(),
                  _ptx_keys(), _VCON, value_layout(GLUON_TILE), GLUON_LAZY, GLUON_STAGES)
    merge_args = (o_part, lse_part, None, H * D, D, D, 1, H, n_splits, 1, _p2(n_splits, 2), D)
    if _PDL:
        return _PlanPDL(dev, (B * G, n_splits), split_args, (B * H,), merge_args, (B, H, 1, D),
                        dict(num_warps=1, maxnreg=GLUON_MAXNREG), False, borrowed, kernel=_g_decode)
    return _Plan(dev, (B * G, n_splits), split_args, (B * H,), merge_args, (B, H, 1, D),
                 dict(num_warps=1, maxnreg=GLUON_MAXNREG), fuse, borrowed, kernel=_g_decode)


import triton
import triton.language as tl
from unsloth_spectral.triton_attention import _raw_stream

@triton.jit(do_not_specialize=["OUT"])
def _merge_pdl(O_PART, LSE_PART, OUT, so_b, so_h, so_q, so_d, H, n_splits,
               QLEN: tl.constexpr, NS_P: tl.constexpr, D: tl.constexpr):
    "The split merge of 05 (`_merge_splits`), waiting on the decode grid by programmatic dependent launch."
    row = tl.program_id(0).to(tl.int64)
    s = tl.arange(0, NS_P)
    offs_d = tl.arange(0, D)
    ok = s < n_splits
    tl.extra.cuda.gdc_wait()
    lse = tl.load(LSE_PART + row * n_splits + s, mask=ok, other=float("-inf"))
    m = tl.max(lse, 0)
    w = tl.exp2(lse - tl.where(m == float("-inf"), 0., m))
    w = tl.where(ok, w, 0.)
    o = tl.load(O_PART + (row * n_splits + s)[:, None] * D + offs_d[None, :], mask=ok[:, None], other=0.)
    w_sum = tl.sum(w, 0)
    out = tl.sum(w[:, None] * o, 0) / tl.where(w_sum > 0, w_sum, 1.)
    b = row // (H * QLEN)
    h = (row // QLEN) % H
    q = row % QLEN
    tl.store(OUT + b * so_b + h * so_h + q * so_q + offs_d * so_d, out.to(OUT.dtype.element_ty))

class _PlanPDL(_Plan):
    "A plan whose merge launches by PDL (study only): JIT launches the first time, direct ones after."
    def __call__(self, query, n_hot):
        out = query.new_empty(self.out_shape)
        a = self.args.copy()
        a[0], a[self.n_hot_arg], a[self.out_arg] = query, n_hot, out
        m = self.margs.copy()
        m[2] = out
        if self.k_split is None:
            self.k_split = self.kernel[self.split_grid](*a, **self.split_opts)
            self.k_merge = _merge_pdl[self.merge_grid](*m, num_warps=4, launch_pdl=True)
            return out
        stream = _raw_stream(self.device)
        k = self.k_split
        k.run(*self.split_grid, 1, stream, k.function, k.packed_metadata, None, None, None, *a)
        k = self.k_merge
        k.run(self.merge_grid[0], 1, 1, stream, k.function, k.packed_metadata, None, None, None, *m)
        return out
