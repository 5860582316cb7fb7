"""Study module (session 16): 05b with programmatic dependent launch around the split kernel. GK_PDLS=1: the split
kernel is launched by PDL (`launch_pdl`) and waits (`griddepcontrol.wait`) at its top, before any memory access, so
its launch overlaps the end of the kernel before it (eager calls: the merge by PDL of the call before, or whatever
wrote the query). GK_TRIG=1: the split kernel triggers its dependents (`griddepcontrol.launch_dependents`) at its
start, so the merge's programs can be resident before the split grid ends (they still wait for its completion).
Unlike the package's merge by PDL, this module launches the split kernel the same way under graph capture too."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "v17"))
from derive import derive

PDLS, TRIG = os.environ.get("GK_PDLS", "0") == "1", os.environ.get("GK_TRIG", "0") == "1"
top = ("    _gdc_wait(pid)\n" if PDLS else "") + ("    _gdc_launch(pid)\n" if TRIG else "")
SUBS = [
    ("""    pid = gl.program_id(0)
    split = gl.program_id(1)
    b = (pid // G).to(gl.int64)""", f"""    pid = gl.program_id(0)
    split = gl.program_id(1)
{top}    b = (pid // G).to(gl.int64)"""),
    ("""@gluon.jit
def _g_store(""", """@gluon.jit
def _gdc_wait(x):
    return gl.inline_asm_elementwise("griddepcontrol.wait; // dummy $0", "=r,r", [x], dtype=gl.int32, is_pure=False, pack=1)

@gluon.jit
def _gdc_launch(x):
    return gl.inline_asm_elementwise("griddepcontrol.launch_dependents; // dummy $0", "=r,r", [x], dtype=gl.int32,
                                     is_pure=False, pack=1)

@gluon.jit
def _g_store("""),
    ("dict(num_warps=1, maxnreg=GLUON_MAXNREG), False, borrowed, kernel=_g_decode)",
     f"dict(num_warps=1, maxnreg=GLUON_MAXNREG{', launch_pdl=True' if PDLS else ''}), False, borrowed, kernel=_g_decode)"),
]
globals().update(derive(f"gk32_{int(PDLS)}{int(TRIG)}", __doc__, SUBS))
