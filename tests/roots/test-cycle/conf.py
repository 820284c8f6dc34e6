# A small programme cycle with every kind of need of issue 7 and its generated tables.
extensions = ["rbmdocs"]
project = "Programme cycle tables"
language = "en"
rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11"]
rbmdocs_reports = {"2010-11": "final"}
rbmdocs_build_date = "2012-03-01"
exclude_patterns = ["_build"]
