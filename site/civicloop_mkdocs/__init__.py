"""civicloop's MkDocs plugin: the site source generated as a step (civicloop/generate.py) at the
start of each build, so `mkdocs build` and `mkdocs serve` build it like any Markdown."""
