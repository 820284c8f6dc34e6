"""The rule reference and the need-type reference, rendered from ``schema.py``.

The user guide shows these tables through directives rather than typed text, so the
guide cannot drift from what the engine checks.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from rbmdocs.schema import NEED_TYPES, RULES, ValueFormat


def _cell_row(cells: list[str], *, header: bool = False) -> nodes.row:
    row = nodes.row()
    for text in cells:
        paragraph = nodes.paragraph()
        if header:
            paragraph += nodes.strong(text, text)
        else:
            paragraph += _with_literals(text)
        row += nodes.entry("", paragraph)
    return row


def _with_literals(text: str) -> list[nodes.Node]:
    """Text where `backticked` parts become literals, as the schema writes them."""
    parts = text.split("`")
    return [
        nodes.literal(part, part) if index % 2 else nodes.Text(part)
        for index, part in enumerate(parts)
        if part
    ]


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["rbmdocs-table", "rbmdocs-reference"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=width) for width in widths)
    group += nodes.thead("", _cell_row(headers, header=True))
    group += nodes.tbody("", *(_cell_row(row) for row in rows))
    return table


class RuleReferenceDirective(SphinxDirective):
    """``{rbmdocs-rules}``: every rule with its severity, when it fires and what to do."""

    def run(self) -> list[nodes.Node]:
        """One row per rule of ``schema.RULES``."""
        rows = [
            [
                rule.rule_id,
                f"{rule.severity}; {rule.when_final} once the report is final"
                if rule.when_final
                else rule.severity,
                rule.fires_when,
                rule.hint,
            ]
            for rule in RULES
        ]
        return [
            _table(["Rule", "Default severity", "Fires when", "What to do"], rows, [1, 1, 4, 4])
        ]


def _field_text(spec_format: ValueFormat, choices: tuple[str, ...], default: str | None) -> str:
    text = {
        ValueFormat.TEXT: "text",
        ValueFormat.CHOICE: " | ".join(f"`{choice}`" for choice in choices),
        ValueFormat.BIENNIUM: "`YYYY-YY`",
        ValueFormat.PERIOD: "`YYYY-YYYY`",
        ValueFormat.AMOUNT: "whole US$, digits only",
        ValueFormat.YEAR: "`YYYY`",
        ValueFormat.DATE: "`YYYY-MM-DD`",
    }[spec_format]
    return f"{text} (default `{default}`)" if default else text


class NeedTypeReferenceDirective(SphinxDirective):
    """``{rbmdocs-need-types}``: every need type with its prefix, options and links."""

    def run(self) -> list[nodes.Node]:
        """One row per need type of ``schema.NEED_TYPES``."""
        rows = []
        for spec in NEED_TYPES:
            options = "; ".join(
                f"`{field.name}`{'' if field.required else ' (optional)'}: "
                f"{_field_text(field.value_format, field.choices, field.default)}"
                for field in spec.fields
            )
            links = "; ".join(
                f"`{link.name}` → {' or '.join(f'`{t}`' for t in link.targets)} "
                f"({link.count_text()}{'' if link.written_in_yaml else ', from the YAML nesting'})"
                for link in spec.links
            )
            rows.append(
                [f"`{spec.directive}`", f"`{spec.prefix}`", spec.home, options or "—", links or "—"]
            )
        headers = ["Directive", "ID prefix", "Written in", "Options", "Links"]
        return [_table(headers, rows, [3, 1, 2, 5, 5])]


#: The guide's reference tables, generated from schema.py, by directive name.
REFERENCE_DIRECTIVES: dict[str, type[SphinxDirective]] = {
    "rbmdocs-rules": RuleReferenceDirective,
    "rbmdocs-need-types": NeedTypeReferenceDirective,
}


def setup_reference(app: Sphinx) -> None:
    """Register the reference directives."""
    for name, directive in REFERENCE_DIRECTIVES.items():
        app.add_directive(name, directive)
