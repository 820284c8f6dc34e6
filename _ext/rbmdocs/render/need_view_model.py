"""What a reader sees of each need, as plain data: our presentation, decided without Sphinx.

A Governing Body document presents an outcome as its statement, a table of its indicators
(measurement, baseline, target for the biennium), its strategy as text and its
resources; links read as the names of what they point to ("Outcome 4: Social security"),
and the country programmes behind an outcome read as countries by region, by name. None of
that is sphinx-needs' box of ``option: ID`` lines, so the presentation is ours: this
module decides *what* each need shows, from the records the traceability check reads, and
the Sphinx bridge (``sphinx/need_views.py``) turns it into docutils nodes for each writer.

Kept free of Sphinx so that the same model can serve the incremental build (a page is
written again when the model of one of its needs changes) and, later, other front ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rbmdocs.graph import NeedGraph
from rbmdocs.graph.model import NeedRecord, natural_key
from rbmdocs.render.collation import SortKey, sort_key
from rbmdocs.render.labels import label
from rbmdocs.schema import NEED_TYPES_BY_NAME, REGIONS, ValueFormat

#: Need types whose links are read as countries, not as names one by one.
COUNTRY_TYPES = frozenset({"cpo", "dwcp-priority", "dwcp"})
#: Need types whose traceability panel starts open: a programme's, at the top of its page,
#: where reviewers start to walk the chain.
OPEN_PANEL_TYPES = frozenset({"dwcp"})
#: Above this many country programme needs, a list of links reads as countries by region.
COUNTRY_LIST_FROM = 6


@dataclass(frozen=True, slots=True)
class NeedRef:
    """A link as a reader sees it: the name of what it points to, and where that is."""

    id: str
    name: str
    file: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One labelled value (``Baseline: 14 member States (2008-09)``)."""

    label: str
    value: str
    refs: tuple[NeedRef, ...] = ()
    """When the value is a link: the needs it names, shown by name."""


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One row of an outcome's table of indicators."""

    indicator: NeedRef
    statement: str
    measurement: str
    baseline: str
    targets: tuple[tuple[str, str, NeedRef | None], ...]
    """(biennium, target value, the target need) for each biennium of the table."""


@dataclass(frozen=True, slots=True)
class CountryGroup:
    """The countries of one region behind an outcome, by name, with the needs they hold."""

    region: str
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkGroup:
    """One kind of link of a need (``Contributes to``), named and in reading order."""

    label: str
    refs: tuple[NeedRef, ...]
    countries: tuple[CountryGroup, ...] = ()
    """For links to country programmes: the same needs read as countries by region."""


@dataclass(frozen=True, slots=True)
class NeedView:
    """Everything a need shows, in the build language, in the order it is shown."""

    id: str
    type: str
    type_label: str
    heading: str
    """The first line of the view: the statement of an outcome, the title of the rest."""
    statement_ref: NeedRef | None = None
    """What the heading names when the need presents another (a strategy, its outcome)."""
    facts: tuple[Fact, ...] = ()
    lead_facts: tuple[Fact, ...] = ()
    """Facts shown right after the first paragraph of the need's text: an indicator's
    measurement introduces the list of criteria that follows its wording."""
    indicators: tuple[IndicatorRow, ...] = ()
    bienniums: tuple[str, ...] = ()
    """The bienniums of the indicator table's target columns."""
    resources: tuple[tuple[str, int], ...] = ()
    """(label, amount) for each resource column, the total last."""
    countries: tuple[CountryGroup, ...] = ()
    countries_label: str = ""
    links: tuple[LinkGroup, ...] = ()
    """Every link both ways, for the traceability panel."""
    show_heading: bool = True
    """False when the section the need stands under is headed with the same words."""
    compact: bool = False
    """A need the page shows elsewhere too (a target in its outcome's table): one line."""
    panel_open: bool = False
    strategy_title: str = ""
    """A strategy's own title, heading its text (the view's heading is its outcome's)."""


@dataclass(slots=True)
class NeedTexts:
    """What the read phase saw of each need beyond its record, in the build language."""

    statements: Mapping[str, str] = field(default_factory=dict)
    """Need ID → the first paragraph of its text (an indicator's full wording)."""
    sections: Mapping[str, str] = field(default_factory=dict)
    """Need ID → the title of the section it stands in ("Outcome 4: Social security")."""


def reader_name(record: NeedRecord, sections: Mapping[str, str]) -> str:
    """How a reader names a need: "Outcome 4: Social security", or its title.

    An immediate outcome or a strategic objective is known by the heading it stands under
    in the SPF ("Employment"); every other need by its title. An ID is shown only when
    there is nothing else.
    """
    if record.type in _KNOWN_BY_HEADING:
        section = sections.get(record.id, "").strip()
        if section:
            return section
    return record.title.strip() or record.id


#: Need types a reader knows by the heading they stand under.
_KNOWN_BY_HEADING = frozenset({"immediate-outcome", "strategic-objective"})


class ViewMaker:
    """Makes the views of one build: the graph, the texts, the language and the bienniums."""

    def __init__(
        self,
        graph: NeedGraph,
        texts: NeedTexts,
        language: str,
        bienniums: Iterable[str] = (),
    ) -> None:
        self.graph = graph
        self.texts = texts
        self.language = language or "en"
        self.bienniums = tuple(bienniums)
        # an outcome's countries are shown in its view and again in its panel, and a
        # country's name is sorted wherever it appears: each is worked out once
        self._countries: dict[tuple[str, ...], tuple[CountryGroup, ...]] = {}
        self._sort_keys: dict[str, SortKey] = {}

    # -- words ------------------------------------------------------------------------

    def text(self, key: str, **values: str) -> str:
        """A label in the build language."""
        return label(key, self.language, **values)

    def name(self, record: NeedRecord) -> str:
        """How a reader names a need (``reader_name``)."""
        return reader_name(record, self.texts.sections)

    def ref(self, need_id: str) -> NeedRef | None:
        """A link to ``need_id`` by name, or None when no such need exists."""
        record = self.graph.need(need_id)
        if record is None:
            return None
        return NeedRef(record.id, self.name(record), record.file)

    def joined(self, parts: Iterable[str]) -> str:
        """Names in a list, separated as the language separates them (、 in Chinese)."""
        return self.text("list.separator").join(parts)

    # -- the parts of a view -----------------------------------------------------------

    def countries(self, need_ids: Iterable[str]) -> tuple[CountryGroup, ...]:
        """Country programme needs read as countries by region, each country once.

        A CPO leads to its priority, a priority to its programme, and the programme names
        the country and region. Regions come in the framework's order, countries in the
        order of their names in the build language (for Chinese, by pinyin).
        """
        wanted = tuple(need_ids)
        found = self._countries.get(wanted)
        if found is None:
            found = self._countries[wanted] = self._group_by_country(wanted)
        return found

    def country_lines(self, groups: Iterable[CountryGroup]) -> list[str]:
        """A line a region ("Africa (2): Ghana, Kenya"), in the language's punctuation."""
        return [
            self.text(
                "view.country_group",
                region=group.region,
                count=str(len(group.countries)),
                countries=self.joined(group.countries),
            )
            for group in groups
        ]

    def _sort_key(self, name: str) -> SortKey:
        key = self._sort_keys.get(name)
        if key is None:
            key = self._sort_keys[name] = sort_key(name, self.language)
        return key

    def _group_by_country(self, need_ids: tuple[str, ...]) -> tuple[CountryGroup, ...]:
        by_region: dict[str, set[str]] = defaultdict(set)
        for need_id in need_ids:
            programme = self._programme_of(need_id)
            if programme is None:
                continue
            country = programme.fields.get("country", "").strip() or programme.id
            region = programme.fields.get("region", "").strip()
            by_region[region].add(country)
        groups: list[CountryGroup] = []
        known = [region for region in REGIONS if region in by_region]
        others = sorted(region for region in by_region if region not in REGIONS)
        for region in known + others:
            countries = sorted(by_region[region], key=self._sort_key)
            region_label = self.text(f"region.{region}") if region else self.text("region.unknown")
            groups.append(CountryGroup(region_label, tuple(countries)))
        return tuple(groups)

    def _programme_of(self, need_id: str) -> NeedRecord | None:
        record = self.graph.need(need_id)
        for _step in range(3):
            if record is None or record.type == "dwcp":
                break
            link = _UP_TO_PROGRAMME.get(record.type)
            targets = (record.links.get(link) or ()) if link else ()
            record = self.graph.need(targets[0]) if targets else None
        return record if record is not None and record.type == "dwcp" else None

    def facts(self, record: NeedRecord, skip: Iterable[str] = ()) -> tuple[Fact, ...]:
        """The need's own options with a value, labelled, choices and amounts as read."""
        spec = NEED_TYPES_BY_NAME.get(record.type)
        if spec is None:
            return ()
        skipped = set(skip)
        facts: list[Fact] = []
        for field_spec in spec.fields:
            value = record.fields.get(field_spec.name, "")
            if not value or field_spec.name in skipped:
                continue
            if field_spec.value_format is ValueFormat.CHOICE:
                shown = self.text(f"{field_spec.name}.{value}")
                value = value if shown == f"{field_spec.name}.{value}" else shown
            elif field_spec.value_format is ValueFormat.AMOUNT and value.isdigit():
                value = f"{int(value):,}"
            facts.append(Fact(self.text(f"option.{field_spec.name}"), value))
        return tuple(facts)

    def link_fact(self, record: NeedRecord, link: str) -> Fact | None:
        """A link option shown among the facts, its targets by name."""
        refs = tuple(ref for target in record.links.get(link) or () if (ref := self.ref(target)))
        if not refs:
            return None
        return Fact(
            _capitalised(self.text(f"link.{link}.out")),
            self.joined(ref.name for ref in refs),
            refs,
        )

    def link_groups(self, record: NeedRecord) -> tuple[LinkGroup, ...]:
        """Every link of the need, out then in, by name; country programmes as countries."""
        groups: list[LinkGroup] = []
        spec = NEED_TYPES_BY_NAME.get(record.type)
        for link_spec in spec.links if spec else ():
            refs = tuple(
                ref
                for target in record.links.get(link_spec.name) or ()
                if (ref := self.ref(target))
            )
            if refs:
                groups.append(self._group(f"link.{link_spec.name}.out", refs))
        for link, sources in sorted(self.graph.incoming_links(record.id).items()):
            refs = tuple(
                ref for source in sorted(set(sources), key=natural_key) if (ref := self.ref(source))
            )
            if refs:
                groups.append(self._group(f"link.{link}.in", refs))
        return tuple(groups)

    def _group(self, key: str, refs: tuple[NeedRef, ...]) -> LinkGroup:
        country_ids = [
            ref.id
            for ref in refs
            if (found := self.graph.need(ref.id)) and found.type in COUNTRY_TYPES
        ]
        as_countries = len(country_ids) == len(refs) and len(refs) >= COUNTRY_LIST_FROM
        countries = self.countries(country_ids) if as_countries else ()
        return LinkGroup(_capitalised(self.text(key)), refs, countries)

    def indicator_rows(self, outcome_id: str, bienniums: Iterable[str]) -> tuple[IndicatorRow, ...]:
        """The indicators of an outcome with their targets for ``bienniums``."""
        wanted = tuple(bienniums)
        rows: list[IndicatorRow] = []
        indicators = self.graph.sources_of_type(outcome_id, "measures", "indicator")
        for indicator in sorted({need.id: need for need in indicators}.values(), key=_by_id):
            targets = self.graph.sources_of_type(indicator.id, "sets_target_for", "target")
            by_biennium: dict[str, NeedRecord] = {}
            for target in sorted(targets, key=_by_id):
                by_biennium.setdefault(target.fields.get("biennium", "").strip(), target)
            cells: list[tuple[str, str, NeedRef | None]] = []
            for biennium in wanted:
                set_for = by_biennium.get(biennium)
                if set_for is None:
                    cells.append((biennium, "", None))
                else:
                    value = set_for.fields.get("value", "").strip()
                    cells.append(
                        (biennium, value, NeedRef(set_for.id, set_for.title, set_for.file))
                    )
            # a table of one biennium starts where its target does (the result of the
            # biennium before); a table over several, where the SPF does
            baseline = indicator.fields.get("baseline", "").strip()
            only = by_biennium.get(wanted[0]) if len(wanted) == 1 else None
            if only is not None and only.fields.get("baseline", "").strip():
                baseline = only.fields.get("baseline", "").strip()
            rows.append(
                IndicatorRow(
                    NeedRef(indicator.id, self.name(indicator), indicator.file),
                    self.texts.statements.get(indicator.id, "").strip(),
                    indicator.fields.get("measurement", "").strip(),
                    baseline,
                    tuple(cells),
                )
            )
        return tuple(rows)

    # -- the views ---------------------------------------------------------------------

    def view(self, need_id: str) -> NeedView | None:
        """The view of one need, or None for a need the graph does not hold."""
        record = self.graph.need(need_id)
        if record is None:
            return None
        make = _MAKERS.get(record.type, ViewMaker._generic)
        return make(self, record)

    def _base(self, record: NeedRecord, **values: object) -> NeedView:
        values.setdefault("heading", record.title.strip() or record.id)
        values.setdefault("links", self.link_groups(record))
        values.setdefault("panel_open", record.type in OPEN_PANEL_TYPES)
        # under a heading that already says it, the view does not say it again
        section = self.texts.sections.get(record.id, "").strip()
        values.setdefault("show_heading", section != values["heading"])
        return NeedView(
            id=record.id,
            type=record.type,
            type_label=self.text(f"type.{record.type}"),
            **values,  # type: ignore[arg-type]
        )

    def _generic(self, record: NeedRecord) -> NeedView:
        spec = NEED_TYPES_BY_NAME.get(record.type)
        facts = list(self.facts(record))
        for link_spec in spec.links if spec else ():
            if link_spec.name in _IN_PANEL_ONLY:
                continue
            fact = self.link_fact(record, link_spec.name)
            if fact is not None:
                facts.append(fact)
        return self._base(record, facts=tuple(facts))

    def _immediate_outcome(self, record: NeedRecord) -> NeedView:
        cpos = self.graph.sources_of_type(record.id, "contributes_to", "cpo")
        return self._base(
            record,
            facts=self.facts(record, skip=("scope",)),
            countries=self.countries(sorted({cpo.id for cpo in cpos}, key=natural_key)),
            countries_label=self.text("view.countries"),
        )

    def _strategy(self, record: NeedRecord) -> NeedView:
        outcome_ids = record.links.get("implements") or ()
        outcome = self.graph.need(outcome_ids[0]) if outcome_ids else None
        biennium = record.fields.get("biennium", "").strip()
        amounts = [
            (self.text(f"option.{name}"), _amount(record.fields.get(name, "")))
            for name in ("regular_budget", "extra_budgetary", "rbsa")
        ]
        amounts.append((self.text("table.all_resources"), sum(value for _, value in amounts)))
        return self._base(
            record,
            heading=outcome.title.strip() if outcome else record.title,
            statement_ref=self.ref(outcome.id) if outcome else None,
            facts=(),
            indicators=self.indicator_rows(outcome.id, [biennium]) if outcome else (),
            bienniums=(biennium,),
            resources=tuple(amounts),
            strategy_title=record.title.strip(),
        )

    def _indicator(self, record: NeedRecord) -> NeedView:
        lead = self.facts(record, skip=("unit", "baseline"))
        facts = list(self.facts(record, skip=("measurement",)))
        targets = self.graph.sources_of_type(record.id, "sets_target_for", "target")
        for target in sorted({need.id: need for need in targets}.values(), key=_by_id):
            biennium = target.fields.get("biennium", "").strip()
            value = target.fields.get("value", "").strip()
            if value:
                facts.append(
                    Fact(
                        self.text("view.target_for", biennium=biennium),
                        value,
                        (NeedRef(target.id, value, target.file),),
                    )
                )
        return self._base(record, facts=tuple(facts), lead_facts=lead)

    def _target(self, record: NeedRecord) -> NeedView:
        indicator_ids = record.links.get("sets_target_for") or ()
        indicator = self.graph.need(indicator_ids[0]) if indicator_ids else None
        biennium = record.fields.get("biennium", "").strip()
        heading = self.text(
            "view.target_heading",
            indicator=self.name(indicator) if indicator else "",
            biennium=biennium,
        )
        return self._base(
            record,
            heading=heading,
            statement_ref=self.ref(indicator.id) if indicator else None,
            facts=self._target_facts(record),
            compact=True,
        )

    def _target_facts(self, record: NeedRecord) -> tuple[Fact, ...]:
        """The value to reach and, in a biennium drafted from the last, where it starts."""
        facts = [Fact(self.text("option.value"), record.fields.get("value", "").strip())]
        baseline = record.fields.get("baseline", "").strip()
        if baseline:
            facts.append(Fact(self.text("option.baseline"), baseline))
        return tuple(facts)

    def _outcome_report(self, record: NeedRecord) -> NeedView:
        outcome_ids = record.links.get("reports_on") or ()
        outcome = self.graph.need(outcome_ids[0]) if outcome_ids else None
        amounts = [
            (self.text(f"option.{name}"), _amount(record.fields.get(name, "")))
            for name in ("spent_regular_budget", "spent_extra_budgetary", "spent_rbsa")
        ]
        amounts.append((self.text("view.total_spent"), sum(value for _, value in amounts)))
        return self._base(
            record,
            statement_ref=self.ref(outcome.id) if outcome else None,
            facts=self.facts(
                record, skip=("spent_regular_budget", "spent_extra_budgetary", "spent_rbsa")
            ),
            resources=tuple(amounts),
        )

    def _result(self, record: NeedRecord) -> NeedView:
        facts = list(self.facts(record))
        fact = self.link_fact(record, "reports_on")
        if fact is not None:
            target = self.graph.need(fact.refs[0].id)
            indicator_ids = target.links.get("sets_target_for") or () if target else ()
            indicator = self.graph.need(indicator_ids[0]) if indicator_ids else None
            if target is not None:
                named = self.text(
                    "view.target_of",
                    indicator=self.name(indicator) if indicator else target.title,
                    value=target.fields.get("value", "").strip(),
                )
                fact = Fact(
                    self.text("view.against_target"),
                    named,
                    (NeedRef(target.id, named, target.file),),
                )
            facts.insert(0, fact)
        cpos = sorted(set(record.links.get("achieved_through") or ()), key=natural_key)
        return self._base(
            record,
            facts=tuple(facts),
            countries=self.countries(cpos),
            countries_label=self.text("view.achieved_in"),
        )

    def _cpo(self, record: NeedRecord) -> NeedView:
        facts = [*self.facts(record)]
        fact = self.link_fact(record, "contributes_to")
        if fact is not None:
            facts.append(fact)
        return self._base(record, facts=tuple(facts))

    def _programme(self, record: NeedRecord) -> NeedView:
        # the page's summary shows the programme's own fields; its priorities are sections
        return self._base(record, facts=(), compact=True)


def _capitalised(text: str) -> str:
    """Labels start with a capital, as every label of the site does."""
    return text[:1].upper() + text[1:]


def _amount(value: str) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() else 0


def _by_id(record: NeedRecord) -> tuple[tuple[tuple[int, int | str], ...], str]:
    return natural_key(record.id)


#: The link that leads from a country programme need one step up to its programme.
_UP_TO_PROGRAMME = {"cpo": "realises", "dwcp-priority": "part_of"}

#: Links a view names only in its traceability panel: the nesting of the page shows them.
_IN_PANEL_ONLY = frozenset({"part_of", "realises"})

_MAKERS = {
    "immediate-outcome": ViewMaker._immediate_outcome,
    "outcome-strategy": ViewMaker._strategy,
    "indicator": ViewMaker._indicator,
    "target": ViewMaker._target,
    "outcome-report": ViewMaker._outcome_report,
    "result": ViewMaker._result,
    "cpo": ViewMaker._cpo,
    "dwcp": ViewMaker._programme,
    "dwcp-priority": ViewMaker._programme,
}
