"""The one declaration of the results framework: need types, their fields and links, the rules.

Everything else reads this module: the Sphinx bridge registers the types with sphinx-needs
from it, the YAML loader takes the DWCP field names from it, the graph engine checks
against it, and the rule reference in the user guide is rendered from it, so none of them
can drift apart. A new need type or rule is one entry here (plus a rule kind in
``graph/`` only if it is a new kind of check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

REGIONS: Final = ("africa", "americas", "arab-states", "asia-pacific", "europe-central-asia")
DWCP_STATUSES: Final = ("concept", "draft", "final")
SCOPES: Final = ("country", "global")
RECOMMENDATION_STATUSES: Final = ("open", "in-progress", "implemented", "rejected")
#: Recommendation statuses that still call for action (RBM040 looks at their due date).
UNFINISHED_STATUSES: Final = ("open", "in-progress")
MILESTONE_AREAS: Final = (
    "integrated-management-strategies",
    "performance-accountability",
    "programme-cycle-reform",
)
STRATEGY_KINDS: Final = ("core", "other")
CAPACITY_LEVELS: Final = ("individual", "organizational", "enabling-environment")
CAPACITY_KINDS: Final = ("technical", "functional")
REPORT_STATUSES: Final = ("draft", "final")
SEVERITIES: Final = ("error", "warning", "off")

#: IDs are ASCII upper case: a letter, then letters, digits and underscores.
ID_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9_]*")
#: A period of years, ``YYYY-YYYY`` (``ValueFormat.PERIOD``, the SPF period in conf.py).
PERIOD_PATTERN: Final = re.compile(r"(\d{4})-(\d{4})")


class ValueFormat(StrEnum):
    """How the text of an option is checked (rule RBM003)."""

    TEXT = "text"
    CHOICE = "choice"
    BIENNIUM = "biennium"
    PERIOD = "period"
    AMOUNT = "amount"
    YEAR = "year"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """An option of a need type, as written in Markdown (``:unit: percentage``) or YAML."""

    name: str
    required: bool = False
    value_format: ValueFormat = ValueFormat.TEXT
    choices: tuple[str, ...] = ()
    default: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A link option: which need types it may point to and how many targets it takes."""

    name: str
    targets: tuple[str, ...]
    min_count: int = 1
    max_count: int | None = 1
    written_in_yaml: bool = True
    """False for links the YAML nesting gives (``part_of``, ``realises``)."""
    to_container: bool = False
    """The target holds the need rather than stands above or below it in the results chain
    (a priority is part of its DWCP): a trace names it beside the need, never as a step."""

    def count_text(self) -> str:
        """The allowed number of targets in words, for messages and the rule reference."""
        if self.max_count is None:
            return f"{self.min_count} or more"
        if self.min_count == self.max_count:
            return f"exactly {self.min_count}"
        return f"{self.min_count} to {self.max_count}"


@dataclass(frozen=True, slots=True)
class NeedTypeSpec:
    """A need type of the results framework."""

    directive: str
    prefix: str
    title: str
    home: str
    fields: tuple[FieldSpec, ...] = ()
    links: tuple[LinkSpec, ...] = ()
    color: str = "#FFFFFF"
    level: int = 0
    """Place in the results chain, objectives first: ``trace --up`` goes to lower levels."""

    def field_named(self, name: str) -> FieldSpec | None:
        """The field of this type called ``name``, if it has one."""
        return next((spec for spec in self.fields if spec.name == name), None)


def _amount(name: str, description: str) -> FieldSpec:
    return FieldSpec(name, required=True, value_format=ValueFormat.AMOUNT, description=description)


def _choice(
    name: str, choices: tuple[str, ...], description: str, *, required: bool = True
) -> FieldSpec:
    return FieldSpec(
        name,
        required=required,
        value_format=ValueFormat.CHOICE,
        choices=choices,
        description=description,
    )


#: What lessons inform and recommendations address: the results and how they are pursued.
_LEARNING_TARGETS: Final = ("immediate-outcome", "intermediate-outcome", "outcome-strategy")


_BIENNIUM = FieldSpec(
    "biennium",
    required=True,
    value_format=ValueFormat.BIENNIUM,
    description="The P&B biennium, `YYYY-YY` with the second year the first plus one.",
)

NEED_TYPES: Final[tuple[NeedTypeSpec, ...]] = (
    NeedTypeSpec(
        "strategic-objective",
        "SO_",
        "Strategic objective",
        "spf",
        color="#1F4E79",
        level=0,
    ),
    NeedTypeSpec(
        "intermediate-outcome",
        "IMO_",
        "Intermediate outcome",
        "spf",
        links=(
            LinkSpec(
                "contributes_to",
                ("strategic-objective",),
            ),
        ),
        color="#2E75B6",
        level=1,
    ),
    NeedTypeSpec(
        "immediate-outcome",
        "IO_",
        "Immediate outcome",
        "spf",
        fields=(
            FieldSpec(
                "scope",
                value_format=ValueFormat.CHOICE,
                choices=SCOPES,
                default="country",
                description="`country` when country programmes should contribute to it.",
            ),
        ),
        links=(
            LinkSpec(
                "contributes_to",
                ("intermediate-outcome",),
            ),
        ),
        color="#9DC3E6",
        level=2,
    ),
    NeedTypeSpec(
        "indicator",
        "IND_",
        "Indicator",
        "spf",
        fields=(
            FieldSpec("unit", required=True, description="What is counted."),
            FieldSpec("baseline", required=True, description="The starting value."),
            FieldSpec(
                "measurement",
                required=True,
                description="The criteria a result must meet to be counted.",
            ),
        ),
        links=(
            LinkSpec(
                "measures",
                ("immediate-outcome",),
            ),
        ),
        color="#C5E0B4",
        level=3,
    ),
    NeedTypeSpec(
        "target",
        "TGT_",
        "Target",
        "programme_budget",
        fields=(
            _BIENNIUM,
            FieldSpec("value", required=True, description="The value to reach."),
            FieldSpec(
                "baseline",
                description="Where the biennium starts: the result reported for the biennium "
                "before (RBM062).",
            ),
        ),
        links=(
            LinkSpec(
                "sets_target_for",
                ("indicator",),
            ),
        ),
        color="#FFE699",
        level=4,
    ),
    NeedTypeSpec(
        "outcome-strategy",
        "STR_",
        "Outcome strategy",
        "programme_budget",
        fields=(
            _BIENNIUM,
            _amount("regular_budget", "Regular budget, whole US$."),
            _amount("extra_budgetary", "Extra-budgetary resources, whole US$."),
            _amount("rbsa", "Regular Budget Supplementary Account, whole US$."),
        ),
        links=(
            LinkSpec(
                "implements",
                ("immediate-outcome",),
            ),
            LinkSpec("follows_up", ("recommendation",), min_count=0, max_count=None),
        ),
        color="#F4B183",
        level=3,
    ),
    NeedTypeSpec(
        "dwcp",
        "DWCP_",
        "Decent Work Country Programme",
        "data/dwcp",
        fields=(
            FieldSpec("country", required=True, description="The country's name."),
            FieldSpec(
                "region",
                required=True,
                value_format=ValueFormat.CHOICE,
                choices=REGIONS,
                description="The ILO region.",
            ),
            FieldSpec(
                "status",
                required=True,
                value_format=ValueFormat.CHOICE,
                choices=DWCP_STATUSES,
                description="Where the programme stands.",
            ),
            FieldSpec(
                "period",
                required=True,
                value_format=ValueFormat.PERIOD,
                description="The years it covers, `YYYY-YYYY`.",
            ),
        ),
        color="#A9D18E",
        level=6,
    ),
    NeedTypeSpec(
        "dwcp-priority",
        "PRI_",
        "DWCP priority",
        "data/dwcp",
        links=(
            LinkSpec(
                "part_of",
                ("dwcp",),
                written_in_yaml=False,
                to_container=True,
            ),
        ),
        color="#D5E8D4",
        level=5,
    ),
    NeedTypeSpec(
        "cpo",
        "CPO_",
        "Country programme outcome",
        "data/dwcp",
        fields=(
            _BIENNIUM,
            _choice(
                "capacity_level",
                CAPACITY_LEVELS,
                "For capacity development: the level of capacity the CPO builds.",
                required=False,
            ),
            _choice(
                "capacity_kind",
                CAPACITY_KINDS,
                "For capacity development: technical (a subject) or functional (to plan, "
                "manage, evaluate).",
                required=False,
            ),
            *(
                FieldSpec(name, description=description)
                for name, description in (
                    ("indicator", "The CPO's own indicator, what the country measures."),
                    ("baseline", "The value of the CPO's indicator when the biennium starts."),
                    ("target", "The value of the CPO's indicator to reach by its end."),
                )
            ),
        ),
        links=(
            LinkSpec(
                "realises",
                ("dwcp-priority",),
                written_in_yaml=False,
            ),
            LinkSpec(
                "contributes_to",
                ("immediate-outcome",),
                max_count=None,
            ),
        ),
        color="#E2F0D9",
        level=4,
    ),
    NeedTypeSpec(
        "result",
        "RES_",
        "Result",
        "implementation_report",
        fields=(
            _BIENNIUM,
            FieldSpec("value", required=True, description="What was achieved, against the target."),
            FieldSpec(
                "criteria_met",
                description="Which of the indicator's measurement criteria the result meets.",
            ),
        ),
        links=(
            LinkSpec("reports_on", ("target",)),
            LinkSpec("achieved_through", ("cpo",), min_count=0, max_count=None),
        ),
        color="#FFD966",
        level=5,
    ),
    NeedTypeSpec(
        "outcome-report",
        "ORP_",
        "Outcome report",
        "implementation_report",
        fields=(
            _BIENNIUM,
            _amount("spent_regular_budget", "Regular budget spent, whole US$."),
            _amount("spent_extra_budgetary", "Extra-budgetary resources spent, whole US$."),
            _amount("spent_rbsa", "RBSA spent, whole US$."),
        ),
        links=(LinkSpec("reports_on", ("immediate-outcome",)),),
        color="#F8CBAD",
        level=3,
    ),
    NeedTypeSpec(
        "lesson",
        "LES_",
        "Lesson learned",
        "spf",
        fields=(FieldSpec("source", required=True, description="The evaluation it comes from."),),
        links=(LinkSpec("informs", _LEARNING_TARGETS, max_count=None),),
        color="#D9D2E9",
        level=4,
    ),
    NeedTypeSpec(
        "recommendation",
        "REC_",
        "Recommendation",
        "spf",
        fields=(
            _choice(
                "status",
                RECOMMENDATION_STATUSES,
                "Where its follow-up stands.",
            ),
            FieldSpec(
                "due",
                required=True,
                value_format=ValueFormat.DATE,
                description="When it should be implemented, `YYYY-MM-DD`.",
            ),
            FieldSpec("owner", required=True, description="The unit that follows it up."),
            FieldSpec("source", description="The evaluation that made it."),
        ),
        links=(LinkSpec("addresses", _LEARNING_TARGETS, max_count=None),),
        color="#B4A7D6",
        level=4,
    ),
    NeedTypeSpec(
        "management-strategy",
        "MST_",
        "Management strategy",
        "spf",
        fields=(
            _choice(
                "kind",
                STRATEGY_KINDS,
                "`core` for the core management strategies, the columns of the strategy "
                "matrix; `other` for strategies that link to them.",
            ),
        ),
        color="#DDEBF7",
        level=0,
    ),
    NeedTypeSpec(
        "strategy-link",
        "SLK_",
        "Strategy link",
        "spf",
        links=(
            LinkSpec("from", ("management-strategy",)),
            LinkSpec("to", ("management-strategy",)),
        ),
        color="#EDEDED",
        level=1,
    ),
    NeedTypeSpec(
        "milestone",
        "MIL_",
        "Milestone",
        "spf",
        fields=(
            FieldSpec(
                "year",
                required=True,
                value_format=ValueFormat.YEAR,
                description="The year it is due, `YYYY`.",
            ),
            FieldSpec("status", required=True, description="Where it stands, in words."),
            _choice("area", MILESTONE_AREAS, "The part of the RBM roadmap it belongs to."),
        ),
        color="#FFF2CC",
        level=0,
    ),
)

NEED_TYPES_BY_NAME: Final[dict[str, NeedTypeSpec]] = {spec.directive: spec for spec in NEED_TYPES}


def all_field_names() -> list[str]:
    """Every option name any need type declares, in declaration order, once each."""
    names: dict[str, None] = {}
    for spec in NEED_TYPES:
        names.update((field_spec.name, None) for field_spec in spec.fields)
    return list(names)


def all_link_specs() -> dict[str, LinkSpec]:
    """One LinkSpec per link option name (labels are shared across need types)."""
    links: dict[str, LinkSpec] = {}
    for spec in NEED_TYPES:
        for link in spec.links:
            links.setdefault(link.name, link)
    return links


class RuleKind(StrEnum):
    """How a rule is evaluated; each kind is one pass in ``graph/``."""

    ID_FORMAT = "id-format"
    REQUIRED = "required"
    VALUE_FORMAT = "value-format"
    DUPLICATE = "duplicate"
    LINK_EXISTS = "link-exists"
    REFERENCE_EXISTS = "reference-exists"
    LINK_TARGET_TYPE = "link-target-type"
    LINK_COUNT = "link-count"
    CYCLE = "cycle"
    PATH_DOWN = "path-down"
    PATH_UP = "path-up"
    HAS_INCOMING = "has-incoming"
    PER_BIENNIUM = "per-biennium"
    BIENNIUM_IN_BUILD = "biennium-in-build"
    REPORTED = "reported"
    RESULT_THROUGH_CPOS = "result-through-cpos"
    SAME_BIENNIUM = "same-biennium"
    OVERDUE = "overdue"
    MATRIX_CELL = "matrix-cell"
    WITHIN_PROGRAMME = "within-programme"
    PROGRAMME_FILE = "programme-file"
    BASELINE_FROM_RESULT = "baseline-from-result"
    FOLLOWED_UP = "followed-up"
    REGION_SUM = "region-sum"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A traceability rule: what it checks, how bad it is, and what to do about it."""

    rule_id: str
    severity: str
    kind: RuleKind
    fires_when: str
    hint: str
    applies_to: tuple[str, ...] = ()
    """Need types it looks at; empty means every type."""
    params: dict[str, str] = field(default_factory=dict)
    when_final: str = ""
    """The severity once the document the rule waits for is final: the implementation report
    of the biennium (`rbmdocs_reports`) or, for RBM063, the next P&B (`rbmdocs_pb_status`)."""


RULES: Final[tuple[RuleSpec, ...]] = (
    RuleSpec(
        "RBM001",
        "error",
        RuleKind.ID_FORMAT,
        "ID does not start with its type's prefix or is not `[A-Z][A-Z0-9_]*`",
        "Use the type's prefix and only upper-case ASCII letters, digits and underscores.",
    ),
    RuleSpec(
        "RBM002",
        "error",
        RuleKind.REQUIRED,
        "a required option is missing or empty",
        "Add the option with a value; the need type's table in the guide lists them.",
    ),
    RuleSpec(
        "RBM003",
        "error",
        RuleKind.VALUE_FORMAT,
        "an option's value has the wrong format or is not in its list",
        "Write the value in the format the need type's table gives.",
    ),
    RuleSpec(
        "RBM004",
        "error",
        RuleKind.DUPLICATE,
        "two needs share an ID",
        "Give one of the needs a new ID; IDs never change once published.",
    ),
    RuleSpec(
        "RBM010",
        "error",
        RuleKind.LINK_EXISTS,
        "a link names an ID that does not exist",
        "Correct the ID, or add the need it names.",
    ),
    RuleSpec(
        "RBM011",
        "error",
        RuleKind.LINK_TARGET_TYPE,
        "a link points to a type that the table does not allow",
        "Point the link at a need of the type the table allows.",
    ),
    RuleSpec(
        "RBM012",
        "error",
        RuleKind.LINK_COUNT,
        "a link option has fewer or more targets than the table allows",
        "Give the link option as many targets as the table allows.",
    ),
    RuleSpec(
        "RBM013",
        "error",
        RuleKind.CYCLE,
        "`contributes_to` links form a cycle",
        "Remove one `contributes_to` link of the cycle so that results lead upwards.",
        params={"link": "contributes_to"},
    ),
    RuleSpec(
        "RBM014",
        "error",
        RuleKind.REFERENCE_EXISTS,
        "a reference in prose (``{need}`ID` ``) names an ID that does not exist",
        "Correct the ID in the reference, or add the need it names.",
    ),
    RuleSpec(
        "RBM020",
        "error",
        RuleKind.PATH_DOWN,
        "a DWCP priority reaches no immediate outcome through its CPOs "
        "(priority ← realises ← CPO → contributes_to → IO)",
        "Add a CPO that realises the priority and contributes to an existing immediate outcome.",
        applies_to=("dwcp-priority",),
    ),
    RuleSpec(
        "RBM021",
        "error",
        RuleKind.PATH_UP,
        "an immediate outcome does not reach a strategic objective through `contributes_to`",
        "Link the outcome to an intermediate outcome that contributes to a strategic objective.",
        applies_to=("immediate-outcome",),
    ),
    RuleSpec(
        "RBM022",
        "error",
        RuleKind.HAS_INCOMING,
        "an immediate outcome has no indicator",
        "Add an indicator whose `measures` names the outcome.",
        applies_to=("immediate-outcome",),
        params={"link": "measures", "source_type": "indicator"},
    ),
    RuleSpec(
        "RBM023",
        "error",
        RuleKind.PER_BIENNIUM,
        "an indicator has no target for a P&B biennium in the build",
        "Add a target with `sets_target_for` naming the indicator for each biennium.",
        applies_to=("indicator",),
        params={"link": "sets_target_for", "source_type": "target"},
    ),
    RuleSpec(
        "RBM024",
        "error",
        RuleKind.PER_BIENNIUM,
        "an immediate outcome has no outcome strategy for a P&B biennium in the build",
        "Add an outcome strategy with `implements` naming the outcome for each biennium.",
        applies_to=("immediate-outcome",),
        params={"link": "implements", "source_type": "outcome-strategy"},
    ),
    RuleSpec(
        "RBM025",
        "error",
        RuleKind.BIENNIUM_IN_BUILD,
        "a `biennium` names no P&B in the build, or lies outside the SPF period",
        "Use a biennium listed in `rbmdocs_bienniums`, inside `rbmdocs_spf_period`.",
    ),
    RuleSpec(
        "RBM026",
        "warning",
        RuleKind.HAS_INCOMING,
        "an immediate outcome with `scope: country` has no CPO contributing to it",
        "Link a CPO to the outcome, or give it `scope: global`.",
        applies_to=("immediate-outcome",),
        params={"link": "contributes_to", "source_type": "cpo", "scope": "country"},
    ),
    RuleSpec(
        "RBM030",
        "warning",
        RuleKind.REPORTED,
        "a target of a reported biennium has no result (an error once the report is final)",
        "Add a result with `reports_on` naming the target, in the implementation report.",
        applies_to=("target",),
        params={"link": "reports_on", "source_type": "result"},
        when_final="error",
    ),
    RuleSpec(
        "RBM031",
        "warning",
        RuleKind.REPORTED,
        "an immediate outcome has no outcome report for a reported biennium "
        "(an error once the report is final)",
        "Add an outcome report with `reports_on` naming the outcome, in the implementation report.",
        applies_to=("immediate-outcome",),
        params={"link": "reports_on", "source_type": "outcome-report"},
        when_final="error",
    ),
    RuleSpec(
        "RBM032",
        "error",
        RuleKind.RESULT_THROUGH_CPOS,
        "a result names a CPO (`achieved_through`) that does not contribute to the immediate "
        "outcome its target's indicator measures",
        "Name only CPOs whose `contributes_to` includes the outcome, or link the CPO to it.",
        applies_to=("result",),
    ),
    RuleSpec(
        "RBM033",
        "error",
        RuleKind.SAME_BIENNIUM,
        "a result's biennium is not the biennium of the target it reports on",
        "Report on the target of the same biennium, or correct the `biennium`.",
        applies_to=("result",),
        params={"link": "reports_on"},
    ),
    RuleSpec(
        "RBM040",
        "warning",
        RuleKind.OVERDUE,
        "a recommendation still open or in progress is past its due date "
        "(the build date is `rbmdocs_build_date`)",
        "Implement it and set `status: implemented`, or agree a new `due` date.",
        applies_to=("recommendation",),
    ),
    RuleSpec(
        "RBM050",
        "error",
        RuleKind.MATRIX_CELL,
        "a strategy link joins a strategy to itself, or fills a cell of the strategy matrix "
        "that another link fills",
        "Write the cell's text in one strategy link between two different strategies.",
        applies_to=("strategy-link",),
    ),
    RuleSpec(
        "RBM060",
        "error",
        RuleKind.WITHIN_PROGRAMME,
        "a CPO's biennium does not lie within the period of its DWCP",
        "Give the CPO a biennium inside the DWCP's `period`, or correct the period.",
        applies_to=("cpo",),
    ),
    RuleSpec(
        "RBM061",
        "error",
        RuleKind.PROGRAMME_FILE,
        "a DWCP's `id` is not `DWCP_` followed by its file's ISO code, or that code is not an "
        "ISO 3166-1 alpha-3 country code",
        "Name the file after the country's ISO 3166-1 alpha-3 code (KEN.yaml) and give the "
        "programme the ID DWCP_ plus that code.",
        applies_to=("dwcp",),
    ),
    RuleSpec(
        "RBM062",
        "warning",
        RuleKind.BASELINE_FROM_RESULT,
        "a target's `baseline` differs from the result reported on the same indicator for the "
        "biennium before (or is missing where there is such a result)",
        "Set the target's `baseline` to the result reported for the previous biennium.",
        applies_to=("target",),
    ),
    RuleSpec(
        "RBM063",
        "warning",
        RuleKind.FOLLOWED_UP,
        "a recommendation accepted in one biennium is followed up by no outcome strategy of the "
        "next (`follows_up`); an error once that P&B is final (`rbmdocs_pb_status`)",
        "Name the recommendation in `follows_up` of the strategy of the next biennium that "
        "acts on it.",
        applies_to=("recommendation",),
        when_final="error",
    ),
    RuleSpec(
        "RBM064",
        "error",
        RuleKind.REGION_SUM,
        "a target's or its baseline's figures by region do not add up to its total",
        "Correct the total or the regional figures so that they agree.",
        applies_to=("target",),
    ),
)

RULES_BY_ID: Final[dict[str, RuleSpec]] = {rule.rule_id: rule for rule in RULES}


#: rbmdocs' own directives that draw from the needs and make none: the generated tables
#: (``sphinx/tables.py``, ``sphinx/cycle_tables.py``) and the guide's reference tables
#: (``sphinx/reference.py``). The project index passes over them as it passes over a
#: code block; a test holds this list to the directives the extension registers.
GENERATED_DIRECTIVES: Final[tuple[str, ...]] = (
    "capacity-table",
    "dwcp-index",
    "dwcp-status-table",
    "expenditure-table",
    "milestone-table",
    "outcome-results",
    "priorities-by-outcome",
    "recommendation-follow-up",
    "resource-table",
    "results-across-bienniums",
    "results-framework",
    "strategy-matrix",
    "traceability-report",
    "rbmdocs-rules",
    "rbmdocs-need-types",
)
