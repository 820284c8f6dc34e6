"""Words the generated pages and tables show, per build language.

IDs never change with the language; everything a reader reads does. English and Chinese
labels are built in. Any other language (or a better Chinese wording) comes from the
catalogue ``locales/<lang>/LC_MESSAGES/rbmdocs.po``, whose messages are the English
labels: ``rbmdocs i18n update`` writes it with the document catalogues, so a translator
adds a language without touching code. English is the fallback for a label no one has
translated yet, so a new language works before it is complete.
"""

from __future__ import annotations

from typing import Final

_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "language.en": "English",
        "language.zh_CN": "中文",
        "language.fr": "Français",
        "language.es": "Español",
        "language.switch": "Language",
        "trace.title": "Trace",
        "diagram.alt": "Trace diagram of {need}",
        "trace.up": "Up to the strategic objective",
        "trace.down": "Down to the countries",
        "trace.none": "nothing",
        "trace.more": "and more: the tree is shortened here",
        "trace.see_above": "see above",
        "region.africa": "Africa",
        "region.americas": "Americas",
        "region.arab-states": "Arab States",
        "region.asia-pacific": "Asia and the Pacific",
        "region.europe-central-asia": "Europe and Central Asia",
        "region.unknown": "No region",
        "status.concept": "Concept",
        "status.draft": "Draft",
        "status.final": "Final",
        "scope.country": "Country",
        "scope.global": "Global",
        "field.region": "Region",
        "field.status": "Status",
        "field.period": "Period",
        "table.region": "Region",
        "table.total": "Total",
        "table.programme": "Programme",
        "table.intermediate_outcome": "Intermediate outcome",
        "table.immediate_outcome": "Immediate outcome",
        "table.indicators": "Indicators",
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
        "report.by_objective": "Coverage by strategic objective",
        "report.chart_supported": "Country-scope immediate outcomes with a CPO",
        "report.chart_strategies": "Immediate outcomes with an outcome strategy",
        "report.matrix": "DWCP priorities by immediate outcome, per region",
        "report.matrix_intro": (
            "Each row is a Decent Work Country Programme; a number is how many of its "
            "priorities reach the immediate outcome of that column through their CPOs."
        ),
        "report.matrix_compact": (
            "With {programmes} programmes and {outcomes} immediate outcomes, a matrix of this "
            "region would have {cells} cells, nearly all empty: each programme lists instead "
            "the immediate outcomes its priorities reach, with how many of them reach each."
        ),
        "table.outcomes_reached": "Immediate outcomes reached (priorities)",
        "type.strategic-objective": "Strategic objective",
        "type.intermediate-outcome": "Intermediate outcome",
        "type.immediate-outcome": "Immediate outcome",
        "type.indicator": "Indicator",
        "type.target": "Target",
        "type.outcome-strategy": "Outcome strategy",
        "type.dwcp": "Decent Work Country Programme",
        "type.dwcp-priority": "DWCP priority",
        "type.cpo": "Country programme outcome",
        "option.scope": "Scope",
        "option.unit": "Unit",
        "option.baseline": "Baseline",
        "option.measurement": "Measurement",
        "option.biennium": "Biennium",
        "option.value": "Value",
        "option.regular_budget": "Regular budget (US$)",
        "option.extra_budgetary": "Extra-budgetary (US$)",
        "option.rbsa": "RBSA (US$)",
        "option.country": "Country",
        "option.region": "Region",
        "option.status": "Status",
        "option.period": "Period",
        "link.contributes_to.out": "contributes to",
        "link.contributes_to.in": "contributed to by",
        "link.measures.out": "measures",
        "link.measures.in": "measured by",
        "link.sets_target_for.out": "sets target for",
        "link.sets_target_for.in": "has target",
        "link.implements.out": "implements",
        "link.implements.in": "implemented by",
        "link.part_of.out": "part of",
        "link.part_of.in": "priorities",
        "link.realises.out": "realises",
        "link.realises.in": "realised by",
        "type.result": "Result",
        "type.outcome-report": "Outcome report",
        "type.lesson": "Lesson learned",
        "type.recommendation": "Recommendation",
        "type.management-strategy": "Management strategy",
        "type.strategy-link": "Strategy link",
        "type.milestone": "Milestone",
        "option.criteria_met": "Criteria met",
        "option.spent_regular_budget": "Regular budget spent (US$)",
        "option.spent_extra_budgetary": "Extra-budgetary spent (US$)",
        "option.spent_rbsa": "RBSA spent (US$)",
        "option.source": "Source",
        "option.due": "Due",
        "option.owner": "Responsible unit",
        "option.kind": "Kind",
        "option.year": "Year",
        "option.area": "Area",
        "option.capacity_level": "Capacity level",
        "option.capacity_kind": "Kind of capacity",
        "status.open": "Open",
        "status.in-progress": "In progress",
        "status.implemented": "Implemented",
        "status.rejected": "Rejected",
        "kind.core": "Core management strategy",
        "kind.other": "Other strategy",
        "area.integrated-management-strategies": "Integrated management strategies",
        "area.performance-accountability": "Performance and accountability",
        "area.programme-cycle-reform": "Reform of the programme cycle",
        "capacity_level.individual": "Individual",
        "capacity_level.organizational": "Organizational",
        "capacity_level.enabling-environment": "Enabling environment",
        "capacity_kind.technical": "Technical",
        "capacity_kind.functional": "Functional",
        "link.reports_on.out": "reports on",
        "link.reports_on.in": "reported on by",
        "link.achieved_through.out": "achieved through",
        "link.achieved_through.in": "results achieved",
        "link.informs.out": "informs",
        "link.informs.in": "lessons",
        "link.addresses.out": "addresses",
        "link.addresses.in": "recommendations",
        "link.from.out": "from",
        "link.from.in": "links to other strategies",
        "link.to.out": "to",
        "link.to.in": "linked from other strategies",
    },
    "zh_CN": {
        "language.en": "English",
        "language.zh_CN": "中文",
        "language.fr": "Français",
        "language.es": "Español",
        "language.switch": "语言",
        "trace.title": "追溯",
        "diagram.alt": "{need}的追溯图",
        "trace.up": "向上追溯至战略目标",
        "trace.down": "向下追溯至国家",
        "trace.none": "无",
        "trace.more": "以下从略",
        "trace.see_above": "见上文",
        "region.africa": "非洲",
        "region.americas": "美洲",
        "region.arab-states": "阿拉伯国家",
        "region.asia-pacific": "亚洲及太平洋",
        "region.europe-central-asia": "欧洲及中亚",
        "region.unknown": "未注明区域",
        "status.concept": "构想",
        "status.draft": "草案",
        "status.final": "定稿",
        "scope.country": "国别",
        "scope.global": "全球",
        "field.region": "区域",
        "field.status": "状态",
        "field.period": "期限",
        "table.region": "区域",
        "table.total": "合计",
        "table.programme": "计划",
        "table.intermediate_outcome": "中期成果",
        "table.immediate_outcome": "即时成果",
        "table.indicators": "指标",
        "table.regular_budget": "经常预算（美元）",
        "table.extra_budgetary": "预算外资源（美元）",
        "table.rbsa": "经常预算补充账户（美元）",
        "table.all_resources": "资源总额（美元）",
        "table.priorities": "体面劳动国别计划优先事项",
        "table.subtotal": "小计：{name}",
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
        "report.no_findings": "没有未解决的问题：所有规则均已通过。",
        "report.priorities_traced": "可追溯至即时成果的体面劳动国别计划优先事项",
        "report.outcomes_reaching": "可追溯至战略目标的即时成果",
        "report.outcomes_supported": "有国别计划成果支持的国别层面即时成果",
        "report.indicators_targeted": "每个两年期均有具体目标的指标",
        "report.findings": "未解决的问题",
        "report.coverage": "覆盖情况",
        "report.by_region": "按区域分列的可追溯优先事项",
        "report.by_objective": "按战略目标分列的覆盖情况",
        "report.chart_supported": "有国别计划成果支持的国别层面即时成果",
        "report.chart_strategies": "有成果战略的即时成果",
        "report.matrix": "按区域和即时成果分列的体面劳动国别计划优先事项",
        "report.matrix_intro": (
            "每一行为一项体面劳动国别计划；数字表示该计划有多少项优先事项"
            "通过国别计划成果追溯至该列的即时成果。"
        ),
        "report.matrix_compact": (
            "本区域有 {programmes} 项计划和 {outcomes} 项即时成果，矩阵将有 {cells} 个单元格，"
            "几乎全部为空：因此每项计划改为列出其优先事项所追溯至的即时成果，"
            "并注明追溯至每项成果的优先事项数目。"
        ),
        "table.outcomes_reached": "追溯至的即时成果（优先事项数）",
        "type.strategic-objective": "战略目标",
        "type.intermediate-outcome": "中期成果",
        "type.immediate-outcome": "即时成果",
        "type.indicator": "指标",
        "type.target": "具体目标",
        "type.outcome-strategy": "成果战略",
        "type.dwcp": "体面劳动国别计划",
        "type.dwcp-priority": "国别计划优先事项",
        "type.cpo": "国别计划成果",
        "option.scope": "范围",
        "option.unit": "计量单位",
        "option.baseline": "基线",
        "option.measurement": "衡量方法",
        "option.biennium": "两年期",
        "option.value": "数值",
        "option.regular_budget": "经常预算（美元）",
        "option.extra_budgetary": "预算外资源（美元）",
        "option.rbsa": "经常预算补充账户（美元）",
        "option.country": "国家",
        "option.region": "区域",
        "option.status": "状态",
        "option.period": "期限",
        "link.contributes_to.out": "促进实现",
        "link.contributes_to.in": "得到以下各项促进",
        "link.measures.out": "衡量",
        "link.measures.in": "衡量指标",
        "link.sets_target_for.out": "设定目标的指标",
        "link.sets_target_for.in": "具体目标",
        "link.implements.out": "落实",
        "link.implements.in": "落实战略",
        "link.part_of.out": "所属计划",
        "link.part_of.in": "优先事项",
        "link.realises.out": "实现",
        "link.realises.in": "由以下成果实现",
        "type.result": "结果",
        "type.outcome-report": "成果报告",
        "type.lesson": "经验教训",
        "type.recommendation": "建议",
        "type.management-strategy": "管理战略",
        "type.strategy-link": "战略联系",
        "type.milestone": "里程碑",
        "option.criteria_met": "符合的标准",
        "option.spent_regular_budget": "经常预算支出（美元）",
        "option.spent_extra_budgetary": "预算外资源支出（美元）",
        "option.spent_rbsa": "经常预算补充账户支出（美元）",
        "option.source": "来源",
        "option.due": "期限",
        "option.owner": "负责单位",
        "option.kind": "类别",
        "option.year": "年份",
        "option.area": "领域",
        "option.capacity_level": "能力层次",
        "option.capacity_kind": "能力类别",
        "status.open": "未落实",
        "status.in-progress": "正在落实",
        "status.implemented": "已落实",
        "status.rejected": "未采纳",
        "kind.core": "核心管理战略",
        "kind.other": "其他战略",
        "area.integrated-management-strategies": "一体化管理战略",
        "area.performance-accountability": "业绩和问责制",
        "area.programme-cycle-reform": "改革计划周期",
        "capacity_level.individual": "个人",
        "capacity_level.organizational": "组织",
        "capacity_level.enabling-environment": "扶持性环境",
        "capacity_kind.technical": "技术能力",
        "capacity_kind.functional": "职能能力",
        "link.reports_on.out": "报告对象",
        "link.reports_on.in": "相关报告",
        "link.achieved_through.out": "通过以下国别计划成果取得",
        "link.achieved_through.in": "取得的结果",
        "link.informs.out": "适用于",
        "link.informs.in": "经验教训",
        "link.addresses.out": "针对",
        "link.addresses.in": "建议",
        "link.from.out": "从",
        "link.from.in": "与其他战略的联系",
        "link.to.out": "至",
        "link.to.in": "其他战略的联系",
    },
}


#: Translations from a project's ``rbmdocs`` catalogue: language → label key → text.
_CATALOGUE_LABELS: dict[str, dict[str, str]] = {}

#: The gettext domain (catalogue name) of the labels.
LABEL_DOMAIN: Final = "rbmdocs"


def use_catalogue_labels(language: str, translations: dict[str, str]) -> None:
    """Take the labels of ``language`` from a catalogue (label key → translation).

    In the catalogue a label's key is the message context (``msgctxt``) and its English
    text the message, so two labels with the same English text can differ in translation.
    """
    _CATALOGUE_LABELS[language] = dict(translations)


def builtin_labels(language: str) -> dict[str, str]:
    """The labels written in this module for ``language`` (none for most languages)."""
    return dict(_LABELS.get(language, {}))


def english_labels() -> dict[str, str]:
    """Every label key with its English text: the messages of the ``rbmdocs`` catalogue."""
    return dict(_LABELS["en"])


def label(key: str, language: str | None, **values: str) -> str:
    """The label ``key`` in ``language`` (falling back to English), with ``values`` filled in.

    A project's catalogue comes first, then the built-in labels, then English.
    """
    language = language or "en"
    english = _LABELS["en"].get(key, key)
    from_catalogue = _CATALOGUE_LABELS.get(language, {}).get(key)
    table = _LABELS.get(language) or _LABELS.get(language.split("_")[0], {})
    text = from_catalogue or table.get(key) or english
    return text.format(**values) if values else text
