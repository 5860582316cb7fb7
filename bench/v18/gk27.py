"""Study module (session 14): gk26 (cold ranges weighted by launch generation) with gk24's %globaltimer stamps
(`plan.ts`, for bench/v17/stamps.py with GK=bench/v18/gk27.py)."""
import importlib.util, os, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(here), "v17"))
from derive import derive

def _subs(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3] + "_subs", path)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m.SUBS

SUBS = _subs(os.path.join(here, "gk26.py")) + _subs(os.path.join(os.path.dirname(here), "v17", "gk24.py"))
globals().update(derive("gk27", __doc__, SUBS))
