"""MkDocs hook: lets mkdocs-jupyter render notebooks in every language.

mkdocs-static-i18n rebuilds the file list after other plugins (ultrabug/mkdocs-static-i18n#198),
which drops mkdocs-jupyter's notebook wrapper, so notebooks would be copied as raw JSON. This
re-wraps them after i18n, keeping the per-language URL i18n chose.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs_jupyter.plugin import NotebookFile


@event_priority(-200)
def on_files(files: Files, config) -> Files:
    jupyter = config.plugins["mkdocs-jupyter"]
    for f in [f for f in files if jupyter.should_include(f) and not isinstance(f, NotebookFile)]:
        nb = NotebookFile(f, **config)
        nb.dest_path, nb.abs_dest_path, nb.url = f.dest_path, f.abs_dest_path, f.url
        files.remove(f)
        files.append(nb)
    return files
