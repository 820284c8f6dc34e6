# Project settings for the ILO-style programme cycle documents. Everything about need
# types, rules and tables comes from the rbmdocs extension; see docs/ for the guide.

project = "ILO programme cycle documents"
author = "Strategic Programming and Management Department"
copyright = "2010, International Labour Office"

extensions = ["rbmdocs"]

language = "en"
rbmdocs_languages = ["en"]

rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11"]
rbmdocs_dwcp_dir = "data/dwcp"

root_doc = "index"
exclude_patterns = [
    "_build",
    ".venv",
    ".ci",
    "README.md",
    "docs",
    "tests",
    "benchmarks",
    "scripts",
    "locales",
    "_ext",
]

html_theme = "furo"
html_title = "Programme cycle documents"
html_show_sourcelink = False
html_last_updated_fmt = None
