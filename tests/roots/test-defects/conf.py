extensions = ["rbmdocs"]
project = "A results framework with known defects"
rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11"]
exclude_patterns = ["_build", "expected.json"]
rbmdocs_reports = {"2010-11": "draft"}
rbmdocs_build_date = "2012-03-01"
