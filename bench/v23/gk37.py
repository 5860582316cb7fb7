"""Study module (session 19): 05b reading each cold tile of 64 tokens from one packed record instead of three tensors.

The shipped cache keeps a tile's value codes (64 x 64 B), key codes (64 x 8 B) and value scales (64 x 2 B) in three
tensors, so every tile is three streams: 4,096 B, 512 B and 128 B from three places. Here the plan packs them into one
record per tile, [value codes | key codes | value scales] = 4,736 B (37 lines of 128 B), and the kernel reads the three
pieces at their offsets in it: the same bytes, one contiguous run per tile and per split. Post-RoPE keys of rank 16
only (tile 64); the packed copy is made once by the plan, outside the timed call.
GK_PACK=0: the shipped addressing (for an A/B of the harness itself)."""
import os, sys, torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

PACK = os.environ.get("GK_PACK", "1") == "1"
REC, OFF_K, OFF_S = 4096 + 512 + 128, 4096, 4096 + 512   # a tile's record and its pieces' offsets, bytes

SUBS = [] if not PACK else [
    ("_SUB_UNIT = gl.constexpr(2.0 ** -24)", f"_SUB_UNIT = gl.constexpr(2.0 ** -24)\n_PK_R = gl.constexpr({REC})\n"
     f"_PK_K = gl.constexpr({OFF_K})\n_PK_S = gl.constexpr({OFF_S})"),
    ("""    kc_g = KC.to(gl.pointer_type(gl.int64)) + kc_bg // 8
    vc_g = VC.to(gl.pointer_type(gl.int16)) + vc_bg // 2
    vs_g = VS + vs_bg
""", """    kc_g = KC.to(gl.pointer_type(gl.int64)) + (kc_bg + _PK_K) // 8
    vc_g = VC.to(gl.pointer_type(gl.int16)) + vc_bg // 2
    vs_g = VS + vs_bg + _PK_S // 2
"""),
    ("""        if not KG: _async_load(kw_s.index(i0), kc_g + tc + ck)
        _async_load(vw_s.index(i0), vc_g + tc * 32 + cv)
        _async_load(vs_s.index(i0), vs_g + tc + ck)
""", """        if not KG: _async_load(kw_s.index(i0), kc_g + tc // TILE * (_PK_R // 8) + ck)
        _async_load(vw_s.index(i0), vc_g + tc // TILE * (_PK_R // 2) + cv)
        _async_load(vs_s.index(i0), vs_g + tc // TILE * (_PK_R // 2) + ck)
"""),
    ("""            _async_load(kw_s.index(sn), kc_g + tc + ck)
        _async_load(vw_s.index(sn), vc_g + tc * 32 + cv)
        _async_load(vs_s.index(sn), vs_g + tc + ck)
""", """            _async_load(kw_s.index(sn), kc_g + tc // TILE * (_PK_R // 8) + ck)
        _async_load(vw_s.index(sn), vc_g + tc // TILE * (_PK_R // 2) + cv)
        _async_load(vs_s.index(sn), vs_g + tc // TILE * (_PK_R // 2) + ck)
"""),
]

globals().update(derive(f"gk37_{int(PACK)}", __doc__, SUBS))

def pack_tiles(layer) -> torch.Tensor:
    "The layer's cold codes and scales as one uint8 record per tile of 64 tokens: [B, G, N L / 64, REC]."
    kc, vc, vs = layer.key_coeffs, layer.value_codes, layer.value_scale
    B, G, N, L, RB = kc.shape
    assert RB == 8 and vc.shape[-1] == 64 and L % 64 == 0, "post-RoPE rank 16, head_dim 128, blocks of 64k tokens"
    T = N * L // 64
    return torch.cat([vc.reshape(B, G, T, 4096), kc.reshape(B, G, T, 512),
                      vs.contiguous().view(torch.uint8).reshape(B, G, T, 128)], -1).contiguous()

_plan = make_gluon_plan

def make_gluon_plan(query, layer, scaling, pad, borrowed=None, hot_chunk=128):
    "05b's plan; with GK_PACK its cold codes and scales point into one packed copy (kept by the plan)."
    plan = _plan(query, layer, scaling, pad, borrowed, hot_chunk)
    if not PACK: return plan
    assert layer.rope == "post" and borrowed is None
    p = pack_tiles(layer)
    ps = p.view(torch.bfloat16)
    names, a = _g_decode.arg_names, plan.args
    for name, t in (("KC", p), ("VC", p), ("VS", ps)):
        i = names.index(name)
        a[i:i + 3] = [t, t.stride(0), t.stride(1)]
    plan.packed = p
    return plan
