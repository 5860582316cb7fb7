"""Study module (session 15): 05b (merge by PDL on eager calls, fp16 partials) with the PDL merge compiled for
GK_NW warps a program (4 in the package of the 13:37 run). Only eager calls use that merge; graph replays keep
the plain one (since commit deff13f in the package's warps by split count).
Its substitutions apply to 05b as of session 15's PDL commit."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

SUBS = [
    ("    plan = _Plan(dev, (B * G, n_progs),", "    plan = _PlanNW(dev, (B * G, n_progs),"),
    ("def make_gluon_plan(", '''from unsloth_spectral.triton_attention import _merge_splits
_NW = int(__import__("os").environ.get("GK_NW", 4))

class _PlanNW(_Plan):
    def _merge_pdl(self, m):
        if torch.cuda.is_current_stream_capturing(): return None
        return _merge_splits[self.merge_grid](*m[:-1], PDL=True, num_warps=_NW, launch_pdl=True)

def make_gluon_plan('''),
]
globals().update(derive("gk30", __doc__, SUBS))
