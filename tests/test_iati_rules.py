"""The IATI export against the IATI Validator's own ruleset, as well as the 2.03 schema.

``tests/data/iati-rulesets/standard.json`` is the ruleset of IATI-Rulesets (see its
SOURCE.md); ``iati_rules.py`` applies its error-level rules. The IATI schema checks the
structure only; the ruleset checks what the Validator's users see as errors, such as a
reference code given at both result and indicator level (8.11.1) or an activity without
a sector (6.2.2).
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from conftest import ROOTS, copy_sample
from iati_rules import EVALUATED_KINDS, breaches, error_rules
from lxml import etree
from rbmdocs.cli import main
from rbmdocs.report.iati import PACKAGED_SCHEMA

pytestmark = pytest.mark.sphinx

OUTPUT = Path("_build/iati/activities.xml")
TODAY = datetime.datetime.now(datetime.UTC).date()

#: An activity as the export wrote it before issue 20: the CPO code at result level and the
#: indicator's ID beside it, and no sector.
BEFORE = b"""<iati-activities version="2.03" generated-datetime="2012-03-01T00:00:00Z">
 <iati-activity last-updated-datetime="2012-03-01T00:00:00Z" xml:lang="en"
   default-currency="USD">
  <iati-identifier>XM-DAC-41302-DWCP_KEN</iati-identifier>
  <reporting-org ref="XM-DAC-41302" type="40"><narrative>ILO</narrative></reporting-org>
  <title><narrative>Kenya</narrative></title>
  <activity-date type="1" iso-date="2013-01-01"/>
  <activity-date type="3" iso-date="2016-12-31"/>
  <recipient-country code="KE"/>
  <result type="2">
   <title><narrative>Young people find decent jobs</narrative></title>
   <reference code="KEN101" vocabulary="99"/>
   <indicator measure="1">
    <title><narrative>Indicator 1.1</narrative></title>
    <reference code="IND_1_1" vocabulary="99"/>
    <baseline year="2010"/>
   </indicator>
  </result>
 </iati-activity>
</iati-activities>
"""


def test_the_ruleset_is_the_validator_s_and_every_error_kind_is_understood() -> None:
    rules = list(error_rules())
    ids = {case["ruleInfo"]["id"] for _, _, case in rules}
    assert {"8.11.1", "6.2.2", "6.11.1", "11.1.2", "8.6.1", "8.8.1"} <= ids
    activity_kinds = {kind for context, kind, _ in rules if "iati-organisation" not in context}
    assert activity_kinds <= EVALUATED_KINDS


def test_the_evaluator_finds_what_the_validator_finds() -> None:
    found, not_evaluated = breaches(etree.fromstring(BEFORE).getroottree(), TODAY)
    assert not_evaluated == []
    assert sorted({breach.rule_id for breach in found}) == ["6.2.2", "8.11.1", "8.8.1"]
    (reference,) = [breach for breach in found if breach.rule_id == "8.11.1"]
    assert reference.line == 13  # the indicator
    assert "result OR result indicator level" in reference.message


def test_the_test_project_export_breaks_no_error_rule(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(ROOTS / "test-iati", root)
    assert main(["export", "iati", "--source", str(root), "--schema", str(PACKAGED_SCHEMA)]) == 0
    document = etree.parse(str(root / OUTPUT))
    found, not_evaluated = breaches(document, TODAY)
    assert (found, not_evaluated) == ([], [])
    # what the rules looked at is there: sectors, results with periods and baselines
    assert document.xpath("count(//sector)") == 2
    assert document.xpath("count(//result/indicator/period)") == 2


@pytest.mark.slow
def test_the_sample_export_breaks_no_error_rule_and_its_periods_nest(tmp_path: Path) -> None:
    sample = copy_sample(tmp_path / "sample")
    assert main(["export", "iati", "--source", str(sample), "--schema", str(PACKAGED_SCHEMA)]) == 0
    document = etree.parse(str(sample / OUTPUT))
    schema = etree.XMLSchema(etree.parse(str(PACKAGED_SCHEMA)))
    assert schema.validate(document), schema.error_log
    found, not_evaluated = breaches(document, TODAY)
    assert not_evaluated == []
    assert [(breach.rule_id, breach.line) for breach in found] == []
    activities = document.getroot().findall("iati-activity")
    assert len(activities) == len(list((sample / "data/dwcp").glob("*.yaml")))
    for activity in activities:
        start = activity.xpath("string(activity-date[@type='1']/@iso-date)")
        end = activity.xpath("string(activity-date[@type='3']/@iso-date)")
        for period in activity.iter("period"):
            assert start <= period.xpath("string(period-start/@iso-date)")
            assert period.xpath("string(period-end/@iso-date)") <= end
        for baseline in activity.iter("baseline"):
            assert int(baseline.get("year")) <= int(end[:4])
        shares = [int(node.get("percentage", "100")) for node in activity.iter("sector")]
        assert sum(shares) == 100
