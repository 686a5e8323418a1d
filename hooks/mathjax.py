"""MkDocs hook: typesets every formula to SVG at build time with MathJax running in Node.

Pages ship finished SVG plus MathJax's assistive MathML, so the reader's browser runs no
math JavaScript. Glyph outlines are pooled into one hidden ``<svg>`` per page.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "hooks" / "mathjax.cjs"
CACHE = ROOT / ".cache" / "mathjax"
CSS_PATH = "assets/mathjax.css"

# arithmatex's `generic: true` output: \(...\) in a span, \[...\] in a div.
MATH = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\\\[(?P<display>.*?)\\\]</div>',
    re.DOTALL,
)
DEFS = re.compile(r"<defs>(.*?)</defs>", re.DOTALL)
PATH = re.compile(r'<path id="MJX-\d+-([^"]+)" d="([^"]*)"></path>')
HREF = re.compile(r'xlink:href="#MJX-\d+-')
# Per-node copies of the TeX and glyph codes that nothing reads without MathJax's own JavaScript;
# they were a fifth of a formula-heavy page. The whole TeX stays on <math data-latex>.
NOISE = re.compile(r' data-(?:latex|c|mjx-texclass)="[^"]*"')
LABEL = re.compile(r"\\label\{([^}]*)\}")
EQREF = re.compile(r"\\(eq)?ref\{([^}]*)\}")

Formulas = list[tuple[str, bool]]  # (TeX, display?)

_node: subprocess.Popen | None = None
_memory: dict[str, str] = {}


def _mathjax(request: dict) -> dict:
    """One request to the long-lived Node process, started on first use."""
    global _node
    if _node is None or _node.poll() is not None:
        _node = subprocess.Popen(
            ["node", str(SCRIPT)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        ready = _node.stdout.readline()
        if not ready:
            raise PluginError("MathJax (node hooks/mathjax.cjs) did not start; run `make install`")
    _node.stdin.write(json.dumps(request) + "\n")
    _node.stdin.flush()
    return json.loads(_node.stdout.readline())


def _key(tex: str, display: bool) -> str:
    blob = json.dumps([_script_hash(), tex, display])
    return hashlib.sha256(blob.encode()).hexdigest()


@functools.cache
def _script_hash() -> str:
    """Cached SVG is only as good as the MathJax that made it: key the cache on script and lock."""
    lock = ROOT / "package-lock.json"
    return hashlib.sha256(SCRIPT.read_bytes() + (lock.read_bytes() if lock.exists() else b"")).hexdigest()


def typeset(formulas: Formulas, where: str) -> list[str]:
    """Return one ``<mjx-container>`` per ``(tex, display)``, from the cache or from MathJax."""
    keys = [_key(t, d) for t, d in formulas]
    missing = []
    for key, formula in zip(keys, formulas, strict=True):
        if key not in _memory:
            cached = CACHE / f"{key}.html"
            if cached.exists():
                _memory[key] = cached.read_text(encoding="utf-8")
            else:
                missing.append((key, formula))
    if missing:
        results = _mathjax({"formulas": [f for _, f in missing]})["results"]
        CACHE.mkdir(parents=True, exist_ok=True)
        for (key, (tex, display)), result in zip(missing, results, strict=True):
            if "error" in result:
                kind = "display" if display else "inline"
                raise PluginError(f"{where}: MathJax rejected {kind} formula {tex!r}: {result['error']}")
            _memory[key] = result["html"]
            tmp = CACHE / f"{key}.{os.getpid()}.tmp"
            tmp.write_text(result["html"], encoding="utf-8")
            tmp.replace(CACHE / f"{key}.html")  # atomic, so concurrent builds never read half a file
    return [_memory[k] for k in keys]


def number_equations(formulas: Formulas, where: str) -> tuple[Formulas, list[str]]:
    r"""Number ``\label``s as ``\tag``s; link ``\eqref{name}`` as ``(n)`` and ``\ref{name}`` as ``n``.

    Numbering is done here rather than by MathJax so that each formula's TeX is complete on its
    own and the cache can key on it. Returns the new formulas and each formula's anchor id ("" if none).
    """
    numbers: dict[str, int] = {}
    anchors = []
    for tex, display in formulas:
        names = LABEL.findall(tex)
        if len(names) > 1 or (names and not display):
            raise PluginError(f"{where}: one \\label per display formula, got {names} in {tex!r}")
        for name in names:
            if name in numbers:
                raise PluginError(f"{where}: \\label{{{name}}} is defined twice")
            numbers[name] = len(numbers) + 1
        anchors.append(_anchor(names[0]) if names else "")

    def link(m: re.Match) -> str:
        eq, name = m.groups()
        if name not in numbers:
            raise PluginError(f"{where}: \\{eq or ''}ref{{{name}}} refers to no \\label on this page")
        number = f"({numbers[name]})" if eq else str(numbers[name])
        return rf"\href{{#{_anchor(name)}}}{{{number}}}"

    out = [(EQREF.sub(link, LABEL.sub(lambda m: rf"\tag{{{numbers[m[1]]}}}", t)), d) for t, d in formulas]
    return out, anchors


def _anchor(name: str) -> str:
    return "eq-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def on_page_content(content: str, page, **kwargs) -> str:
    matches = list(MATH.finditer(content))
    if not matches:
        return content
    formulas = [
        (html.unescape(m["inline"] if m["inline"] is not None else m["display"]), m["display"] is not None)
        for m in matches
    ]
    formulas, anchors = number_equations(formulas, page.file.src_uri)
    rendered = iter(zip(typeset(formulas, page.file.src_uri), anchors, formulas, strict=True))
    glyphs: dict[str, str] = {}

    def pool(m: re.Match) -> str:
        svg, anchor, (tex, display) = next(rendered)
        for defs in DEFS.findall(svg):
            glyphs.update(PATH.findall(defs))
        svg = HREF.sub('xlink:href="#MJX-', DEFS.sub("", NOISE.sub("", svg)))
        svg = svg.replace("<math ", f'<math data-latex="{html.escape(tex.strip())}" ', 1)
        # Search indexes the text a reader would type, not glyph outlines or MathML run together.
        svg = svg.replace("<svg ", "<svg data-search-exclude ", 1)
        if display:
            svg = svg.replace("<mjx-assistive-mml ", "<mjx-assistive-mml data-search-exclude ", 1)
        if anchor:
            svg = svg.replace("<mjx-container ", f'<mjx-container id="{anchor}" ', 1)
        return svg

    body = MATH.sub(pool, content)
    paths = "".join(f'<path id="MJX-{name}" d="{d}"></path>' for name, d in sorted(glyphs.items()))
    sprite = f'<svg class="mjx-glyphs" aria-hidden="true" style="display:none"><defs>{paths}</defs></svg>'
    return sprite + body


def on_post_build(config) -> None:
    out = Path(config["site_dir"]) / CSS_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_mathjax({"stylesheet": True})["css"], encoding="utf-8")


def on_shutdown() -> None:
    if _node is not None:
        _node.stdin.close()
        _node.wait(timeout=10)
