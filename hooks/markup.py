"""MkDocs hook: small repairs to the markup that Material and the Markdown extensions generate.

- TeX quoted in ```latex blocks (the errata page) stays out of the search index: formulas are indexed
  as text already, and fragments like \\frac help no search.
- Code blocks that scroll sideways get ``tabindex="0"`` so that keyboard users can scroll them.
- Material's search dialog and tag list get accessible names (axe: aria-dialog-name, landmark-unique).
- Heading permalinks are titled in the page's language.
"""

from __future__ import annotations

LATEX_BLOCK = '<div class="language-latex highlight">'
CODE = "<pre><span></span><code>"
NAMES = {"zh": {"search": "搜索", "tags": "标签", "permalink": "本节链接"},
         "en": {"search": "Search", "tags": "Tags", "permalink": "Permanent link"}}
PERMALINK = 'title="Permanent link"'  # the toc extension's title, the same for every language
SEARCH = '<div class="md-search" data-md-component="search" role="dialog"'
TAGS = '<nav class="md-tags"'


def on_page_content(content: str, **kwargs) -> str:
    content = content.replace(LATEX_BLOCK, LATEX_BLOCK[:-1] + " data-search-exclude>")
    return content.replace(CODE, '<pre><span></span><code tabindex="0">')


def on_post_page(output: str, page, config) -> str:
    names = NAMES[config.theme["language"]]
    output = output.replace(SEARCH, f'{SEARCH} aria-label="{names["search"]}"', 1)
    output = output.replace(PERMALINK, f'title="{names["permalink"]}"')
    return output.replace(TAGS, f'{TAGS} aria-label="{names["tags"]}"', 1)
