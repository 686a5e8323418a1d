"""MkDocs hook: replaces ``{{ topic.quantity }}`` lines with that topic's worked-example math.

A hook rather than markdown-exec: pages may only name quantities, never run code, and the
TeX it emits goes through the same build-time typesetting as every other formula.
"""

from __future__ import annotations

import html
import importlib
import re

from mkdocs.exceptions import PluginError

from derivations import tex

PLACEHOLDER = re.compile(r"^\{\{\s*(\w+)\.(\w+)\s*\}\}[ \t]*$", re.MULTILINE)
_examples: dict = {}  # one worked example per topic and process, shared by both languages


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    def expand(m: re.Match) -> str:
        topic, name = m.groups()
        example = _example(topic, page)
        if name not in example.quantities:
            raise PluginError(f"{page.file.src_uri}: {topic} has no quantity {name!r}; "
                              f"it has {', '.join(example.quantities)}")
        q = example.quantities[name]
        entry = f' data-entry="{q.entry[0]},{q.entry[1]}"' if q.entry else ""
        return (f'<div class="worked" data-example="{topic}" data-quantity="{name}"{entry}>'
                f'<div class="arithmatex">\\[{html.escape(tex.shown(q))}\\]</div></div>')

    return PLACEHOLDER.sub(expand, markdown)


def _example(topic: str, page):
    if topic not in _examples:
        try:
            module = importlib.import_module(f"derivations.{topic}")
        except ModuleNotFoundError:
            raise PluginError(f"{page.file.src_uri}: no topic derivations.{topic}") from None
        _examples[topic] = module.worked_example()
    return _examples[topic]
