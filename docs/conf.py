# The user guide for drafting teams, translators and reviewers. It lists rbmdocs so
# that the need-type and rule tables are rendered from the extension's own declaration.

project = "rbmdocs user guide"
author = "rbmdocs"
copyright = "2026, rbmdocs"
extensions = ["rbmdocs"]
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "rbmdocs user guide"
