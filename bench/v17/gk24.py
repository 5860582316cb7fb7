"""Study module (session 13): 05b (commit 052a1b1) with %globaltimer stamps per program (timing only): its start, the
end of its first tile's wait (cold programs), before its stores, and its multiprocessor (%smid), into a tensor the plan carries (`plan.ts`,
int64 [B G, n_splits, 4])."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from derive import derive, first_tile_stamps

SUBS = first_tile_stamps() + [
    ("RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr):\n    \"Pass 1",
     "RK: gl.constexpr, RP: gl.constexpr, KG: gl.constexpr, TS):\n    \"Pass 1"),
    ("""    ocol = gl.arange(0, D, layout=COL)
    chan =""", """    t_end = _gtime(pid)
    tsb = TS + (pid * n_splits + split) * 4
    gl.store(tsb, t_start)
    gl.store(tsb + 1, t_first)
    gl.store(tsb + 2, t_end)
    gl.store(tsb + 3, gl.inline_asm_elementwise("mov.u32 $0, %smid;", "=r,r", [pid], dtype=gl.int32, is_pure=False, pack=1).to(gl.int64))
    ocol = gl.arange(0, D, layout=COL)
    chan ="""),
    ("""    o_part = _scratch(dev, B * H * n_splits * D, "o")""", """    o_part = _scratch(dev, B * H * n_splits * D, "o")
    ts = torch.zeros(B * G, n_splits, 4, dtype=torch.int64, device=dev)"""),
    ("*rope_args, RK, RP, RK != 16)", "*rope_args, RK, RP, RK != 16, ts)"),
    ("""    return _Plan(dev, (B * G, n_splits), split_args, (B * H,), merge_args, (B, H, 1, D),
                 dict(num_warps=1, maxnreg=GLUON_MAXNREG), False, borrowed, kernel=_g_decode)""",
     """    plan = _Plan(dev, (B * G, n_splits), split_args, (B * H,), merge_args, (B, H, 1, D),
                 dict(num_warps=1, maxnreg=GLUON_MAXNREG), False, borrowed, kernel=_g_decode)
    plan.ts, plan.n_hot_splits = ts, n_hot_splits
    return plan"""),
]

globals().update(derive("gk24", __doc__, SUBS))
