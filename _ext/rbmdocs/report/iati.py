"""IATI 2.03 activity XML from the resolved results framework: one activity per DWCP.

Publishers such as the ILO report their country programmes to IATI, where a country
programme outcome (CPO) is an outcome-type result whose reference code is the CPO code.
This module maps the checked need graph onto that model and validates the tree against
the IATI schema. It is pure, need graphs in and XML out, with no Sphinx: the CLI feeds it
the graph of one check run per language, so the mapping is testable on records alone and
the cost of an export is the cost of the check runs.

The codes written below come from the IATI 2.03 codelists named beside each constant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pycountry
from lxml import etree

from rbmdocs.graph import NeedGraph
from rbmdocs.graph.model import NeedRecord, natural_key
from rbmdocs.graph.rules import biennium_years
from rbmdocs.schema import PERIOD_PATTERN

IATI_VERSION: Final = "2.03"
SCHEMA_FILE: Final = "iati-activities-schema.xsd"
PACKAGED_SCHEMA: Final = Path(__file__).with_name("iati-2.03") / SCHEMA_FILE
"""Where an installed rbmdocs keeps the IATI schema (the three ``.xsd`` files)."""

_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'

#: ActivityStatus: 1 pipeline/identification, 2 implementation. A DWCP in concept or
#: draft is still being identified; a final one is signed and carried out.
ACTIVITY_STATUS: Final[dict[str, str]] = {"concept": "1", "draft": "1", "final": "2"}
PLANNED_START, PLANNED_END = "1", "3"  # ActivityDateType
ROLE_IMPLEMENTING: Final = "4"  # OrganisationRole
SCOPE_NATIONAL: Final = "4"  # ActivityScope: a country programme is national
DESCRIPTION_GENERAL, DESCRIPTION_OBJECTIVES = "1", "2"  # DescriptionType
RESULT_OUTCOME: Final = "2"  # ResultType
REPORTING_ORG_VOCABULARY: Final = "99"  # ResultVocabulary and IndicatorVocabulary
MEASURE_UNIT, MEASURE_QUALITATIVE = "1", "5"  # IndicatorMeasure
SECTOR_DAC_5: Final = "1"  # SectorVocabulary: OECD DAC CRS purpose codes (5 digit)

# A count at the start of a value ("14 member States (...)", "1,200 workers"), not the
# first year of a period ("2008-09") nor a fraction of a date.
_LEADING_NUMBER: Final = re.compile(r"\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d,./-])")
#: The year a baseline gives in brackets: "2 provinces (2011)", "12%（2011年）".
_BASELINE_YEAR: Final = re.compile(r"[(\uff08]\s*((?:19|20)\d{2})\s*(?:\u5e74)?\s*[)\uff09]")


class IatiSchemaError(Exception):
    """The IATI schema cannot be read, so no export can be validated."""


@dataclass(frozen=True, slots=True)
class IatiSettings:
    """The publisher, from ``rbmdocs_iati`` in conf.py."""

    reporting_org: str
    reporting_org_type: str
    reporting_org_name: str
    default_currency: str = ""
    sectors: Mapping[str, str] = field(default_factory=dict)
    """OECD DAC 5-digit sector code by strategic objective ID (``{"SO_1": "16020"}``)."""


@dataclass(frozen=True, slots=True)
class LanguageView:
    """The needs as one language's check run resolved them: titles and texts translated."""

    xml_lang: str
    graph: NeedGraph
    programme_label: str
    """What the language calls a DWCP, with its colon ("Decent Work Country Programme: ")."""


@dataclass(frozen=True, slots=True)
class ProgrammeCycle:
    """What the build is about: the SPF period, the P&B bienniums, and when it was made."""

    spf_period: str
    bienniums: tuple[str, ...]
    generated: str
    """An ``xsd:dateTime``; from the build date, so that the same sources give the same file."""


@dataclass(slots=True)
class IatiExport:
    """The tree and what it holds, plus what was left out and why."""

    tree: etree._ElementTree
    activities: int = 0
    results: int = 0
    indicators: int = 0
    actuals: int = 0
    notes: list[str] = field(default_factory=list)


def iati_language(language: str) -> str:
    """The IATI (ISO 639-1) code of a Sphinx language: ``zh_CN`` → ``zh``."""
    return language.replace("-", "_").split("_")[0].lower()


def leading_number(text: str) -> str | None:
    """The count a value starts with ("14 member States (…)" → "14"), or None.

    IATI wants a number in ``value``; the organisation writes counts followed by words and
    a breakdown, which go into the comment instead.
    """
    match = _LEADING_NUMBER.match(text)
    if match is None:
        return None
    return match[1].replace(",", "") + (match[2] or "")


def cpo_reference_code(cpo_id: str) -> str:
    """The CPO code as the organisation writes it: ``CPO_ZAF_153`` → ``ZAF153``."""
    return cpo_id.removeprefix("CPO_").replace("_", "")


def country_alpha2(dwcp_id: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a DWCP named ``DWCP_<ISO3>``, or None."""
    alpha3 = dwcp_id.removeprefix("DWCP_")
    country = pycountry.countries.get(alpha_3=alpha3) if len(alpha3) == 3 else None
    return None if country is None else str(country.alpha_2)


def build_activities(
    views: Sequence[LanguageView], settings: IatiSettings, cycle: ProgrammeCycle
) -> IatiExport:
    """One ``iati-activity`` per DWCP, in ID order; the first view gives the structure.

    The links are the same in every language, so the first language's graph decides what
    is exported and every view adds its narratives.
    """
    root = etree.Element(
        "iati-activities", {"version": IATI_VERSION, "generated-datetime": cycle.generated}
    )
    export = IatiExport(tree=etree.ElementTree(root))
    graph = views[0].graph
    for dwcp in sorted(graph.needs_of_type("dwcp"), key=lambda need: natural_key(need.id)):
        root.append(_activity(dwcp, views, settings, cycle, export))
        export.activities += 1
    return export


def _activity(
    dwcp: NeedRecord,
    views: Sequence[LanguageView],
    settings: IatiSettings,
    cycle: ProgrammeCycle,
    export: IatiExport,
) -> etree._Element:
    graph = views[0].graph
    attributes = {"last-updated-datetime": cycle.generated, _XML_LANG: views[0].xml_lang}
    if settings.default_currency:
        attributes["default-currency"] = settings.default_currency
    activity = etree.Element("iati-activity", attributes)
    _text_element(activity, "iati-identifier", f"{settings.reporting_org}-{dwcp.id}")
    reporting = etree.SubElement(
        activity,
        "reporting-org",
        {"ref": settings.reporting_org, "type": settings.reporting_org_type},
    )
    _text_element(reporting, "narrative", settings.reporting_org_name)
    _narratives(
        etree.SubElement(activity, "title"),
        views,
        lambda view: _programme_title(view, dwcp.id),
    )
    priorities = _sources_of_type(graph, dwcp.id, "part_of", "dwcp-priority")
    if priorities:
        description = etree.SubElement(activity, "description", {"type": DESCRIPTION_OBJECTIVES})
        _narratives(description, views, lambda view: _priority_titles(view, priorities))
    else:
        description = etree.SubElement(activity, "description", {"type": DESCRIPTION_GENERAL})
        _narratives(description, views, lambda view: _programme_title(view, dwcp.id))
    participating = etree.SubElement(
        activity,
        "participating-org",
        {
            "ref": settings.reporting_org,
            "type": settings.reporting_org_type,
            "role": ROLE_IMPLEMENTING,
        },
    )
    _text_element(participating, "narrative", settings.reporting_org_name)
    status = dwcp.fields.get("status", "")
    if status not in ACTIVITY_STATUS:
        export.notes.append(f"{dwcp.id}: status {status!r} has no IATI activity status")
    etree.SubElement(activity, "activity-status", {"code": ACTIVITY_STATUS.get(status, "1")})
    period = PERIOD_PATTERN.fullmatch(dwcp.fields.get("period", ""))
    if period is not None:
        for date_type, iso_date in (
            (PLANNED_START, f"{period[1]}-01-01"),
            (PLANNED_END, f"{period[2]}-12-31"),
        ):
            etree.SubElement(activity, "activity-date", {"type": date_type, "iso-date": iso_date})
    etree.SubElement(activity, "activity-scope", {"code": SCOPE_NATIONAL})
    alpha2 = country_alpha2(dwcp.id)
    if alpha2 is None:
        export.notes.append(
            f"{dwcp.id}: {dwcp.id.removeprefix('DWCP_')!r} is not an ISO 3166-1 alpha-3 "
            "country code, so the activity names no recipient country"
        )
    else:
        etree.SubElement(activity, "recipient-country", {"code": alpha2})
    cpos = [
        cpo
        for priority in priorities
        for cpo_id in _sources_of_type(graph, priority, "realises", "cpo")
        if (cpo := graph.need(cpo_id)) is not None
    ]
    _sectors(activity, dwcp, cpos, graph, settings, export)
    years = (int(period[1]), int(period[2])) if period is not None else None
    for cpo in cpos:
        activity.append(_result(cpo, years, views, export))
    return activity


def _sectors(
    activity: etree._Element,
    dwcp: NeedRecord,
    cpos: Sequence[NeedRecord],
    graph: NeedGraph,
    settings: IatiSettings,
    export: IatiExport,
) -> None:
    """The DAC sectors of the strategic objectives the CPOs serve, shared by their weight.

    Each link from a CPO to an immediate outcome counts once for the objective above it;
    the shares are whole percentages that add up to 100 (largest remainders), as the
    IATI rules want of several sectors in one vocabulary.
    """
    weights: dict[str, int] = {}
    unmapped: set[str] = set()
    for cpo in cpos:
        for outcome in cpo.links.get("contributes_to", ()):
            objective = objective_of(graph, outcome)
            code = settings.sectors.get(objective) if objective else None
            if code:
                weights[code] = weights.get(code, 0) + 1
            elif objective:
                unmapped.add(objective)
    if unmapped:
        export.notes.append(
            f"{dwcp.id}: no sector code for {', '.join(sorted(unmapped))} in "
            "rbmdocs_iati['sectors']"
        )
    if not weights:
        export.notes.append(f"{dwcp.id}: no sector, so the activity breaks IATI rule 6.2.2")
        return
    codes = sorted(weights, key=lambda code: (-weights[code], code))
    if len(codes) == 1:
        etree.SubElement(activity, "sector", {"vocabulary": SECTOR_DAC_5, "code": codes[0]})
        return
    for code, share in zip(codes, whole_percentages([weights[c] for c in codes]), strict=True):
        etree.SubElement(
            activity,
            "sector",
            {"vocabulary": SECTOR_DAC_5, "code": code, "percentage": str(share)},
        )


def whole_percentages(weights: Sequence[int]) -> list[int]:
    """Whole percentages of ``weights`` that add up to exactly 100 (largest remainders)."""
    total = sum(weights)
    exact = [weight * 100 / total for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for index in by_remainder[: 100 - sum(shares)]:
        shares[index] += 1
    return shares


def objective_of(graph: NeedGraph, need_id: str) -> str | None:
    """The strategic objective an outcome reaches through ``contributes_to``, else None."""
    seen: set[str] = set()
    current: str | None = need_id
    while current is not None and current not in seen:
        seen.add(current)
        record = graph.need(current)
        if record is None:
            return None
        if record.type == "strategic-objective":
            return record.id
        targets = sorted(record.links.get("contributes_to", ()))
        current = targets[0] if targets else None
    return None


def _result(
    cpo: NeedRecord,
    years: tuple[int, int] | None,
    views: Sequence[LanguageView],
    export: IatiExport,
) -> etree._Element:
    """The CPO as an outcome: its code at result level (never again on an indicator).

    A country activity carries what the country set itself: the CPO's own indicator,
    baseline and target. The organisation-wide targets of the P&B are totals over many
    countries and stay out; a CPO without an indicator of its own names, as qualitative
    indicators, the P&B indicators it counts towards.
    """
    graph = views[0].graph
    # CPOs differ in what they measure: their figures are not to be added up
    result = etree.Element("result", {"type": RESULT_OUTCOME, "aggregation-status": "0"})
    _narratives(etree.SubElement(result, "title"), views, lambda view: _title(view, cpo.id))
    etree.SubElement(
        result,
        "reference",
        {"code": cpo_reference_code(cpo.id), "vocabulary": REPORTING_ORG_VOCABULARY},
    )
    if cpo.fields.get("indicator", "").strip():
        result.append(_own_indicator(cpo, years, views, export))
    else:
        indicators: dict[str, None] = {}
        for outcome in cpo.links.get("contributes_to", ()):
            indicators.update(
                (indicator, None)
                for indicator in _sources_of_type(graph, outcome, "measures", "indicator")
            )
        for indicator_id in sorted(indicators, key=natural_key) or [cpo.id]:
            element = etree.SubElement(result, "indicator", {"measure": MEASURE_QUALITATIVE})
            _narratives(etree.SubElement(element, "title"), views, _title_in(indicator_id))
            export.indicators += 1
    export.results += 1
    return result


def _own_indicator(
    cpo: NeedRecord,
    years: tuple[int, int] | None,
    views: Sequence[LanguageView],
    export: IatiExport,
) -> etree._Element:
    """The CPO's indicator: its baseline with its own year, its target for its biennium.

    The period is the CPO's biennium, within the programme's years; the baseline's year
    is the one it names in brackets ("(2011)"), else the year before the biennium.
    """
    target_text = cpo.fields.get("target", "").strip()
    baseline_text = cpo.fields.get("baseline", "").strip()
    counted = leading_number(target_text) is not None and (
        not baseline_text or leading_number(baseline_text) is not None
    )
    element = etree.Element(
        "indicator",
        {"measure": MEASURE_UNIT, "ascending": "1"}
        if counted
        else {"measure": MEASURE_QUALITATIVE},
    )
    _narratives(etree.SubElement(element, "title"), views, _field_in(cpo.id, "indicator"))
    biennium = biennium_years(cpo.fields.get("biennium", "").strip())
    if baseline_text:
        named = _BASELINE_YEAR.search(baseline_text)
        year = int(named[1]) if named else (biennium[0] - 1 if biennium else None)
        if year is not None:
            _with_value(
                element,
                "baseline",
                baseline_text,
                views,
                _field_in(cpo.id, "baseline"),
                {"year": str(year)},
                counted,
            )
    if target_text and biennium is not None:
        first, last = biennium
        if years is not None:
            first, last = max(first, years[0]), min(last, years[1])
        period = etree.SubElement(element, "period")
        etree.SubElement(period, "period-start", {"iso-date": f"{first}-01-01"})
        etree.SubElement(period, "period-end", {"iso-date": f"{last}-12-31"})
        _with_value(
            period, "target", target_text, views, _field_in(cpo.id, "target"), None, counted
        )
    export.indicators += 1
    return element


def _with_value(
    parent: etree._Element,
    tag: str,
    text: str,
    views: Sequence[LanguageView],
    text_in: Callable[[LanguageView], str],
    attributes: dict[str, str] | None = None,
    counted: bool = True,
) -> None:
    """A baseline or target: its count in ``value``, its full text in the comment.

    A qualitative indicator (``counted`` false) gives no value, only the text.
    """
    attributes = dict(attributes or {})
    number = leading_number(text) if counted else None
    if number is not None:
        attributes["value"] = number
    element = etree.SubElement(parent, tag, attributes)
    if text.strip() and text.strip() != number:
        _narratives(etree.SubElement(element, "comment"), views, text_in)


def _narratives(
    parent: etree._Element, views: Sequence[LanguageView], text_in: Callable[[LanguageView], str]
) -> None:
    """One narrative per language; a language whose text is the first one's is untranslated.

    Marking English text as Chinese would mislead a reader of the IATI data, so a
    language repeats no narrative it has not translated.
    """
    first = text_in(views[0])
    _text_element(parent, "narrative", first, {_XML_LANG: views[0].xml_lang})
    written = {first}
    for view in views[1:]:
        text = text_in(view)
        if text and text not in written:
            _text_element(parent, "narrative", text, {_XML_LANG: view.xml_lang})
            written.add(text)


def _text_element(
    parent: etree._Element, tag: str, text: str, attributes: dict[str, str] | None = None
) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes or {})
    element.text = text
    return element


def _title(view: LanguageView, need_id: str) -> str:
    """The need's title in the view's language; its ID when it has none, "" when absent."""
    need = view.graph.need(need_id)
    if need is None:
        return ""
    return need.title or need_id


def _title_in(need_id: str) -> Callable[[LanguageView], str]:
    """The title of a need, as each language's view has it."""
    return lambda view: _title(view, need_id)


def _field_in(need_id: str, name: str) -> Callable[[LanguageView], str]:
    """The text of a need's option, as each language's view has it."""
    return lambda view: _field_of(view.graph, need_id, name)


def _field_of(graph: NeedGraph, need_id: str, name: str) -> str:
    need = graph.need(need_id)
    return need.fields.get(name, "") if need is not None else ""


def _links_of(graph: NeedGraph, need_id: str, link: str) -> Sequence[str]:
    need = graph.need(need_id)
    return need.links.get(link, ()) if need is not None else ()


def _programme_title(view: LanguageView, dwcp_id: str) -> str:
    return f"{view.programme_label}{_title(view, dwcp_id)}"


def _priority_titles(view: LanguageView, priorities: Iterable[str]) -> str:
    return "; ".join(_title(view, priority) for priority in priorities)


def _sources_of_type(graph: NeedGraph, need_id: str, link: str, need_type: str) -> list[str]:
    """The needs of ``need_type`` that link to ``need_id`` through ``link``, in ID order."""
    found = {source.id for source in graph.sources_of_type(need_id, link, need_type)}
    return sorted(found, key=natural_key)


def load_schema(path: Path) -> etree.XMLSchema:
    """The IATI activity schema at ``path`` (its ``iati-common.xsd`` and ``xml.xsd`` beside it)."""
    if not path.is_file():
        raise IatiSchemaError(
            f"{path}: no IATI schema here (iati-activities-schema.xsd, with iati-common.xsd "
            "and xml.xsd beside it)"
        )
    try:
        return etree.XMLSchema(etree.parse(str(path)))
    except OSError as error:
        raise IatiSchemaError(f"{path}: cannot read the IATI schema ({error})") from None
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
        raise IatiSchemaError(f"{path}: not a usable XML schema ({error})") from None


def schema_problems(schema: etree.XMLSchema, tree: etree._ElementTree) -> list[str]:
    """Every way ``tree`` breaks the schema, as ``line N: message``; empty when valid.

    The tree is serialised and parsed again first, so the lines are those of the file.
    """
    reparsed = etree.fromstring(serialise(tree)).getroottree()
    if schema.validate(reparsed):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def serialise(tree: etree._ElementTree) -> bytes:
    """The file's bytes: UTF-8 with a declaration, indented, ending in a newline."""
    return _DECLARATION + etree.tostring(tree, encoding="UTF-8", pretty_print=True)
