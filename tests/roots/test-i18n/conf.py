# The minimal framework in three languages: French comes from its catalogues alone.
extensions = ["rbmdocs"]
project = "Minimal results framework"
author = "International Labour Office"
language = "en"
rbmdocs_languages = ["en", "zh_CN", "fr"]
rbmdocs_spf_period = "2016-2017"
rbmdocs_bienniums = ["2016-17"]
rbmdocs_documents = [
    {
        "name": "framework",
        "start": "index",
        "title": "Minimal results framework",
        "symbol": "GB.999/1",
        "date": "March 2016",
        "place": "Geneva",
    }
]
exclude_patterns = ["_build"]
