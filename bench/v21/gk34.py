"""Study module (session 17): 05b with per-program stamps that name the warp scheduler each program ran on, and
balanced plans for post-RoPE keys.

Stamps (timing only; `plan.ts`, int64 [B G, programs, 8]): %globaltimer at the program's start, after its first cold
tile has landed, and before its stores; its %smid and %warpid (the scheduler, a sub-partition of the SM, is
%warpid % 4); its cold tiles (t_hi - t_lo, 0 if none) and whether it ran a hot chunk.
GK_BALPOST=0: whole-block splits for post-RoPE keys, as before session 17 (the balanced plan, `_balanced`: P =
slots // (B G) programs a (b, g), ranges of equal weight not rounded to blocks, the hot programs `w` tiles fewer, is
the package's for both keys since; at 16:10-16:17 this switch turned it on for post-RoPE keys, GK_BALPOST=1).
GK_HW=n: GLUON_HOT_WEIGHT_POST (a hot chunk counted as n cold tiles of 64; at 16:10-16:17 GLUON_HOT_WEIGHT, which
the post-RoPE plan then used).
GK_BT=n: GLUON_BALANCE_TILES (balanced programs from n cold tiles a program up).
GK_STAMP=0: no stamps (for timing the plans alone).
GK_ALL=1 (with a balanced plan): every resident slot a program: the first E = slots - B G P (b, g) get P + 1
programs, the others P (grid (B G, P + 1), the last E's spare programs empty: they store a -inf partial), each
(b, g)'s ranges of equal weight over its own count.
GK_NOMERGE=1: no merge launched (timing only: the output is not written)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive, first_tile_stamps

BALPOST = os.environ.get("GK_BALPOST", "1") == "1"
HW = int(os.environ.get("GK_HW", "11"))
STAMP = os.environ.get("GK_STAMP", "1") == "1"
ALL = os.environ.get("GK_ALL", "0") == "1"
NOMERGE = os.environ.get("GK_NOMERGE", "0") == "1"
BT = int(os.environ.get("GK_BT", "16"))

SUBS = [
    ("GLUON_BALANCE_TILES = 16 ", f"GLUON_BALANCE_TILES = {BT} "),
    ("GLUON_HOT_WEIGHT_POST = 11 ", f"GLUON_HOT_WEIGHT_POST = {HW} "),
    ('GLUON_HOT_WEIGHT if layer.rope == "pre" else GLUON_HOT_WEIGHT_POST)\n',
     f'GLUON_HOT_WEIGHT if layer.rope == "pre" else GLUON_HOT_WEIGHT_POST)\n    bal = bal if (layer.rope == "pre" or {BALPOST}) else None\n'),
]
if NOMERGE: SUBS += [("GLUON_MAXNREG), False, borrowed, kernel=_g_decode)", "GLUON_MAXNREG), True, borrowed, kernel=_g_decode)")]
if ALL: SUBS += [
    ("tiles_per_split, tps_r, tps_w, n_hot_splits, n_splits,\n", "tiles_per_split, tps_r, tps_w, tps_x, n_hot_splits, n_splits,\n"),
    ("""        t_lo = split * tiles_per_split + gl.minimum(split, tps_r) - tps_w * gl.minimum(split, n_hot_splits)
        t_hi = t_lo + tiles_per_split + (split < tps_r).to(gl.int32) - tps_w * (split < n_hot_splits).to(gl.int32)
""", """        p_bg = gl.num_programs(1) - (pid >= tps_x).to(gl.int32)   # this (b, g)'s programs
        w_bg = N * (L // TILE) + tps_w * n_hot_splits
        a_bg = w_bg // p_bg
        r_bg = w_bg % p_bg
        t_lo = split * a_bg + gl.minimum(split, r_bg) - tps_w * gl.minimum(split, n_hot_splits)
        t_hi = t_lo + a_bg + (split < r_bg).to(gl.int32) - tps_w * (split < n_hot_splits).to(gl.int32)
        t_hi = gl.where(split < p_bg, t_hi, t_lo)
"""),
    ("""        n_splits = n_hot_splits + n_progs
""", """        n_splits = n_hot_splits + n_progs
        extra = slots - B * G * n_progs
        if extra > 0: n_progs, n_splits = n_progs + 1, n_splits + 1
        tps_x = extra if extra > 0 else B * G
"""),
    ("        tps, tps_r, tps_w = _tiles_per_split(", "        tps_x = B * G\n        tps, tps_r, tps_w = _tiles_per_split("),
    ("tps, tps_r, tps_w, n_hot_splits, n_splits, D, H // G", "tps, tps_r, tps_w, tps_x, n_hot_splits, n_splits, D, H // G"),
]
if STAMP: SUBS += first_tile_stamps('''
@gluon.jit
def _greg(x, R: gl.constexpr):
    return gl.inline_asm_elementwise("mov.u32 $0, " + R + ";", "=r,r", [x], dtype=gl.int32, is_pure=False, pack=1)
''') + [
    ("RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr, BAL: gl.constexpr):\n    \"Pass 1",
     "RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr, BAL: gl.constexpr, TS):\n    \"Pass 1"),
    ("""    ocol = gl.arange(0, D, layout=COL)
""", """    t_end = _gtime(pid)
    tsb = TS + (pid * gl.num_programs(1) + split) * 8
    gl.store(tsb, t_start)
    gl.store(tsb + 1, t_first)
    gl.store(tsb + 2, t_end)
    gl.store(tsb + 3, _greg(pid, "%smid").to(gl.int64))
    gl.store(tsb + 4, _greg(pid, "%warpid").to(gl.int64))
    gl.store(tsb + 5, gl.where(go, t_hi - t_lo, 0).to(gl.int64))
    gl.store(tsb + 6, (split < n_hot_splits).to(gl.int64))
    ocol = gl.arange(0, D, layout=COL)
"""),
    ("""    o_part = _scratch(dev, B * H * n_splits * D, "o", torch.float16)""",
     """    o_part = _scratch(dev, B * H * n_splits * D, "o", torch.float16)
    ts = torch.zeros(B * G, n_progs, 8, dtype=torch.int64, device=dev)"""),
    ("*rope_args, RK, RP, RK != 16, bal is not None)", "*rope_args, RK, RP, RK != 16, bal is not None, ts)"),
    ("    plan.balanced = bal is not None\n", "    plan.balanced = bal is not None\n    plan.ts, plan.n_hot_splits = ts, n_hot_splits\n"),
]

globals().update(derive(f"gk34_{int(BALPOST)}_{HW}_{BT}_{int(STAMP)}{int(ALL)}{int(NOMERGE)}", __doc__, SUBS))
