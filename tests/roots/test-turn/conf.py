# A programme cycle that turns, with one break of each cycle rule (RBM060-RBM064).
extensions = ["rbmdocs"]
project = "The cycle turns"
language = "en"
rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11", "2012-13"]
rbmdocs_reports = {"2010-11": "final"}
rbmdocs_pb_status = {"2010-11": "final", "2012-13": "draft"}
rbmdocs_build_date = "2012-03-01"
exclude_patterns = ["_build"]
