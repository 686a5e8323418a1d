"""MkDocs hook: replaces ``{{ topic.quantity }}`` lines with that topic's worked-example math.

A hook rather than markdown-exec: pages may only name quantities, never run code, and the
TeX it emits goes through the same build-time typesetting as every other formula.

Each expansion is a ``div.worked`` that names its topic, quantity, the kind of number it shows
(``derivations.values``) and, for a single gradient entry, that entry, so that
``derivations.verify`` knows what to read. A placeholder that is not alone on its line, or is
misspelt, would ship verbatim; any ``{{`` or ``{ topic.name }`` left in a built page
fails the build. Under ``mkdocs serve`` the package is watched, and an edit to it is picked up
on the next rebuild.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

PACKAGE = Path(__file__).resolve().parent.parent / "derivations"
# {{ topic.quantity }} for the page's example, {{ topic@n.quantity }} for exercise n.
PLACEHOLDER = re.compile(r"^\{\{\s*(\w+)(?:@(\d+))?\.(\w+)\s*\}\}[ \t]*$", re.MULTILINE)
# Places where braces belong in a built page: scripts (Material's JSON config) and the TeX source on <math>.
ALLOWED_BRACES = re.compile(r"<script\b.*?</script>|\sdata-latex=\"[^\"]*\"", re.DOTALL)
LEFTOVER = re.compile(r"\{\{|\{\s*[a-z_]+(?:@\d+)?\.\w+\s*\}")
_examples: dict = {}  # per topic and exercise, shared by both languages, until the package changes
_source: list[str] = []


def on_serve(server, config, builder) -> None:
    server.watch(str(PACKAGE))


def on_pre_build(config) -> None:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(PACKAGE.rglob("*.py")))).hexdigest()
    if _source != [digest]:
        _source[:] = [digest]
        _examples.clear()
        for name in [m for m in sys.modules if m == "derivations" or m.startswith("derivations.")]:
            del sys.modules[name]


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    def expand(m: re.Match) -> str:
        topic, exercise, name = m.groups()
        example = _example(topic, int(exercise or 0), page)
        if name not in example.quantities:
            raise PluginError(f"{page.file.src_uri}: {topic} has no quantity {name!r}; "
                              f"it has {', '.join(example.quantities)}")
        return _block(topic, exercise, name, example.quantities[name])

    return PLACEHOLDER.sub(expand, markdown)


def on_post_page(output: str, page, **kwargs) -> str:
    leftover = LEFTOVER.search(ALLOWED_BRACES.sub("", output))
    if leftover:
        raise PluginError(f"{page.file.src_uri}: {leftover.group()!r} is left in the built page; a "
                          "worked-example placeholder must be alone on its line as {{ topic.quantity }}")
    return output


def _block(topic: str, exercise: str | None, name: str, q) -> str:
    from derivations import tex, values

    attrs = {"data-example": topic, "data-quantity": name, "data-kind": values.kind(q.value)}
    if exercise:
        attrs["data-exercise"] = exercise
    if values.places(q.value) is not None:
        attrs["data-places"] = str(values.places(q.value))
    if q.entry:
        attrs["data-entry"] = ",".join(map(str, q.entry))
    attributes = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return (f'<div class="worked"{attributes}>'
            f'<div class="arithmatex">\\[{html.escape(tex.shown(q))}\\]</div></div>')


def _example(topic: str, exercise: int, page):
    if (topic, exercise) not in _examples:
        from derivations import exercises
        from derivations.topics import topic as module

        try:
            _examples[topic, exercise] = (exercises.example(topic, exercise) if exercise
                                          else module(topic).worked_example())
        except ValueError as err:
            raise PluginError(f"{page.file.src_uri}: {err}") from None
    return _examples[topic, exercise]
