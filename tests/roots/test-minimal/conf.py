# A second organisation's project: only the extension and the rbmdocs values.
extensions = ["rbmdocs"]
project = "Minimal results framework"
rbmdocs_spf_period = "2016-2017"
rbmdocs_bienniums = ["2016-17"]
exclude_patterns = ["_build"]
