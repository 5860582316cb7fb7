"""Study module (session 15): 05b with its merges (the plain one and the one by PDL) compiled for fewer warps when
the splits are few: GK_MW=rule gives max(1, min(8, NS_P * D // GK_PER)) warps (NS_P the splits rounded up to a
power of two), GK_MW=n a fixed n. Session 15's merge-warps A/B (13:37): 1 warp at 32K B=8 (24 splits) -0.5 µs
eagerly, 1 warp at 128K B=1 (173 splits) twice the time. The package ships the rule capped at 4 warps; this module's
substitution replaces that line, as 05b has it since commit deff13f (the 13:40 run applied it before the line existed)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

SUBS = [
    ("    plan.merge_warps = min(4, max(1, _p2(n_splits, 2) * D // 4096))\n",
     "    plan.merge_warps = max(1, min(8, _p2(n_splits, 2) * D // _PER)) if _MW == \"rule\" else int(_MW)\n"),
    ("def make_gluon_plan(", '''_MW = __import__("os").environ.get("GK_MW", "rule")
_PER = int(__import__("os").environ.get("GK_PER", 4096))

def make_gluon_plan('''),
]
globals().update(derive("gk31", __doc__, SUBS))
