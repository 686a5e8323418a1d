"""MkDocs hook: keeps TeX source out of the search index.

Formulas are already indexed as text (hooks/mathjax.py); TeX quoted in ```latex blocks, as on the
errata page, would only put fragments like \\frac into the index, so those blocks are excluded.
"""

from __future__ import annotations

LATEX_BLOCK = '<div class="language-latex highlight">'


def on_page_content(content: str, **kwargs) -> str:
    return content.replace(LATEX_BLOCK, LATEX_BLOCK[:-1] + " data-search-exclude>")
