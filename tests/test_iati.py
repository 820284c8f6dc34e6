"""``rbmdocs export iati`` on real projects: the mapping, the schema, bad input, the sample."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOTS, copy_sample
from lxml import etree
from rbmdocs.cli import main
from rbmdocs.report.iati import (
    PACKAGED_SCHEMA,
    country_alpha2,
    cpo_reference_code,
    iati_language,
    leading_number,
)

pytestmark = pytest.mark.sphinx

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OUTPUT = Path("_build/iati/activities.xml")


@pytest.fixture(scope="module")
def schema_file() -> Path:
    """The IATI 2.03 schema as published, shipped with rbmdocs."""
    assert PACKAGED_SCHEMA.is_file(), f"the IATI schema is not shipped at {PACKAGED_SCHEMA}"
    return PACKAGED_SCHEMA


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, schema_file: Path) -> Path:
    """The test-iati project, exported once for the module."""
    root = tmp_path_factory.mktemp("iati") / "project"
    shutil.copytree(ROOTS / "test-iati", root)
    assert main(["export", "iati", "--source", str(root), "--schema", str(schema_file)]) == 0
    return root


@pytest.fixture
def iati_copy(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(ROOTS / "test-iati", target)
    return target


def _activities(root: Path) -> dict[str, etree._Element]:
    tree = etree.parse(str(root / OUTPUT))
    return {
        activity.findtext("iati-identifier"): activity
        for activity in tree.getroot().iterfind("iati-activity")
    }


def _result(activity: etree._Element, code: str) -> etree._Element:
    (found,) = activity.xpath(f"result[reference/@code='{code}']")
    return found


def _indicator(result: etree._Element, title: str) -> etree._Element:
    (found,) = result.xpath(f"indicator[title/narrative[@xml:lang='en']='{title}']")
    return found


def _narratives(element: etree._Element) -> dict[str, str]:
    return {narrative.get(XML_LANG): narrative.text for narrative in element.iter("narrative")}


def test_export_is_valid_iati(exported: Path, schema_file: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(schema_file)))
    document = etree.parse(str(exported / OUTPUT))
    assert schema.validate(document), schema.error_log
    root = document.getroot()
    assert (root.get("version"), root.get("generated-datetime")) == (
        "2.03",
        "2012-03-01T00:00:00Z",
    )


def test_one_activity_per_dwcp(exported: Path) -> None:
    activities = _activities(exported)
    assert list(activities) == ["XM-DAC-41302-DWCP_KEN", "XM-DAC-41302-DWCP_ZAF"]
    kenya, south_africa = activities.values()
    reporting = kenya.find("reporting-org")
    assert (reporting.get("ref"), reporting.get("type")) == ("XM-DAC-41302", "40")
    assert reporting.findtext("narrative") == "International Labour Organization"
    assert kenya.get("last-updated-datetime") == "2012-03-01T00:00:00Z"
    assert kenya.get("default-currency") == "USD"
    # draft → pipeline (1), final → implementation (2)
    assert kenya.find("activity-status").get("code") == "1"
    assert south_africa.find("activity-status").get("code") == "2"
    dates = [(date.get("type"), date.get("iso-date")) for date in kenya.iter("activity-date")]
    assert dates == [("1", "2010-01-01"), ("3", "2015-12-31")]
    assert kenya.find("recipient-country").get("code") == "KE"
    assert south_africa.find("recipient-country").get("code") == "ZA"


def test_titles_in_both_languages(exported: Path) -> None:
    kenya = _activities(exported)["XM-DAC-41302-DWCP_KEN"]
    assert _narratives(kenya.find("title")) == {
        "en": "Decent Work Country Programme: Kenya",
        "zh": "体面劳动国别计划：肯尼亚",
    }
    assert _narratives(kenya.find("description")) == {
        "en": "Youth employment; Skills for work",
        "zh": "青年就业; 工作技能",
    }
    result = _result(kenya, "KEN101")
    assert _narratives(result.find("title")) == {
        "en": "Young people find decent jobs",
        "zh": "青年获得体面工作",
    }
    # a CPO without an indicator of its own names the P&B indicators it counts towards
    translated = _indicator(result, "Member States with a national employment policy")
    assert _narratives(translated.find("title")) == {
        "en": "Member States with a national employment policy",
        "zh": "制定国家就业政策的成员国",
    }
    # no Chinese translation: the English text is not passed off as Chinese
    untranslated = _indicator(result, "Member States that reform their employment services")
    assert _narratives(untranslated.find("title")) == {
        "en": "Member States that reform their employment services"
    }


def test_each_cpo_is_an_outcome_with_its_code(exported: Path) -> None:
    activities = _activities(exported)
    codes = {
        identifier: [
            (result.get("type"), result.find("reference").get("code"))
            for result in activity.iter("result")
        ]
        for identifier, activity in activities.items()
    }
    assert codes == {
        "XM-DAC-41302-DWCP_KEN": [("2", "KEN101"), ("2", "KEN201")],
        "XM-DAC-41302-DWCP_ZAF": [("2", "ZAF153"), ("2", "ZAF154")],
    }
    reference = _result(activities["XM-DAC-41302-DWCP_ZAF"], "ZAF153").find("reference")
    assert reference.get("vocabulary") == "99"
    # the code is the result's; no indicator carries a reference too (IATI rule 8.11.1)
    assert [node.getparent().tag for node in exported_references(activities)] == ["result"] * 4
    # CPO_KEN_101 contributes to IO_1 (two indicators) and IO_2 (one): qualitative, no
    # baseline, no period, no target
    kenya_101 = _result(activities["XM-DAC-41302-DWCP_KEN"], "KEN101")
    assert [indicator.get("measure") for indicator in kenya_101.iter("indicator")] == ["5"] * 3
    assert kenya_101.xpath("indicator/baseline | indicator/period") == []


def exported_references(activities: dict[str, etree._Element]) -> list[etree._Element]:
    return [node for activity in activities.values() for node in activity.iter("reference")]


def test_the_cpo_s_own_indicator_baseline_and_target(exported: Path) -> None:
    south_africa = _activities(exported)["XM-DAC-41302-DWCP_ZAF"]
    provinces = _indicator(
        _result(south_africa, "ZAF153"),
        "Provinces with an employment plan agreed by the social partners",
    )
    assert (provinces.get("measure"), provinces.get("ascending")) == ("1", "1")
    assert _narratives(provinces.find("title"))["zh"] == "制定经社会伙伴商定的就业计划的省份"
    baseline = provinces.find("baseline")
    # the year the baseline names, not the first year of the SPF
    assert (baseline.get("year"), baseline.get("value")) == ("2009", "2")
    assert _narratives(baseline) == {"en": "2 provinces (2009)", "zh": "2个省（2009年）"}
    (period,) = provinces.findall("period")
    assert period.find("period-start").get("iso-date") == "2010-01-01"
    assert period.find("period-end").get("iso-date") == "2011-12-31"
    assert period.find("target").get("value") == "6"
    # words, not counts: a qualitative indicator, the baseline of the year before the biennium
    youth = _indicator(
        _result(south_africa, "ZAF154"), "Share of young people among public works employees"
    )
    assert (youth.get("measure"), youth.get("ascending")) == ("5", None)
    assert youth.find("baseline").get("year") == "2011"
    assert youth.find("baseline").get("value") is None
    assert youth.find("period/period-start").get("iso-date") == "2012-01-01"
    assert youth.find("period/target").get("value") is None
    assert _narratives(youth.find("period/target")) == {"en": "half", "zh": "一半"}


def test_no_global_target_or_result_in_a_country_activity(exported: Path) -> None:
    text = (exported / OUTPUT).read_text("utf-8")
    # the P&B's target and the implementation report's result for indicator 1.1
    assert "member States (Africa" not in text
    assert "个成员国（非洲" not in text
    assert "<actual" not in text


def test_sectors_from_the_strategic_objectives(exported: Path) -> None:
    for activity in _activities(exported).values():
        sectors = [(node.get("vocabulary"), node.get("code")) for node in activity.iter("sector")]
        assert sectors == [("1", "16020")]


def test_two_exports_are_byte_identical(exported: Path, schema_file: Path) -> None:
    again = exported / "again.xml"
    args = ["export", "iati", "--source", str(exported), "--schema", str(schema_file)]
    assert main([*args, "--output", str(again)]) == 0
    assert again.read_bytes() == (exported / OUTPUT).read_bytes()


def test_one_language(exported: Path, schema_file: Path) -> None:
    english = exported / "english.xml"
    args = ["export", "iati", "--source", str(exported), "--schema", str(schema_file)]
    assert main([*args, "--lang", "en", "--output", str(english)]) == 0
    languages = {node.get(XML_LANG) for node in etree.parse(str(english)).iter("narrative")}
    assert languages == {"en", None}  # the organisation's name takes the activity's language


def test_broken_yaml_is_one_message_and_writes_nothing(
    iati_copy: Path, schema_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kenya = iati_copy / "data/dwcp/KEN.yaml"
    kenya.write_text(kenya.read_text("utf-8").replace("region: africa", "region: [africa"))
    args = ["export", "iati", "--source", str(iati_copy), "--schema", str(schema_file)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("data/dwcp/KEN.yaml:4: error: YAML syntax error")
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not (iati_copy / OUTPUT).exists()


def test_a_failed_export_keeps_the_last_good_file(
    iati_copy: Path, schema_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["export", "iati", "--source", str(iati_copy), "--schema", str(schema_file)]
    assert main(args) == 0
    good = (iati_copy / OUTPUT).read_bytes()
    # a CPO that points to an outcome that does not exist: an error of the check
    kenya = iati_copy / "data/dwcp/KEN.yaml"
    kenya.write_text(kenya.read_text("utf-8").replace("[IO_2]", "[IO_9]"))
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "error(s)" in err and "nothing written" in err and "Traceback" not in err
    assert (iati_copy / OUTPUT).read_bytes() == good
    left_behind = sorted(path.name for path in (iati_copy / OUTPUT).parent.iterdir())
    assert left_behind == ["activities.xml"]


def test_xml_the_schema_rejects_is_not_written(
    iati_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = tmp_path / "other.xsd"
    strict.write_text(
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        '<xsd:element name="something-else"/></xsd:schema>',
        "utf-8",
    )
    assert main(["export", "iati", "--source", str(iati_copy), "--schema", str(strict)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "does not validate" in err and "nothing written" in err
    assert not (iati_copy / OUTPUT).exists()


@pytest.mark.parametrize(
    ("conf_line", "message"),
    [
        ("rbmdocs_iati = {}", "rbmdocs_iati is not set"),
        ("rbmdocs_iati = {'reporting_org': 'XM-DAC-41302'}", "'reporting_org_type'] is missing"),
        ("rbmdocs_iati = 'XM-DAC-41302'", "rbmdocs_iati must be a dict"),
    ],
)
def test_missing_or_bad_settings(
    iati_copy: Path,
    schema_file: Path,
    capsys: pytest.CaptureFixture[str],
    conf_line: str,
    message: str,
) -> None:
    conf = iati_copy / "conf.py"
    conf.write_text(conf.read_text("utf-8") + conf_line + "\n", "utf-8")
    assert main(["export", "iati", "--source", str(iati_copy), "--schema", str(schema_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rbmdocs: error: conf.py: ")
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_missing_schema_is_a_tool_error(
    iati_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.xsd"
    assert main(["export", "iati", "--source", str(iati_copy), "--schema", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rbmdocs: error: {missing}: no IATI schema here")
    assert "--schema FILE" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("14 member States (Africa 5, Americas 3)", "14"),
        ("14个成员国（非洲5个）", "14"),
        ("1,200 workers", "1200"),
        ("2.5 per cent", "2.5"),
        ("4", "4"),
        ("none", None),
        ("2008-09 level", None),
        ("", None),
    ],
)
def test_leading_number(text: str, number: str | None) -> None:
    assert leading_number(text) == number


@pytest.mark.parametrize(
    ("function", "given", "expected"),
    [
        (cpo_reference_code, "CPO_ZAF_153", "ZAF153"),
        (iati_language, "zh_CN", "zh"),
        (iati_language, "en", "en"),
        (country_alpha2, "DWCP_ZAF", "ZA"),
        (country_alpha2, "DWCP_XYZ", None),
        (country_alpha2, "DWCP_CARIBBEAN", None),
    ],
)
def test_codes(function: Callable[[str], str | None], given: str, expected: str | None) -> None:
    assert function(given) == expected


@pytest.mark.slow
def test_the_sample_exports_valid_iati(tmp_path: Path, schema_file: Path) -> None:
    sample = copy_sample(tmp_path / "sample")
    assert main(["export", "iati", "--source", str(sample), "--schema", str(schema_file)]) == 0
    schema = etree.XMLSchema(etree.parse(str(schema_file)))
    document = etree.parse(str(sample / OUTPUT))
    assert schema.validate(document), schema.error_log
    programmes = sorted(path.stem for path in (sample / "data/dwcp").glob("*.yaml"))
    identifiers = [node.text for node in document.iter("iati-identifier")]
    assert identifiers == [f"XM-DAC-41302-DWCP_{code}" for code in programmes]
    assert document.find(".//result/reference[@code='ZAF101']") is not None
    for activity in document.iter("iati-activity"):
        starts = activity.xpath("activity-date[@type='1']/@iso-date")
        ends = activity.xpath("activity-date[@type='3']/@iso-date")
        assert len(starts) == len(ends) == 1
        # every result period lies within the programme's years
        for period in activity.iter("period"):
            assert starts[0] <= period.find("period-start").get("iso-date")
            assert period.find("period-end").get("iso-date") <= ends[0]
        assert activity.find("sector") is not None
