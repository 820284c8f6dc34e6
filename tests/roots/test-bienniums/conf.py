# Two bienniums of one SPF: targets and results for 2010-11 and 2012-13, the report across
# bienniums, and a Chinese catalogue with one paragraph left untranslated on purpose (for the
# side-by-side edition).
extensions = ["rbmdocs"]
project = "Two bienniums"
author = "International Labour Office"
language = "en"
rbmdocs_languages = ["en", "zh_CN"]
rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11", "2012-13"]
rbmdocs_reports = {"2010-11": "final", "2012-13": "draft"}
rbmdocs_build_date = "2014-03-01"
rbmdocs_documents = [
    {
        "name": "report",
        "start": "index",
        "title": "Programme implementation report",
        "symbol": "GB.320/PFA/1",
        "body": "Governing Body",
        "session": "320th Session",
        "date": "March 2014",
        "place": "Geneva",
    }
]
exclude_patterns = ["_build"]
