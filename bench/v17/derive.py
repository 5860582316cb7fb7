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
