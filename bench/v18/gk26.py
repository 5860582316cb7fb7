"""Study module (session 14): 05b with cold ranges weighted by where a program lands. The launch order is the grid's
linear order (b g fastest), and one wave of one-warp programs is dealt out to the multiprocessors in turn, so a
program's launch rank on its multiprocessor is about linear id // SMs, and its generation (rank // 4: one warp a
scheduler per generation) decides how fast it runs (session 13's stamps: the last generation ends ~5% later).
Each cold split gets tiles in proportion to 1 / (1 + GK_A * generation) (GK_B: more for programs that share a
scheduler with a hot program), from a table of starts [B G, n_cold + 1]. GK_FILL=1: as many cold programs as the
wave has slots (else the shipped count); GK_ALIGN=1: boundaries on whole blocks.
Its substitutions apply to 05b as of commit 0b07edf (before the balanced programs shipped)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

SUBS = [
    ("qk_scale, G, H, N, n_sinks, n_hot, tiles_per_split, n_hot_splits, n_splits,",
     "qk_scale, G, H, N, n_sinks, n_hot, START, n_hot_splits, n_splits,"),
    ("""        t_lo = (split - n_hot_splits) * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * (L // TILE))
""", """        sb = START + pid * (n_splits - n_hot_splits + 1) + split - n_hot_splits
        t_lo = gl.load(sb)
        t_hi = gl.load(sb + 1)
"""),
    ("""    tps = _tiles_per_split(N * (L // tile), B * G, slots, L // tile)
    n_splits = n_hot_splits + -(-(N * (L // tile)) // tps)""",
     """    tps = _tiles_per_split(N * (L // tile), B * G, slots, L // tile)
    n_t = N * (L // tile)
    n_cold = max(1, min(n_t, slots // (B * G))) if _FILL else -(-n_t // tps)
    start = _starts(n_t, L // tile, B * G, n_hot_splits, n_cold, _sm_count(dev)).to(dev)
    n_splits = n_hot_splits + n_cold"""),
    ("                  tps, n_hot_splits, n_splits, D, H // G,", "                  start, n_hot_splits, n_splits, D, H // G,"),
    ("""def make_gluon_plan(""", """_E = __import__("os").environ
_A, _B = float(_E.get("GK_A", 0.05)), float(_E.get("GK_B", 0.0))
_FILL, _ALIGN = int(_E.get("GK_FILL", 1)), int(_E.get("GK_ALIGN", 0))

def _starts(n_t: int, tpb: int, BG: int, h: int, n_cold: int, nsm: int) -> torch.Tensor:
    "First tile of each cold split of each (b, g), int32 [BG, n_cold + 1] (the last column n_t), by launch weights."
    aligned = _ALIGN and n_cold <= n_t // tpb
    n_u = n_t // tpb if aligned else n_t
    lin = (h + torch.arange(n_cold))[None, :] * BG + torch.arange(BG)[:, None]   # launch order
    rank = lin // nsm
    w = 1.0 / (1.0 + _A * (rank // 4).double())
    if _B and h:
        hl = torch.arange(h * BG)
        hot = torch.zeros(nsm, 4, dtype=torch.bool)
        hot[hl % nsm, (hl // nsm) % 4] = True
        w = w * (1.0 + _B * hot[lin % nsm, rank % 4].double())
    c = torch.cumsum(w, 1)
    st = torch.cat([torch.zeros(BG, 1, dtype=torch.float64), c / c[:, -1:] * n_u], 1).round().long()
    i = torch.arange(n_cold + 1)
    st = torch.cummax(st - i, 1).values + i                      # at least one unit each
    st = torch.minimum(st, n_u - n_cold + i)
    st[:, 0], st[:, -1] = 0, n_u
    return (st * (tpb if aligned else 1)).to(torch.int32).contiguous()

def make_gluon_plan("""),
]
if __name__ != "__main__":
    globals().update(derive("gk26", __doc__, SUBS))
