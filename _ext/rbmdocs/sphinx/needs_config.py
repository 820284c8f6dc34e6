"""Declare the results framework to sphinx-needs from ``schema.py``.

Listing ``rbmdocs`` alone in ``extensions`` must be enough, so the need types, fields
and link types are set here rather than in every project's conf.py. The values are
constants of the schema, so Sphinx sees the same configuration on every build and an
incremental build stays incremental.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx_needs.config import DEFAULT_NEED_TYPES

from rbmdocs.render.labels import label
from rbmdocs.render.need_box import BoxLayout, draw_need_boxes
from rbmdocs.schema import NEED_TYPES, all_field_names, all_link_specs

LAYOUT = "rbmdocs"
DWCP_LAYOUT = "rbmdocs_dwcp"
#: Shown, labelled and in the build language, in the summary at the top of a DWCP page.
DWCP_SUMMARY_FIELDS = ("region", "status", "period", "country")

#: Options sphinx-needs already has as core fields: we use its own (``status``).
_CORE_FIELDS = frozenset({"status", "title", "id", "type", "tags"})


def configure_sphinx_needs(_app: Sphinx, config: Config) -> None:
    """Add our need types, fields and links to the sphinx-needs configuration.

    Runs at ``config-inited`` before sphinx-needs reads its configuration (priority 12).
    A project's own types, fields and links are kept; ours are added beside them.
    """
    language = config.language or "en"
    configured_types = list(config.needs_types)
    if configured_types == list(DEFAULT_NEED_TYPES):
        configured_types = []
    known = {entry.get("directive") for entry in configured_types if isinstance(entry, dict)}
    configured_types.extend(
        {
            "directive": spec.directive,
            "title": label(f"type.{spec.directive}", language),
            "prefix": spec.prefix,
            "color": spec.color,
            "style": "rectangle",
        }
        for spec in NEED_TYPES
        if spec.directive not in known
    )
    config.needs_types = configured_types

    fields: dict[str, Any] = dict(config.needs_fields)
    for name in all_field_names():
        if name not in _CORE_FIELDS:
            fields.setdefault(name, {"description": f"rbmdocs option {name}", "nullable": True})
    config.needs_fields = fields

    links: dict[str, Any] = dict(config.needs_links)
    for name in all_link_specs():
        links.setdefault(
            name,
            {
                "outgoing": label(f"link.{name}.out", language),
                "incoming": label(f"link.{name}.in", language),
                # dead links and wrong targets are RBM010/RBM011, reported once, by us
                "allow_dead_links": True,
            },
        )
    config.needs_links = links
    layouts = dict(config.needs_layouts)
    for name, shown_elsewhere in _SHOWN_ELSEWHERE.items():
        layouts.setdefault(name, _layout(language, shown_elsewhere))
    config.needs_layouts = layouts
    if config.needs_default_layout == "clean":
        config.needs_default_layout = LAYOUT
    # RBM001 reports a bad ID; sphinx-needs' default pattern would drop `SO_1` silently.
    config.needs_id_regex = ""
    # Our engine is the schema check. sphinx-needs' own report would only add a file
    # whose timing changes every build; a project that declares its own schemas keeps it.
    if not config.needs_schema_definitions and not config.needs_schema_definitions_from_json:
        config.needs_schema_validation_enabled = False


def _labelled_options(
    language: str, shown_elsewhere: tuple[str, ...]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Our options as a box shows them (name, label), and every name the box hides.

    The raw option names (``regular_budget``) mean nothing to a reader; each option gets
    its label, and only options with a value are shown.
    """
    names = ["status", *(name for name in all_field_names() if name not in _CORE_FIELDS)]
    hidden_names = [*names, "layout", "style"]
    shown = [
        (name, f"{label(f'option.{name}', language)}{label('option.separator', language)}")
        for name in names
        if name not in shown_elsewhere
    ]
    return shown, hidden_names


_SHOWN_ELSEWHERE: dict[str, tuple[str, ...]] = {LAYOUT: (), DWCP_LAYOUT: DWCP_SUMMARY_FIELDS}


def _layout(language: str, shown_elsewhere: tuple[str, ...] = ()) -> dict[str, Any]:
    """sphinx-needs' clean layout, with our options labelled in the build language."""
    shown, hidden_names = _labelled_options(language, shown_elsewhere)
    options = [f'<<meta("{name}", prefix="{prefix}")>>' for name, prefix in shown]
    hidden = ", ".join(f'"{name}"' for name in hidden_names)
    return {
        "grid": "simple",
        "layout": {
            "head": ['<<meta("type_name")>>: **<<meta("title")>>** <<meta_id()>>'],
            "meta": [
                *options,
                f"<<meta_all(no_links=True, exclude=[{hidden}])>>",
                "<<meta_links_all()>>",
            ],
        },
    }


def drawn_layouts(config: Config) -> dict[str, BoxLayout]:
    """Our layouts that ``render.need_box`` may draw itself, by name.

    A layout the project has redefined under our name is left to sphinx-needs, and so are
    all of them when the project configures string links, which only sphinx-needs applies.
    """
    if config.needs_string_links:
        return {}
    language = config.language or "en"
    drawn: dict[str, BoxLayout] = {}
    for name, shown_elsewhere in _SHOWN_ELSEWHERE.items():
        if config.needs_layouts.get(name) != _layout(language, shown_elsewhere):
            continue
        shown, hidden_names = _labelled_options(language, shown_elsewhere)
        drawn[name] = BoxLayout(name, shown, hidden_names, language)
    return drawn


def draw_our_need_boxes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, before sphinx-needs (500): our layouts' boxes, drawn directly."""
    draw_need_boxes(app, doctree, docname, drawn_layouts(app.config))
