"""Study module (session 19): 05b with a three-stage ring at 12 programs per SM, and the waits at a block's first tile.

Session 13 tried three stages (two tiles in flight a warp instead of one) and lost: 21.6 KB a program left room for
10-11 programs per SM instead of 12. The int8-basis path keeps the query rows in fp16 in shared memory (4 KB, `_q16`)
for B_k q; without them three stages fit in 16.5 KB and 12 programs per SM. With three stages a block that starts
one tile after its split's first tile waits for every copy (its basis rode with tile t_lo + 2's copies), which
Session 12's race was about.
GK_NS=2|3: the ring's depth (3).
GK_QG: where B_k q and q.mean take the query rows from (1).
  0: shared memory, as 05b did before 91dc08c.
  1: global memory (L2) at each block's first tile, loaded straight into the product's A fragments in the basis
     words' k order.
  2: the rows `_g_qb` already loads, as they are, with the basis columns kept in the product's k order (a copy the
     plan makes, as a cache could store them).
  3: as 2 with the basis as the cache keeps it, its bytes read from shared memory straight into the B fragments' k
     order (two bytes a load).
  4: shared memory for q.mean too (the mean read in their k order), so the block's first tile loads no query rows.
GK_KS: the next block's int8 row scales (0).
  0: loaded a block ahead into registers, as 05b did before 91dc08c. The warp still waits for them right after
     sending the load (the `.to(gl.float32)` and the halves' packing come at once).
  1: kept in bf16 until their block (the halves are still packed at once: same SASS).
  2: copied by cp.async with the block's basis (32 B) and read from shared memory at its first tile.
Written against 05b as of commit 70e7eca. GK_QG=4 with GK_KS=2 shipped in 91dc08c. Since then the substitutions of
GK_QG=1-4 and GK_KS=1-2 no longer find their text in the package, and `derive` stops with their names."""
import os, sys, torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

NS = int(os.environ.get("GK_NS", "3"))
QG = int(os.environ.get("GK_QG", "1"))
KS = int(os.environ.get("GK_KS", "0"))

SUBS = [("GLUON_STAGES = 2 ", f"GLUON_STAGES = {NS} ")]
if NS == 3: SUBS += [
    ("    gl.static_assert(NS == 2)\n", "    gl.static_assert((NS == 2) or (NS == 3))\n"),
    ("""        async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        _barrier()
""", """        async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        if NS > 2:   # a block starting one tile after the split's first (or blocks of one tile): its basis rode with
            if (t % TPB == 0) & ((t == t_lo + 1) | (TPB < NS - 1)):   # the copies of the tile after this one
                async_copy.wait_group(0)
        _barrier()
"""),
]
if QG in (1, 2, 3): SUBS += [
    ("        q16_s = gl.allocate_shared_memory(gl.float16, [16, D], SB)\n", "        q16_s = kb_s   # (unused)\n"),
    ("        qsum = _q16(Q, q_base, sqh, HPG, q16_s)\n", """        if QG >= 2:   # the rows' sums in fp16, once
            q16 = gl.load(Q + q_off, mask=q_mask, other=0.).to(gl.float16)
            qsum = gl.convert_layout(gl.sum(q16.to(gl.float32), axis=1), ROW)
        else: qsum = gl.zeros([16], gl.float32, ROW)   # (unused)
"""),
    ("    qb = mma_v2(q16_s.load(A_OP), kb, gl.zeros([16, 16], gl.float32, MMA))",
     "    qb = mma_v2(q16_s, kb, gl.zeros([16, 16], gl.float32, MMA))"),
    ("    if KB_I8: qb = _g_qb8(q16_s, qsum, kb_s, ks) * qk_scale\n", """    if KB_I8 and QG == 3:   # the int8 basis' bytes as the B fragments want them, each s as 1152 + s
        kb8 = kb_s.permute((1, 0)).load(B_OP)
        kb = gl.inline_asm_elementwise(_BPTX, "=r,=r,r", [kb8], dtype=gl.float16, is_pure=True, pack=4)
        qb = (mma_v2(q_a.to(gl.float16), kb, gl.zeros([16, 16], gl.float32, MMA)) - 1152.0 * qsum[:, None]) * ks[None, :] * qk_scale
    elif KB_I8 and QG == 2:   # (the basis columns stored in the product's k order)
        qb = _g_qb8(q_a.to(gl.float16), qsum, kb_s, ks) * qk_scale
    elif KB_I8:   # the query rows in fp16 in the basis words' k order (k = 16c + 8h + 2tig + f holds D = 16c + 4tig + 2h + f)
        kq = gl.arange(0, q_a.shape[1], layout=gl.SliceLayout(0, A_OP))
        dq = 16 * (kq // 16) + 4 * ((kq % 8) // 2) + 2 * ((kq % 16) // 8) + kq % 2
        q16 = gl.load(Q + q_off + (dq - kq)[None, :], mask=q_mask, other=0.).to(gl.float16)
        qsum16 = gl.convert_layout(gl.sum(q16.to(gl.float32), axis=1), ROW)
        qb = _g_qb8(q16, qsum16, kb_s, ks) * qk_scale
"""),
    ("    else: extra = rows16 if int8_basis else 0\n", "    else: extra = 0\n"),
    ("_SUB_UNIT = gl.constexpr(2.0 ** -24)", f"_SUB_UNIT = gl.constexpr(2.0 ** -24)\nQG = gl.constexpr({QG})"),
    ("qb_a, qm16 = _g_qb(Q, q_off, q_mask, kb_w, km_s,", "qb_a, qm16 = _g_qb(Q, q_off, q_mask, kb_s if QG == 3 else kb_w, km_s,"),
]

if QG == 4: SUBS += [   # the rows stay in shared memory; q.mean from them too, the mean read in their k order
    ("""    if KB_I8: qb = _g_qb8(q16_s, qsum, kb_s, ks) * qk_scale
""", """    if KB_I8:
        qb = _g_qb8(q16_s, qsum, kb_s, ks) * qk_scale
        D: gl.constexpr = q_a.shape[1]
        kmk = km_s.reshape([D // 16, 4, 2, 2]).permute((0, 2, 1, 3)).reshape([D])   # k = 16c + 8h + 2tig + f: D = 16c + 4tig + 2h + f
        km = gl.expand_dims(kmk.load(gl.SliceLayout(1, B_OP)).to(gl.float16), 1)
        qm = gl.max(mma_v2(q16_s.load(A_OP), gl.broadcast(km, gl.full([D, 8], 0, gl.float16, B_OP))[0],
                           gl.zeros([16, 8], gl.float32, MMA)), axis=1) * qk_scale
"""),
    ("""    km = gl.expand_dims(km_s.load(gl.SliceLayout(1, B_OP)), 1)   # q.mean by the tensor cores (8 equal columns)
    qm = gl.max(""", """    if not KB_I8:
        km = gl.expand_dims(km_s.load(gl.SliceLayout(1, B_OP)), 1)   # q.mean by the tensor cores (8 equal columns)
        qm = gl.max("""),
    ("""                       gl.zeros([16, 8], gl.float32, MMA)), axis=1) * qk_scale
    off = gl.where""", """                           gl.zeros([16, 8], gl.float32, MMA)), axis=1) * qk_scale
    off = gl.where"""),
]

if KS == 2: SUBS += [   # the int8 row scales by cp.async with their block's basis, read at its first tile
    ("""    if KB_I8: ks = gl.load(ks_g + j0 * ksn, mask=cc_ok, other=0.).to(gl.float32)   # (loaded one block ahead)
""", """    if KB_I8:   # (the row scales as RP / 2 words, copied with the basis; read in the ranks' k order at the block's first tile)
        gl.static_assert(RP == 16)
        ks_s = gl.allocate_shared_memory(gl.int32, [RP // 2], S1)
        kw1 = gl.arange(0, RP // 2, layout=gl.BlockedLayout([1], [32], [1], [0]))
        ksw_g = KS.to(gl.pointer_type(gl.int32)) + ks_bg // 2 + kw1
        _async_load(ks_s, ksw_g + j0 * (ksn // 2), mask=kw1 < RK // 2)
        ks = gl.zeros([RP], gl.float32, COL)
"""),
    ("            if KB_I8: ks = gl.load(ks_g + jn * ksn, mask=cc_ok, other=0.).to(gl.float32)",
     "            if KB_I8: _async_load(ks_s, ksw_g + jn * (ksn // 2), mask=kw1 < RK // 2)"),
    ("qb_a, qm16 = _g_qb(Q, q_off, q_mask, kb_w, km_s, qk_scale, q16_s, qsum, ks, KB_I8)",
     "qb_a, qm16 = _g_qb(Q, q_off, q_mask, kb_w, km_s, qk_scale, q16_s, qsum, _g_ks(ks_s) if KB_I8 else ks, KB_I8)"),
    ("""@gluon.jit
def _g_tab(""", """@gluon.jit
def _g_ks(ks_s):
    "The block's int8 row scales from shared memory (words), in the ranks' k order (`_k_rank`: k = 8h + 2tig + f holds rank 4tig + 2f + h), fp32."
    if _REINTERPRET: k = ks_s.reinterpret(gl.bfloat16, [16], ks_s.type.layout)
    else: k = ks_s._reinterpret(gl.bfloat16, [16], ks_s.type.layout)
    return k.reshape([4, 2, 2]).permute((2, 0, 1)).reshape([16]).load(gl.SliceLayout(0, MMA)).to(gl.float32)

@gluon.jit
def _g_tab("""),
]
if KS == 1: SUBS += [   # the next block's int8 row scales stay bf16 until their block uses them (the load waited for there)
    ("    if KB_I8: ks = gl.load(ks_g + j0 * ksn, mask=cc_ok, other=0.).to(gl.float32)   # (loaded one block ahead)",
     "    if KB_I8: ks = gl.load(ks_g + j0 * ksn, mask=cc_ok, other=0.)   # (loaded one block ahead, bf16 until used)"),
    ("            if KB_I8: ks = gl.load(ks_g + jn * ksn, mask=cc_ok, other=0.).to(gl.float32)",
     "            if KB_I8: ks = gl.load(ks_g + jn * ksn, mask=cc_ok, other=0.)"),
]

globals().update(derive(f"gk38_{NS}_{QG}_{int(KS)}", __doc__, SUBS))

def k_order_perm(D: int = 128) -> torch.Tensor:
    "Stored column p = 4 (4c + tig) + 2h + f of a permuted int8 basis holds column 16c + 8h + 2tig + f (its k in the product)."
    p = torch.arange(D)
    w, e = p // 4, p % 4
    return 16 * (w // 4) + 8 * (e // 2) + 2 * (w % 4) + e % 2

_plan = make_gluon_plan

def make_gluon_plan(query, layer, scaling, pad, borrowed=None, hot_chunk=128):
    "05b's plan; with GK_QG=2 its int8 key basis is a copy with the columns in the product's k order (kept by the plan)."
    plan = _plan(query, layer, scaling, pad, borrowed, hot_chunk)
    if QG != 2 or getattr(layer, "key_basis_scale", None) is None: return plan
    assert borrowed is None and layer.rope == "post"
    kb = layer.key_basis[..., k_order_perm(layer.key_basis.shape[-1]).to(layer.key_basis.device)].contiguous()
    i = _g_decode.arg_names.index("KB")
    assert plan.args[i + 1:i + 4] == list(kb.stride()[:3])
    plan.args[i] = plan.kb_perm = kb
    return plan
