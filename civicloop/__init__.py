"""civicloop: the publishing and feedback loop of hybrid committees."""

from importlib.metadata import version

__version__ = version("civicloop")
LANGUAGES = ("en", "fr")  # the first is the site's default; mkdocs.yml lists the same
