"""MkDocs hook: renders notebooks in every language and makes them look like the other pages.

mkdocs-static-i18n rebuilds the file list after other plugins (ultrabug/mkdocs-static-i18n#198),
which drops mkdocs-jupyter's notebook wrapper, so notebooks would be copied as raw JSON. This
re-wraps them after i18n, keeping the per-language URL i18n chose.

mkdocs-jupyter then emits, around each notebook, about 600 KiB of JupyterLab CSS, a dead MathJax 2
config, a Mermaid loader and a clipboard script, and it leaves Markdown-cell math as raw ``$...$``.
``on_page_content`` (which must run before ``hooks/mathjax.py``) drops all of that, rewrites the math
into arithmatex's markup so that it is typeset at build time like every other page, turns code cells
into Material's code-block markup (its colours in both schemes, its copy button) and fails the build
on a cell that raised or wrote to stderr, since mkdocs-jupyter runs with ``allow_errors``.
Layout is in ``docs/assets/notebook.css``.

Figures are shown as SVG ``<img>`` elements; each takes its alt text from the SVG's title (matplotlib's
``savefig(..., metadata={"Title": ...})``), and an image without one fails the build.

mkdocs-jupyter caches executed notebooks keyed on the notebook alone, but their outputs come from
``derivations``, so the cache folder is keyed on that package's source too, and on the versions of
matplotlib (the plots) and torch (the training notebook's check, skipped where torch is missing).
A notebook that fails is dropped from the cache, so that fixing the machine is enough to fix the build.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs_jupyter.plugin import NotebookFile, _compute_cache_key

WRAPPER_START = '<div class="jupyter-wrapper">'
WRAPPER_END = "<!-- jupyter-wrapper -->"

# What mkdocs-jupyter puts before the notebook; anything else there fails the build, so that a new
# mkdocs-jupyter cannot slip more page weight in unnoticed.
HEAD_JUNK = re.compile(
    r"<style\b[^>]*>.*?</style>"  # JupyterLab, Pygments and Mermaid CSS
    r"|<script\b[^>]*>.*?</script>"  # clipboard element, MathJax 2 loader and config, Mermaid, require.js
    r"|<!--.*?-->",
    re.DOTALL,
)
# After it: the Pygments CSS once more, as the repr of a Python list.
TAIL_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)

CLIPBOARD = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>\s*'
    r'|<div class="clipboard-copy-txt" id="cell-\d+">[^<]*</div>\s*',
    re.DOTALL,
)
CODE = re.compile(r'<div class="highlight-ipynb hl-([\w+-]+)[^"]*"><pre>(?:<span></span>)?(.*?)</pre></div>',
                  re.DOTALL)
EMPTY_ID_HEADING = re.compile(r'(<h[1-6]) id=""(>(?:(?!</h[1-6]>).)*?)<a class="anchor-link" href="#">¶</a>',
                              re.DOTALL)
CELL_ID = re.compile(r'id="cell-id=([\w-]+)"')
STDERR = re.compile(r'<div class="[^"]*" data-mime-type="application/vnd\.jupyter\.stderr"[^>]*>(.*?)</div>',
                    re.DOTALL)

MARKDOWN_CELL = re.compile(r'<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>')
DIV = re.compile(r"<(/?)div\b[^>]*>")
TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w-]*)\b[^>]*>", re.DOTALL)
# nbconvert's Markdown renderer passes math through as $...$ / $$...$$ with the TeX HTML-escaped.
DISPLAY = re.compile(r"<p>\s*\$\$([^$<]+)\$\$\s*</p>")
INLINE = re.compile(r"\$([^$]+)\$")
LITERAL = frozenset({"code", "pre", "script", "style"})
IMAGE = re.compile(r"<img\b[^>]*>")
SVG_SOURCE = re.compile(r'\bsrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]*)"')
SVG_TITLE = re.compile(r"<dc:title>(.*?)</dc:title>", re.DOTALL)
ALT = re.compile(r'\s*\balt="[^"]*"')
# What nbconvert writes into an image without alt text: no description, and English on every page.
NO_ALT = 'alt="No description has been provided for this image"'
# Installed packages the notebooks' output depends on besides derivations.
ENVIRONMENT = ("matplotlib", "torch")


DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"
_cache_root: list[str] = []


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not _cache_root:
        jupyter = config.plugins["mkdocs-jupyter"].config
        source = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(DERIVATIONS.rglob("*.py"))))
        source.update(_versions().encode())
        _cache_root.append(f"{jupyter['cache_dir']}/{source.hexdigest()[:16]}")
    return config


def _versions() -> str:
    found = []
    for name in ENVIRONMENT:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return "\n".join(found)


@event_priority(-200)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    jupyter = config.plugins["mkdocs-jupyter"]
    # One folder per language: mkdocs-jupyter evicts every cache entry its build did not use.
    jupyter.config["cache_dir"] = f"{_cache_root[0]}/{config.plugins['i18n'].current_language}"
    for f in [f for f in files if jupyter.should_include(f) and not isinstance(f, NotebookFile)]:
        nb = NotebookFile(f, **config)
        nb.dest_path, nb.abs_dest_path, nb.url = f.dest_path, f.abs_dest_path, f.url
        files.remove(f)
        files.append(nb)
    return files


def on_page_content(content: str, page: Page, **kwargs) -> str:
    if not isinstance(page.file, NotebookFile):
        return content
    where = page.file.src_uri
    start, end = content.find(WRAPPER_START), content.find(WRAPPER_END)
    if start < 0 or end < 0:
        raise PluginError(f"{where}: mkdocs-jupyter output has no {WRAPPER_START!r} ... {WRAPPER_END!r}")
    head = HEAD_JUNK.sub("", content[:start]).strip()
    if head:
        raise PluginError(f"{where}: unexpected mkdocs-jupyter output before the notebook: {head[:200]!r}")
    body = content[start:end + len(WRAPPER_END)]
    tail = TAIL_STYLE.sub("", content[end + len(WRAPPER_END):])

    try:
        _fail_on_stderr(body, where)
    except PluginError:
        _forget(page, kwargs.get("config"))
        raise
    body = CLIPBOARD.sub("", body)
    body = CODE.sub(r'<div class="language-\1 highlight"><pre><code>\2</code></pre></div>', body)
    # nbconvert slugifies Chinese headings to nothing; give them the ids the page's table of contents
    # (and Material's skip link) already point at.
    missing = iter([a for a in _toc_ids(page.toc) if f'id="{a}"' not in body])

    def name(m: re.Match) -> str:
        anchor = next(missing)
        return f'{m[1]} id="{anchor}"{m[2]}<a class="anchor-link" href="#{anchor}">¶</a>'

    body = EMPTY_ID_HEADING.sub(name, body)
    body = body.replace('<a class="anchor-link"', '<a class="headerlink"')
    # Material names each code block after the nearest id; "cell-id=..." would make its copy button's
    # target an invalid CSS selector.
    body = CELL_ID.sub(r'id="cell-\1"', body)
    body = _image_alt(body, where)
    return _markdown_math(body, where) + tail


def _toc_ids(items) -> list[str]:
    return [a for item in items for a in (item.id, *_toc_ids(item.children))]


def _fail_on_stderr(body: str, where: str) -> None:
    m = STDERR.search(body)
    if m:
        text = html.unescape(re.sub(r"<[^>]+>", "", m[1])).strip()
        raise PluginError(f"{where}: a notebook cell raised or wrote to stderr:\n{text[-2000:]}")


def _forget(page: Page, config: MkDocsConfig | None) -> None:
    """Drop a failed run from mkdocs-jupyter's cache: the failure may come from the machine (a missing
    font or package) and the cache key cannot see it being fixed, so the next build runs it again."""
    if config is None:
        return
    jupyter = config.plugins["mkdocs-jupyter"].config
    key = _compute_cache_key(page.file.abs_src_path, jupyter, jupyter["execute"])
    Path(jupyter["cache_dir"], f"{key}.json").unlink(missing_ok=True)


def _image_alt(body: str, where: str) -> str:
    """Each SVG figure's title as its alt text; any image left without one fails the build."""

    def alt(m: re.Match) -> str:
        img, svg = m[0], SVG_SOURCE.search(m[0])
        if svg is None:
            if ALT.search(img) and NO_ALT not in img:
                return img
            raise PluginError(f"{where}: a notebook image has no alt text (show figures as SVG with a "
                              f"title): {img[:80]}")
        title = SVG_TITLE.search(base64.b64decode(svg[1]).decode("utf-8"))
        if not title or not title[1].strip():
            raise PluginError(f"{where}: a notebook figure has no title for its alt text; save it with "
                              "savefig(..., metadata={'Title': 'what it shows'})")
        text = html.escape(html.unescape(title[1].strip()))
        return ALT.sub("", img).replace("<img", f'<img alt="{text}"', 1)

    return IMAGE.sub(alt, body)


def _markdown_math(body: str, where: str) -> str:
    out, pos = [], 0
    for m in MARKDOWN_CELL.finditer(body):
        if m.start() < pos:
            continue  # nested in the previous cell
        inner_end = _closing_div(body, m.end(), where)
        out += [body[pos:m.end()], _cell_math(body[m.end():inner_end], where)]
        pos = inner_end
    out.append(body[pos:])
    return "".join(out)


def _closing_div(body: str, pos: int, where: str) -> int:
    """Offset of the ``</div>`` closing the div whose content starts at ``pos``."""
    depth = 1
    for m in DIV.finditer(body, pos):
        depth += -1 if m[1] else 1
        if depth == 0:
            return m.start()
    raise PluginError(f"{where}: unclosed Markdown cell in mkdocs-jupyter output")


def _cell_math(cell: str, where: str) -> str:
    cell = DISPLAY.sub(lambda m: f'<div class="arithmatex">\\[{_tex(m[1])}\\]</div>', cell)
    out, pos, literal = [], 0, 0
    for m in TAG.finditer(cell):
        out += [cell[pos:m.start()] if literal else _inline_math(cell[pos:m.start()], where), m[0]]
        if m[2] and m[2].lower() in LITERAL:
            literal = max(0, literal + (-1 if m[1] else 1))
        pos = m.end()
    out.append(_inline_math(cell[pos:], where))
    return "".join(out)


def _inline_math(text: str, where: str) -> str:
    if "$$" in text:
        raise PluginError(f"{where}: display math $$...$$ must be a paragraph of its own, "
                          f"in a Markdown cell near {_near(text, '$$')!r}")
    text = INLINE.sub(lambda m: f'<span class="arithmatex">\\({_tex(m[1])}\\)</span>', text)
    if "$" in text:
        raise PluginError(f"{where}: unmatched $ in a Markdown cell near {_near(text, '$')!r} "
                          f"(write a literal dollar as &#36;)")
    return text


def _tex(escaped: str) -> str:
    """The TeX nbconvert escaped, escaped again the way arithmatex does, for ``hooks/mathjax.py``."""
    return html.escape(html.unescape(escaped.strip()))


def _near(text: str, needle: str) -> str:
    i = text.index(needle)
    return html.unescape(text[max(0, i - 40):i + 40])
