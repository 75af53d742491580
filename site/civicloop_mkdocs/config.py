"""The plugin's settings in mkdocs.yml (`plugins: - civicloop: {...}`), typed as Material's are."""

from __future__ import annotations

from mkdocs.config.base import Config
from mkdocs.config.config_options import Type


class CivicloopConfig(Config):
    enabled = Type(bool, default=True)
    content = Type(str, default="content")  # the editors' folder, relative to mkdocs.yml
    source = Type(str, default="build/source")  # the generated tree (git-ignored), idem
    # the calendars, feeds and open data, which MkDocs only copies (git-ignored), idem
    artefacts = Type(str, default="build/artefacts")
