"""Study modules written as edits of the package's Gluon module (session 13): the shipped source with a few
substitutions, each found exactly once, saved to a file of its own (Gluon reads a kernel's source from its file) and
loaded. A substitution that no longer finds its text fails by name, instead of a stale copy running."""
import hashlib, importlib.util, tempfile
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "unsloth_spectral" / "gluon_attention.py"

def derived_source(doc: str, subs) -> str:
    "The package module's source with `doc` before its docstring and each (old, new) of `subs` applied once."
    src = PKG.read_text().replace("from .triton_attention import", "from unsloth_spectral.triton_attention import", 1)
    src = f'"""{doc}\n' + src[3:]
    for old, new in subs:
        n = src.count(old)
        assert n == 1, f"{old[:70]!r} stands {n} times in {PKG} (once expected)"
        src = src.replace(old, new)
    return src

def derive(name: str, doc: str, subs) -> dict:
    "The namespace of the study module `name` (`derived_source`), loaded from a file keyed by its text."
    src = derived_source(doc, subs)
    path = Path(tempfile.gettempdir()) / "unsloth_spectral_study" / f"{name}_{hashlib.sha1(src.encode()).hexdigest()[:12]}.py"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(src)
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return {k: v for k, v in vars(m).items() if not k.startswith("__")}

def first_tile_stamps(defs: str = "") -> list:
    "Substitutions that stamp a program (session 13, again in session 17): `_g_decode` takes %globaltimer at its start (`t_start`), `_g_cold` when its first tile has landed and returns it as a fourth value (`t_first`); `defs` (more @gluon.jit helpers) follow `_gtime`. The stamps' stores are the module's own."
    return [
        ("""    for t in range(t_lo, t_hi):
        i = t - t_lo""", """    t_first = _gtime(t_lo)
    for t in range(t_lo, t_hi):
        i = t - t_lo"""),
        ("""        async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        _barrier()""", """        async_copy.wait_group(NS - 2)   # tile t (and a basis sent with an older tile) has landed
        _barrier()
        if t == t_lo: t_first = _gtime(t)"""),
        ("""    return gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc
""", """    return gl.convert_layout(_rows16v(m_i, HALF), ROW), gl.convert_layout(_rows16v(l_i, HALF), ROW), acc, t_first

@gluon.jit
def _gtime(x):
    return gl.inline_asm_elementwise("mov.u64 $0, %globaltimer;", "=l,r", [x], dtype=gl.int64, is_pure=False, pack=1)
""" + defs),
        ("""    split = gl.program_id(1)
    b = (pid // G)""", """    split = gl.program_id(1)
    t_start = _gtime(pid)
    t_first = t_start
    b = (pid // G)"""),
        ("        m_i, l_i, acc = _g_cold(", "        m_i, l_i, acc, t_first = _g_cold("),
    ]
