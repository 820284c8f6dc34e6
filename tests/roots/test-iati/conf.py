# Two country programmes, their CPOs, targets and results: what `rbmdocs export iati` maps.
extensions = ["rbmdocs"]
project = "IATI export"
language = "en"
rbmdocs_languages = ["en", "zh_CN"]
rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11", "2012-13"]
rbmdocs_reports = {"2010-11": "final"}
rbmdocs_build_date = "2012-03-01"
rbmdocs_iati = {
    "reporting_org": "XM-DAC-41302",
    "reporting_org_type": "40",
    "reporting_org_name": "International Labour Organization",
    "default_currency": "USD",
    "sectors": {"SO_1": "16020"},
}
exclude_patterns = ["_build"]
