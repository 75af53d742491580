"""civicloop: the publishing and feedback loop of hybrid committees."""

from importlib.metadata import version

from civicloop.languages import CODES

__version__ = version("civicloop")
LANGUAGES = CODES  # the first is the site's default (civicloop/languages.py)
