"Kernel study v10 (session 7, not shipped): post-RoPE keys, int4 values; small programs (1-2 warps), mma.sync, rows = query heads [M, D]. See notes/kernel.md, Session 7."
import math, os
import torch, triton
import triton.language as tl
from unsloth_spectral import triton_attention as ta
from unsloth_spectral.triton_attention import _nibbles, _merge_splits, LOG2E, _MAGIC, _p2, _sm_count

@triton.jit
def _dense_rows(Kb, Vb, t0, t_end, cache_base, pad_b, lim, q, m_i, l_i, acc, qk_scale,
                D: tl.constexpr, DTILE: tl.constexpr):
    offs_t = t0 + tl.arange(0, DTILE)
    offs_d = tl.arange(0, D)
    tok_ok = offs_t < t_end
    kT = tl.load(Kb + offs_t[None, :] * D + offs_d[:, None], mask=tok_ok[None, :], other=0.)      # [D, T]
    s = tl.dot(q, kT) * qk_scale                                                                  # [M, T]
    vis = (tok_ok & (cache_base + offs_t >= pad_b))[None, :] & (offs_t[None, :] <= lim[:, None])
    s = tl.where(vis, s, float("-inf"))
    m_new = tl.maximum(m_i, tl.max(s, 1))
    alpha = tl.exp2(m_i - m_new)
    p = tl.exp2(s - m_new[:, None])
    l_i = l_i * alpha + tl.sum(p, 1)
    v = tl.load(Vb + offs_t[:, None] * D + offs_d[None, :], mask=tok_ok[:, None], other=0.)      # [T, D]
    acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
    return m_new, l_i, acc

@triton.jit
def _w_split(Q, sqb, sqh, sqq, SK, SV, ssb, ssg, HK, HV, shb, shg,
             KC, kcb, kcg, kcn, KB, kbb, kbg, kbn, KM, kmb, kmg, kmn, VC, vcb, vcg, vcn, VS, vsb, vsg, vsn,
             PAD, O_PART, LSE_PART, qk_scale, G, H, n_sinks, n_cold, n_hot, blocks_per_split, n_hot_splits, n_splits,
             D: tl.constexpr, HPG: tl.constexpr, QLEN: tl.constexpr, BLOCK_M: tl.constexpr, L: tl.constexpr,
             TILE: tl.constexpr, RK: tl.constexpr, HOT_CHUNK: tl.constexpr, MAGIC: tl.constexpr, BIAS: tl.constexpr,
             ASM: tl.constexpr, STAGES: tl.constexpr, FOLD: tl.constexpr, COLD: tl.constexpr,
             MODE: tl.constexpr, KASM: tl.constexpr, KG: tl.constexpr = 0, LAZY: tl.constexpr = 0):
    pid = tl.program_id(0)
    split = tl.program_id(1) + COLD * n_hot_splits
    b = (pid // G).to(tl.int64)
    g = (pid % G).to(tl.int64)
    DT = Q.dtype.element_ty
    HALF: tl.constexpr = D // 2
    offs_m = tl.arange(0, BLOCK_M)
    qi = offs_m % QLEN
    row_ok = offs_m < HPG * QLEN
    offs_d = tl.arange(0, D)
    q_base = Q + b * sqb + g * HPG * sqh
    q_off = (offs_m // QLEN) * sqh + qi * sqq
    q = tl.load(q_base + q_off[:, None] + offs_d[None, :], mask=row_ok[:, None], other=0.)           # [M, D]
    pad_b = tl.load(PAD + b)
    m_i = tl.full([BLOCK_M], -1e30, tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, D], tl.float32)
    if not COLD:
        if split == 0:
            lim_s = qi * 0 + n_sinks
            for t0 in range(0, n_sinks, 64):
                m_i, l_i, acc = _dense_rows(SK + b * ssb + g * ssg, SV + b * ssb + g * ssg, t0, n_sinks, 0, pad_b,
                                            lim_s, q, m_i, l_i, acc, qk_scale, D, 64)
        h_lo = split * HOT_CHUNK
        h_hi = tl.minimum(h_lo + HOT_CHUNK, n_hot)
        lim_h = n_hot - QLEN + qi
        for t0 in range(h_lo, h_hi, 64):
            m_i, l_i, acc = _dense_rows(HK + b * shb + g * shg, HV + b * shb + g * shg, t0, h_hi,
                                        n_sinks + n_cold * L, pad_b, lim_h, q, m_i, l_i, acc, qk_scale, D, 64)
        row = (b * H + g * HPG + offs_m // QLEN) * QLEN + qi
        tl.store(O_PART + (row[:, None] * n_splits + split) * D + offs_d[None, :],
                 acc / tl.where(l_i > 0, l_i, 1.0)[:, None], mask=row_ok[:, None])
    else:
        TPB: tl.constexpr = L // TILE
        j0 = (split - n_hot_splits) * blocks_per_split
        j1 = tl.minimum(j0 + blocks_per_split, n_cold)
        offs_t = tl.arange(0, TILE)
        offs_h = tl.arange(0, HALF)
        rr = tl.arange(0, RK // 2)
        rk = tl.arange(0, RK)
        acc_lo = tl.zeros([BLOCK_M, HALF], tl.float32)   # even channels
        acc_hi = tl.zeros([BLOCK_M, HALF], tl.float32)   # odd channels
        w_i = tl.zeros([BLOCK_M], tl.float32)            # FOLD: running sum of P*scale (the codes' bias)
        xk = tl.zeros([TILE, RK // 2], tl.int32)
        xv = tl.zeros([TILE, HALF], tl.int32)
        xs = tl.zeros([TILE], tl.float32)
        kc_g = KC + b * kcb + g * kcg
        vc_g = VC + b * vcb + g * vcg
        vs_g = VS + b * vsb + g * vsg
        for j in range(j0, j1):
            jq = j
            if MODE == 4:   # (timing only) B_k q of the first block for all
                jq = j0
            kbT = tl.load(KB + b * kbb + g * kbg + jq * kbn + rk[None, :] * D + offs_d[:, None])     # [D, RK]
            # the key mean as column 0 of a [D, RK] tile: q.mean by the product too (no fp32 copy of q is held)
            kmT = tl.load(KM + b * kmb + g * kmg + jq * kmn + offs_d[:, None] + rk[None, :] * 0, mask=rk[None, :] == 0,
                          other=0.)
            qb = (tl.dot(q, kbT) * qk_scale).to(DT)                                              # [M, RK]
            qm = tl.sum(tl.dot(q, kmT), 1) * qk_scale                                            # [M]
            if n_sinks + j * L < pad_b:
                pad_blk = 1
            else:
                pad_blk = 0
            for t in tl.range(0, TPB, num_stages=STAGES):
                tok = t * TILE + offs_t
                kc = tl.load(kc_g + j * kcn + tok[:, None] * (RK // 2) + rr[None, :])            # [T, RK/2]
                vs = tl.load(vs_g + j * vsn + tok).to(tl.float32)
                vc = tl.load(vc_g + j * vcn + tok[:, None] * HALF + offs_h[None, :])            # [T, D/2]
                if MODE == 1:    # loads only
                    xk += kc.to(tl.int32)
                    xv += vc.to(tl.int32)
                    xs += vs
                else:
                    if MODE == 2:   # no scores: P = 1
                        alpha = tl.full([BLOCK_M], 1.0, tl.float32)
                        pw = (tl.full([BLOCK_M, TILE], 1.0, tl.float32) * vs[None, :]).to(DT)
                        xk += kc.to(tl.int32)
                    else:
                        if KG:   # each code byte loaded twice, turned: [RK, T], nibble r % 2 of byte r // 2
                            kg = tl.load(kc_g + j * kcn + tok[None, :] * (RK // 2) + (rk // 2)[:, None])
                            nib = ((kg >> ((rk % 2) * 4)[:, None].to(tl.uint8)) & 15).to(tl.uint16)
                            if MAGIC == 0:
                                cT = (nib.to(tl.float32) - 8.).to(DT)
                            else:
                                cT = ((nib | MAGIC).to(DT, bitcast=True).to(tl.float32) - BIAS).to(DT)
                        else:
                            c_lo, c_hi = _nibbles(kc, DT, MAGIC, BIAS, KASM)
                            cT = tl.trans(tl.reshape(tl.join(c_lo, c_hi), (TILE, RK)))               # [RK, T]
                        s = tl.dot(qb, cT)                                                           # [M, T]
                        if pad_blk:
                            s = tl.where((n_sinks + j * L + tok >= pad_b)[None, :], s, float("-inf"))
                        m_t = tl.max(s, 1) + qm
                        if LAZY:   # the running max moves (and the accumulators rescale) only when it grows by > 8
                            if tl.max(m_t - m_i, 0) > 8.0:
                                m_new = tl.maximum(m_i, m_t)
                                alpha = tl.exp2(m_i - m_new)
                                l_i = l_i * alpha
                                acc_lo = acc_lo * alpha[:, None]
                                acc_hi = acc_hi * alpha[:, None]
                                w_i = w_i * alpha
                                m_i = m_new
                            alpha = tl.full([BLOCK_M], 1.0, tl.float32)
                            p = tl.exp2(s - (m_i - qm)[:, None])
                            l_i = l_i + tl.sum(p, 1)
                        else:
                            m_new = tl.maximum(m_i, m_t)
                            alpha = tl.exp2(m_i - m_new)
                            p = tl.exp2(s - (m_new - qm)[:, None])
                            l_i = l_i * alpha + tl.sum(p, 1)
                            m_i = m_new
                        pw = (p * vs[None, :]).to(DT)                                                # [M, T]
                    if MODE == 3:   # no value products
                        xv += vc.to(tl.int32)
                        acc_lo += tl.sum(pw.to(tl.float32), 1)[:, None]
                    else:
                        if FOLD:   # codes as magic + nibble (exact), the bias taken off once at the end
                            v_lo = ((vc & 15).to(tl.uint16) | MAGIC).to(DT, bitcast=True)
                            v_hi = ((vc >> 4).to(tl.uint16) | MAGIC).to(DT, bitcast=True)
                            w_i = w_i * alpha + tl.sum(pw.to(tl.float32), 1)
                        else:
                            v_lo, v_hi = _nibbles(vc, DT, MAGIC, BIAS, ASM)
                        if LAZY:
                            acc_lo = tl.dot(pw, v_lo, acc_lo)
                            acc_hi = tl.dot(pw, v_hi, acc_hi)
                        else:
                            acc_lo = tl.dot(pw, v_lo, acc_lo * alpha[:, None])
                            acc_hi = tl.dot(pw, v_hi, acc_hi * alpha[:, None])
        if MODE == 1 or MODE == 2 or MODE == 3:   # keep the loads alive
            acc_lo += (tl.sum(tl.sum(xk, 1), 0) + tl.sum(tl.sum(xv, 1), 0)).to(tl.float32) + tl.sum(xs, 0)
        if FOLD:
            acc_lo -= BIAS * w_i[:, None]
            acc_hi -= BIAS * w_i[:, None]
        row = (b * H + g * HPG + offs_m // QLEN) * QLEN + qi
        l_safe = tl.where(l_i > 0, l_i, 1.0)
        base = O_PART + (row[:, None] * n_splits + split) * D
        tl.store(base + 2 * offs_h[None, :], acc_lo / l_safe[:, None], mask=row_ok[:, None])
        tl.store(base + 2 * offs_h[None, :] + 1, acc_hi / l_safe[:, None], mask=row_ok[:, None])
    row = (b * H + g * HPG + offs_m // QLEN) * QLEN + qi
    l_safe = tl.where(l_i > 0, l_i, 1.0)
    lse = tl.where(l_i > 0, m_i + tl.log2(l_safe), float("-inf"))
    tl.store(LSE_PART + row * n_splits + split, lse, mask=row_ok)


def _setup(query, layer, per_sm, bps, hot_chunk):
    "Shapes, splits, partial buffers and the cache tensors of one call (the two launchers share them)."
    B, H, Qn, D = query.shape
    G, N = layer.hot_keys.shape[1], layer.key_coeffs.shape[2]
    dev = query.device
    interp = os.environ.get("TRITON_INTERPRET") == "1"
    n_hot_splits = max(1, -(-layer.n_hot // hot_chunk))
    bps = bps or max(1, -(-N * B * G // (per_sm * _sm_count(dev))))
    n_splits = n_hot_splits + -(-N // bps)
    return (B, H, Qn, D, G, layer.sink_keys.shape[2], N, layer.key_coeffs.shape[3], layer.key_basis.shape[3], dev,
            interp, layer.n_hot, n_hot_splits, bps, n_splits - n_hot_splits, n_splits,
            torch.empty(B * H * Qn * n_splits * D, device=dev, dtype=torch.float32),
            torch.empty(B * H * Qn * n_splits, device=dev, dtype=torch.float32),
            layer.key_coeffs, layer.key_basis, layer.key_mean, layer.value_codes, layer.value_scale,
            layer.sink_keys, layer.sink_values, layer.hot_keys, layer.hot_values, layer.pad.to(dev, torch.int32),
            _MAGIC[query.dtype if not (interp and query.dtype == torch.bfloat16) else torch.float32])


def w_attention(query, layer, scaling, num_warps=1, tile=32, stages=1, per_sm=16, fold=False, bps=None, hot_chunk=128, mode=0, kasm=2, asm=2, parts=False, kg=0, lazy=0):
    "Attention over a post-RoPE, int4-value layer (random_layer / SpectralLayer attributes)."
    (B, H, Qn, D, G, S, N, L, RK, dev, interp, n_hot, n_hot_splits, bps, n_cold_splits, n_splits, o_part, lse_part, kc, kb,
     km, vc, vs, sk, sv, hk, hv, pad, (magic, bias)) = _setup(query, layer, per_sm, bps, hot_chunk)
    out = query.new_empty(B, H, Qn, D)
    for cold, grid in ((0, (B * G, n_hot_splits)), (1, (B * G, n_cold_splits))):
      _w_split[grid](
        query, *query.stride()[:3], sk, sv, *sk.stride()[:2], hk, hv, *hk.stride()[:2],
        kc, *kc.stride()[:3], kb, *kb.stride()[:3], km, *km.stride()[:3], vc, *vc.stride()[:3], vs, *vs.stride()[:3],
        pad, o_part, lse_part, scaling * LOG2E, G, H, S, N, n_hot, bps, n_hot_splits, n_splits,
        D, H // G, Qn, _p2(H // G * Qn), L, tile, RK, hot_chunk, magic, bias, 0 if interp else asm, stages, fold,
        cold, mode, 0 if interp else kasm, kg, lazy, num_warps=num_warps if cold else 4)
    _merge_splits[(B * H * Qn,)](o_part, lse_part, out, *out.stride(), H, n_splits, Qn, _p2(n_splits, 2), D,
                                 num_warps=4)
    if parts: return out, o_part.view(B, H, Qn, n_splits, D), lse_part.view(B, H, Qn, n_splits), n_hot_splits, bps
    return out


if __name__ == "__main__":   # CPU check under the interpreter
    torch.manual_seed(0)
    for dt, fold in ((torch.float32, False), (torch.float16, False), (torch.float16, True)):   # (no bf16 dots here)
        lay = ta.random_layer(B=2, G=2, D=64, S=4, N=3, L=64, n_hot=20, cap=40, RK=16, quant="int4", rope="post",
                              dtype=dt, pad_max=70, values="int4")
        q = torch.randn(2, 8, 1, 64).to(dt)
        ref = ta.dense_oracle(q, lay, 0.125)
        out = w_attention(q, lay, 0.125, tile=16, bps=1, fold=fold)
        print(dt, fold, ta.rel_err(out, ref))


@triton.jit
def _w2_qb(Q, sqb, sqh, sqq, KB, kbb, kbg, kbn, KM, kmb, kmg, kmn, QB, QM, qk_scale, G, N, bpp,
           D: tl.constexpr, HPG: tl.constexpr, QLEN: tl.constexpr, BLOCK_M: tl.constexpr, RK: tl.constexpr):
    "Per cold block: B_k q (scaled, in the query dtype) [BLOCK_M, RK] and q.mean [BLOCK_M] (float32)."
    pid = tl.program_id(0)
    b = (pid // G).to(tl.int64)
    g = (pid % G).to(tl.int64)
    DT = Q.dtype.element_ty
    offs_m = tl.arange(0, BLOCK_M)
    qi = offs_m % QLEN
    row_ok = offs_m < HPG * QLEN
    offs_d = tl.arange(0, D)
    rk = tl.arange(0, RK)
    q = tl.load(Q + b * sqb + g * HPG * sqh + ((offs_m // QLEN) * sqh + qi * sqq)[:, None] + offs_d[None, :],
                mask=row_ok[:, None], other=0.)
    qf = q.to(tl.float32)
    j0 = tl.program_id(1) * bpp
    for j in range(j0, tl.minimum(j0 + bpp, N)):
        kbT = tl.load(KB + b * kbb + g * kbg + j * kbn + rk[None, :] * D + offs_d[:, None])
        km = tl.load(KM + b * kmb + g * kmg + j * kmn + offs_d).to(tl.float32)
        qb = tl.dot(q, kbT) * qk_scale
        qm = tl.sum(qf * km[None, :], 1) * qk_scale
        base = (pid.to(tl.int64) * N + j) * BLOCK_M
        tl.store(QB + (base + offs_m[:, None]) * RK + rk[None, :], qb.to(DT))
        tl.store(QM + base + offs_m, qm)


@triton.jit
def _w2_split(QB, QM, PAD, KC, kcb, kcg, kcn, VC, vcb, vcg, vcn, VS, vsb, vsg, vsn, O_PART, LSE_PART,
              G, H, N, n_sinks, blocks_per_split, n_hot_splits, n_splits,
              D: tl.constexpr, HPG: tl.constexpr, QLEN: tl.constexpr, BLOCK_M: tl.constexpr, L: tl.constexpr,
              TILE: tl.constexpr, RK: tl.constexpr, MAGIC: tl.constexpr, BIAS: tl.constexpr, ASM: tl.constexpr,
              KASM: tl.constexpr, STAGES: tl.constexpr):
    "Cold splits: one flat, pipelined loop over the split's tiles; B_k q and q.mean come precomputed per block."
    pid = tl.program_id(0)
    cs = tl.program_id(1)
    split = cs + n_hot_splits
    b = (pid // G).to(tl.int64)
    g = (pid % G).to(tl.int64)
    DT = QB.dtype.element_ty
    HALF: tl.constexpr = D // 2
    TPB: tl.constexpr = L // TILE
    offs_m = tl.arange(0, BLOCK_M)
    qi = offs_m % QLEN
    row_ok = offs_m < HPG * QLEN
    offs_t = tl.arange(0, TILE)
    offs_h = tl.arange(0, HALF)
    rr = tl.arange(0, RK // 2)
    rk = tl.arange(0, RK)
    pad_b = tl.load(PAD + b)
    m_i = tl.full([BLOCK_M], -1e30, tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc_lo = tl.zeros([BLOCK_M, HALF], tl.float32)
    acc_hi = tl.zeros([BLOCK_M, HALF], tl.float32)
    kc_g = KC + b * kcb + g * kcg
    vc_g = VC + b * vcb + g * vcg
    vs_g = VS + b * vsb + g * vsg
    qb_g = QB + pid.to(tl.int64) * N * BLOCK_M * RK
    qm_g = QM + pid.to(tl.int64) * N * BLOCK_M
    t_lo = cs * blocks_per_split * TPB
    t_hi = tl.minimum((cs + 1) * blocks_per_split, N) * TPB
    for t in tl.range(t_lo, t_hi, num_stages=STAGES):
        j = t // TPB
        tok = (t % TPB) * TILE + offs_t
        qb = tl.load(qb_g + (j * BLOCK_M + offs_m[:, None]) * RK + rk[None, :])                   # [M, RK]
        qm = tl.load(qm_g + j * BLOCK_M + offs_m)
        kc = tl.load(kc_g + j * kcn + tok[:, None] * (RK // 2) + rr[None, :])                    # [T, RK/2]
        vs = tl.load(vs_g + j * vsn + tok).to(tl.float32)
        vc = tl.load(vc_g + j * vcn + tok[:, None] * HALF + offs_h[None, :])                    # [T, D/2]
        c_lo, c_hi = _nibbles(kc, DT, MAGIC, BIAS, KASM)
        cT = tl.trans(tl.reshape(tl.join(c_lo, c_hi), (TILE, RK)))                               # [RK, T]
        s = tl.dot(qb, cT)                                                                       # [M, T]
        if n_sinks + t * TILE < pad_b:
            s = tl.where((n_sinks + t * TILE + offs_t >= pad_b)[None, :], s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1) + qm)
        alpha = tl.exp2(m_i - m_new)
        p = tl.exp2(s - (m_new - qm)[:, None])
        l_i = l_i * alpha + tl.sum(p, 1)
        m_i = m_new
        pw = (p * vs[None, :]).to(DT)                                                            # [M, T]
        v_lo, v_hi = _nibbles(vc, DT, MAGIC, BIAS, ASM)
        acc_lo = tl.dot(pw, v_lo, acc_lo * alpha[:, None])
        acc_hi = tl.dot(pw, v_hi, acc_hi * alpha[:, None])
    row = (b * H + g * HPG + offs_m // QLEN) * QLEN + qi
    l_safe = tl.where(l_i > 0, l_i, 1.0)
    base = O_PART + (row[:, None] * n_splits + split) * D
    tl.store(base + 2 * offs_h[None, :], acc_lo / l_safe[:, None], mask=row_ok[:, None])
    tl.store(base + 2 * offs_h[None, :] + 1, acc_hi / l_safe[:, None], mask=row_ok[:, None])
    lse = tl.where(l_i > 0, m_i + tl.log2(l_safe), float("-inf"))
    tl.store(LSE_PART + row * n_splits + split, lse, mask=row_ok)


def w2_attention(query, layer, scaling, num_warps=1, tile=32, stages=3, per_sm=16, bps=None, hot_chunk=128,
                 kasm=2, asm=2, qb_bpp=8, parts=False, maxnreg=None):
    "v10b: B_k q precomputed per block by `_w2_qb`; the hot splits by `_w_split` (COLD=0); then the merge."
    (B, H, Qn, D, G, S, N, L, RK, dev, interp, n_hot, n_hot_splits, bps, n_cold_splits, n_splits, o_part, lse_part, kc, kb,
     km, vc, vs, sk, sv, hk, hv, pad, (magic, bias)) = _setup(query, layer, per_sm, bps, hot_chunk)
    BM = _p2(H // G * Qn)
    qb = torch.empty(B * G * N * BM * RK, device=dev, dtype=query.dtype)
    qm = torch.empty(B * G * N * BM, device=dev, dtype=torch.float32)
    kc, kb, km, vc, vs = layer.key_coeffs, layer.key_basis, layer.key_mean, layer.value_codes, layer.value_scale
    sk, sv, hk, hv = layer.sink_keys, layer.sink_values, layer.hot_keys, layer.hot_values
    pad = layer.pad.to(dev, torch.int32)
    qk = scaling * LOG2E
    out = query.new_empty(B, H, Qn, D)
    _w2_qb[(B * G, -(-N // qb_bpp))](query, *query.stride()[:3], kb, *kb.stride()[:3], km, *km.stride()[:3], qb, qm,
                                    qk, G, N, qb_bpp, D, H // G, Qn, BM, RK, num_warps=4)
    _w_split[(B * G, n_hot_splits)](
        query, *query.stride()[:3], sk, sv, *sk.stride()[:2], hk, hv, *hk.stride()[:2],
        kc, *kc.stride()[:3], kb, *kb.stride()[:3], km, *km.stride()[:3], vc, *vc.stride()[:3], vs, *vs.stride()[:3],
        pad, o_part, lse_part, qk, G, H, S, N, n_hot, bps, n_hot_splits, n_splits,
        D, H // G, Qn, BM, L, tile, RK, hot_chunk, magic, bias, 0 if interp else asm, 1, False, 0, 0,
        0 if interp else kasm, num_warps=4)
    _w2_split[(B * G, n_cold_splits)](
        qb, qm, pad, kc, *kc.stride()[:3], vc, *vc.stride()[:3], vs, *vs.stride()[:3], o_part, lse_part,
        G, H, N, S, bps, n_hot_splits, n_splits, D, H // G, Qn, BM, L, tile, RK, magic, bias,
        0 if interp else asm, 0 if interp else kasm, stages, num_warps=num_warps,
        **({} if maxnreg is None else dict(maxnreg=maxnreg)))
    _merge_splits[(B * H * Qn,)](o_part, lse_part, out, *out.stride(), H, n_splits, Qn, _p2(n_splits, 2), D,
                                 num_warps=4)
    if parts: return out, o_part.view(B, H, Qn, n_splits, D), lse_part.view(B, H, Qn, n_splits), n_hot_splits, bps
    return out
