"""Study module (session 13): 05b (commit 052a1b1) with balanced programs: every program runs a cold range (the
first n_hot_splits also a hot chunk first, with fewer cold tiles for it), so that all programs are long and one
wave of them fills every scheduler alike; the ranges need not hold whole blocks. GK_HW: a hot chunk's weight in
cold tiles (default 10 at tiles of 64, 8 at 32)."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from derive import derive

SUBS = [
    ("qk_scale, G, H, N, n_sinks, n_hot, tiles_per_split, n_hot_splits, n_splits,",
     "qk_scale, G, H, N, n_sinks, n_hot, tps_a, tps_r, tps_w, n_hot_splits, n_splits,"),
    ("""    acc = gl.zeros([16, D], gl.float32, MMA)
    if split < n_hot_splits:""", """    acc = gl.zeros([16, D], gl.float32, MMA)
    row = b * H + g * HPG + orow
    ok = orow < HPG
    ocol = gl.arange(0, D, layout=COL)
    if split < n_hot_splits:"""),
    ("""    else:
        t_lo = (split - n_hot_splits) * tiles_per_split
        t_hi = gl.minimum(t_lo + tiles_per_split, N * (L // TILE))
""", """        _g_store(O_PART, LSE_PART, row, ok, n_splits, split, ocol, m_i, l_i, acc)
        m_i = gl.full([16], -1e30, gl.float32, ROW)
        l_i = gl.zeros([16], gl.float32, ROW)
    # this program's cold tiles: tps_a (+1 for the first tps_r programs, -tps_w for the first n_hot_splits)
    t_lo = split * tps_a + gl.minimum(split, tps_r) - tps_w * gl.minimum(split, n_hot_splits)
    t_hi = t_lo + tps_a + (split < tps_r).to(gl.int32) - tps_w * (split < n_hot_splits).to(gl.int32)
    acc = gl.zeros([16, D], gl.float32, MMA)
    if t_hi > t_lo:   # (a program can have none only where the hot chunks outnumber the cold tiles)
"""),
    ("""    # (column c of a cold accumulator holds channel 4 (c % 32) + c // 32; a hot one's channel c)
    ocol = gl.arange(0, D, layout=COL)
    chan = gl.where(split < n_hot_splits, ocol, 4 * (ocol % 32) + ocol // 32)
    row = b * H + g * HPG + orow
    ok = orow < HPG
""", """    # (column c of a cold accumulator holds channel 4 (c % 32) + c // 32)
    _g_store(O_PART, LSE_PART, row, ok, n_splits, n_hot_splits + split, 4 * (ocol % 32) + ocol // 32, m_i, l_i, acc)

@gluon.jit
def _g_store(O_PART, LSE_PART, row, ok, n_splits, slot, chan, m_i, l_i, acc):
    "One partial (a slot of the split partials): the normalised rows and their log-sum-exp."
"""),
    ("""    gl.store(O_PART + (row[:, None] * n_splits + split) * D + chan[None, :], acc / l_safe[:, None], mask=ok[:, None])
    gl.store(LSE_PART + row * n_splits + split, """,
     """    gl.store(O_PART + (row[:, None] * n_splits + slot) * acc.shape[1] + chan[None, :], acc / l_safe[:, None], mask=ok[:, None])
    gl.store(LSE_PART + row * n_splits + slot, """),
    ("""* _sm_count(dev) - B * G * n_hot_splits
    tps = _tiles_per_split(N * (L // tile), B * G, slots, L // tile)
    n_splits = n_hot_splits + -(-(N * (L // tile)) // tps)""", """* _sm_count(dev)
    n_tiles = N * (L // tile)
    P = max(n_hot_splits, min(slots // (B * G), n_tiles))   # cold programs per (b, g): one wave
    w = int(__import__("os").environ.get("GK_HW", 10 if tile == 64 else 8))
    # (a hot program's cold tiles, a - w, at least 1: w (P - h) <= n_tiles - P)
    w = 0 if P <= n_hot_splits else max(0, min(w, (n_tiles - P) // (P - n_hot_splits)))
    a, r = divmod(n_tiles + w * n_hot_splits, P)
    n_splits = n_hot_splits + P"""),
    ("                  tps, n_hot_splits, n_splits, D, H // G,", "                  a, r, w, n_hot_splits, n_splits, D, H // G,"),
    ("    return _Plan(dev, (B * G, n_splits), split_args,", "    return _Plan(dev, (B * G, P), split_args,"),
]

globals().update(derive("gk25", __doc__, SUBS))
