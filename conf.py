# Project settings for the ILO-style programme cycle documents. Everything about need
# types, rules and tables comes from the rbmdocs extension; see docs/ for the guide.

project = "ILO programme cycle documents"
author = "International Labour Office"
copyright = "2010, International Labour Office"

extensions = ["rbmdocs"]

language = "en"
rbmdocs_languages = ["en", "zh_CN"]

rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11", "2012-13"]
# Both P&Bs were adopted by the Conference; recommendations accepted in 2010-11 must show
# in the strategies of 2012-13 (RBM063).
rbmdocs_pb_status = {"2010-11": "final", "2012-13": "final"}
rbmdocs_dwcp_dir = "data/dwcp"

# The publisher in `rbmdocs export iati` (IATI organisation identifier and type code).
rbmdocs_iati = {
    "reporting_org": "XM-DAC-41302",
    "reporting_org_type": "40",
    "reporting_org_name": "International Labour Organization",
    "default_currency": "USD",
    # OECD DAC 5-digit sectors of the strategic objectives: employment creation, social
    # protection, social dialogue, labour rights
    "sectors": {"SO_1": "16020", "SO_2": "16010", "SO_3": "16080", "SO_4": "16070"},
}

# One PDF per document, with the masthead of a Governing Body paper; its texts (all but the
# name, start page, symbol and abbreviation) are translated in the start page's catalogue.
rbmdocs_documents = [
    {
        "name": "spf",
        "start": "spf/index",
        "title": "Strategic Policy Framework 2010-15",
        "subtitle": "Making decent work happen",
        "symbol": "GB.304/PFA/2(Rev.)",
        "body": "Governing Body",
        "session": "304th Session",
        "place": "Geneva",
        "date": "March 2009",
        "committee": "Programme, Financial and Administrative Committee",
        "committee_abbreviation": "PFA",
        "purpose": "For decision",
        "item": "Second item on the agenda",
        "keywords": "Strategic Policy Framework, decent work, results-based management",
    },
    {
        "name": "programme_budget",
        "start": "programme_budget/index",
        "title": "Programme and Budget 2010-11",
        "symbol": "GB.304/PFA/3",
        "body": "Governing Body",
        "session": "304th Session",
        "place": "Geneva",
        "date": "March 2009",
        "committee": "Programme, Financial and Administrative Committee",
        "committee_abbreviation": "PFA",
        "purpose": "For decision",
        "item": "Third item on the agenda",
        "keywords": "Programme and Budget, decent work, outcome strategies, resources",
    },
    {
        "name": "programme_budget_2012",
        "start": "programme_budget_2012/index",
        "title": "Programme and Budget 2012-13",
        "subtitle": "Director-General's programme and budget proposals",
        "symbol": "GB.310/PFA/2",
        "body": "Governing Body",
        "session": "310th Session",
        "place": "Geneva",
        "date": "March 2011",
        "committee": "Programme, Financial and Administrative Committee",
        "committee_abbreviation": "PFA",
        "purpose": "For decision",
        "item": "Second item on the agenda",
        "keywords": "Programme and Budget, decent work, outcome strategies, baselines, resources",
    },
    {
        "name": "implementation_report",
        "start": "implementation_report/index",
        "title": "Programme implementation report 2010-11",
        "symbol": "GB.313/PFA/1",
        "body": "Governing Body",
        "session": "313th Session",
        "place": "Geneva",
        "date": "March 2012",
        "committee": "Programme, Financial and Administrative Committee",
        "committee_abbreviation": "PFA",
        "purpose": "For debate and guidance",
        "item": "First item on the agenda",
        "keywords": "programme implementation, results, decent work",
    },
]

# The implementation report of 2010-11 is final: every target needs a result and every
# immediate outcome an outcome report. Overdue recommendations are judged on the date of
# publication.
rbmdocs_reports = {"2010-11": "final"}
rbmdocs_build_date = "2012-03-01"

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
    ".*",
]

# The official site: the organisation's name and emblem in every page's masthead (a neutral
# placeholder emblem: put the organisation's own in its place), its copyright in the footer.
html_theme = "rbmdocs"
rbmdocs_organisation = "International Labour Organization"
rbmdocs_emblem = "_static/emblem.svg"
html_title = "Programme cycle documents"
html_show_sourcelink = False
html_last_updated_fmt = None
