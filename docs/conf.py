# The user guide for drafting teams, translators and reviewers. It lists rbmdocs so
# that the need-type and rule tables are rendered from the extension's own declaration.

project = "rbmdocs user guide"
author = "rbmdocs"
copyright = "2026, rbmdocs"
extensions = ["rbmdocs"]
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "rbmdocs user guide"
# a link to a heading of another page or of the same one ("#the-gate") resolves by the
# heading's slug, in every myst-parser version we support
myst_heading_anchors = 3
