"""Render README.md from nbs/index.ipynb without Quarto (which `nbdev-readme` needs).

Markdown cells are copied, code cells become fenced blocks followed by their text outputs; cells marked `#| hide`
are left out, directives are stripped, and relative image links are re-rooted at nbs/.
usage: python tools/make_readme.py [--check]   (--check: exit 1 if README.md is out of date)
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_DIRECTIVE = re.compile(r"^\s*#\|.*\n?", re.M)
_IMG = re.compile(r"(!\[[^\]]*\]\()(?!https?://|/)([^)]+\))")

def _src(cell): return "".join(cell["source"])

def _outputs(cell):
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream": out.append("".join(o["text"]))
        elif "data" in o:
            d = o["data"]
            if "text/markdown" in d: out.append("\n" + "".join(d["text/markdown"]) + "\n")
            elif "text/plain" in d: out.append("".join(d["text/plain"]))
    return out

def render(nb_path=ROOT / "nbs" / "index.ipynb") -> str:
    nb = json.loads(Path(nb_path).read_text())
    parts = ["<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n"]
    for cell in nb["cells"]:
        src = _src(cell)
        if re.search(r"^\s*#\|\s*(hide|include:\s*false)\s*$", src, re.M): continue
        if cell["cell_type"] == "markdown":
            parts.append(_IMG.sub(lambda m: m[1] + "nbs/" + m[2], src).strip() + "\n")
        elif cell["cell_type"] == "code":
            code = _DIRECTIVE.sub("", src).strip()
            if code and not re.search(r"^\s*#\|\s*echo:\s*false\s*$", src, re.M): parts.append(f"```python\n{code}\n```\n")
            for text in _outputs(cell):
                md = text.startswith("\n")
                parts.append(text.strip() + "\n" if md else f"```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)

if __name__ == "__main__":
    readme = ROOT / "README.md"; txt = render()
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text() != txt:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`")
    else: readme.write_text(txt)
