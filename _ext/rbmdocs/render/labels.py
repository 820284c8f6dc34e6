"""Words the generated pages and tables show, per build language.

IDs never change with the language; everything a reader reads does. English is the
fallback for a language without a label, so a new language works before it is complete.
"""

from __future__ import annotations

from typing import Final

_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "region.africa": "Africa",
        "region.americas": "Americas",
        "region.arab-states": "Arab States",
        "region.asia-pacific": "Asia and the Pacific",
        "region.europe-central-asia": "Europe and Central Asia",
        "region.unknown": "No region",
        "status.concept": "Concept",
        "status.draft": "Draft",
        "status.final": "Final",
        "field.region": "Region",
        "field.status": "Status",
        "field.period": "Period",
        "field.biennium": "Biennium",
        "field.country": "Country",
        "heading.priorities": "Country priorities",
        "heading.outcomes": "Country programme outcomes",
        "table.region": "Region",
        "table.total": "Total",
        "table.programme": "Programme",
        "table.id": "ID",
        "table.strategic_objective": "Strategic objective",
        "table.intermediate_outcome": "Intermediate outcome",
        "table.immediate_outcome": "Immediate outcome",
        "table.indicators": "Indicators",
        "table.targets": "Targets",
        "table.regular_budget": "Regular budget (US$)",
        "table.extra_budgetary": "Extra-budgetary (US$)",
        "table.rbsa": "RBSA (US$)",
        "table.all_resources": "Total resources (US$)",
        "table.priorities": "DWCP priorities",
        "table.subtotal": "Subtotal, {name}",
        "table.grand_total": "Total, all strategic objectives",
        "table.no_priorities": "none yet",
        "table.count": "Priorities",
        "table.rule": "Rule",
        "table.severity": "Severity",
        "table.need": "Need",
        "table.location": "Location",
        "table.message": "Message",
        "table.measure": "Measure",
        "table.value": "Value",
        "report.no_findings": "No open findings: every rule passes.",
        "report.priorities_traced": "DWCP priorities that reach an immediate outcome",
        "report.outcomes_reaching": "Immediate outcomes that reach a strategic objective",
        "report.outcomes_supported": "Country-scope immediate outcomes with a CPO",
        "report.indicators_targeted": "Indicators with a target for every biennium",
        "report.findings": "Open findings",
        "report.coverage": "Coverage",
        "report.by_region": "DWCP priorities traced, by region",
        "page.dwcp_suffix": "Decent Work Country Programme",
    },
    "zh_CN": {
        "region.africa": "非洲",
        "region.americas": "美洲",
        "region.arab-states": "阿拉伯国家",
        "region.asia-pacific": "亚洲及太平洋",
        "region.europe-central-asia": "欧洲及中亚",
        "region.unknown": "未注明区域",
        "status.concept": "构想",
        "status.draft": "草案",
        "status.final": "定稿",
        "field.region": "区域",
        "field.status": "状态",
        "field.period": "期限",
        "field.biennium": "两年期",
        "field.country": "国家",
        "heading.priorities": "国别优先事项",
        "heading.outcomes": "国别计划成果",
        "table.region": "区域",
        "table.total": "合计",
        "table.programme": "计划",
        "table.id": "编号",
        "table.strategic_objective": "战略目标",
        "table.intermediate_outcome": "中期成果",
        "table.immediate_outcome": "即时成果",
        "table.indicators": "指标",
        "table.targets": "具体目标",
        "table.regular_budget": "经常预算(美元)",
        "table.extra_budgetary": "预算外资源(美元)",
        "table.rbsa": "经常预算补充账户(美元)",
        "table.all_resources": "资源总额(美元)",
        "table.priorities": "体面劳动国别计划优先事项",
        "table.subtotal": "小计:{name}",
        "table.grand_total": "全部战略目标合计",
        "table.no_priorities": "尚无",
        "table.count": "优先事项数",
        "table.rule": "规则",
        "table.severity": "严重程度",
        "table.need": "条目",
        "table.location": "位置",
        "table.message": "说明",
        "table.measure": "衡量项",
        "table.value": "数值",
        "report.no_findings": "没有未解决的问题:所有规则均已通过。",
        "report.priorities_traced": "可追溯至即时成果的体面劳动国别计划优先事项",
        "report.outcomes_reaching": "可追溯至战略目标的即时成果",
        "report.outcomes_supported": "有国别计划成果支持的国别层面即时成果",
        "report.indicators_targeted": "每个两年期均有具体目标的指标",
        "report.findings": "未解决的问题",
        "report.coverage": "覆盖情况",
        "report.by_region": "按区域分列的可追溯优先事项",
        "page.dwcp_suffix": "体面劳动国别计划",
    },
}


def label(key: str, language: str | None, **values: str) -> str:
    """The label ``key`` in ``language`` (falling back to English), with ``values`` filled in."""
    table = _LABELS.get(language or "en") or _LABELS.get((language or "en").split("_")[0], {})
    text = table.get(key) or _LABELS["en"].get(key, key)
    return text.format(**values) if values else text


def known_languages() -> list[str]:
    """Languages that have their own labels."""
    return sorted(_LABELS)
