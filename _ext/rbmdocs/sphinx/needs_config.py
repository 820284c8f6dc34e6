"""Declare the results framework to sphinx-needs from ``schema.py``.

Listing ``rbmdocs`` alone in ``extensions`` must be enough, so the need types, fields
and link types are set here rather than in every project's conf.py. The values are
constants of the schema, so Sphinx sees the same configuration on every build and an
incremental build stays incremental.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from rbmdocs.render.labels import label
from rbmdocs.schema import NEED_TYPES, all_field_names, all_link_specs

#: sphinx-needs' defaults for the ``{need}`` role: "title (ID)", the title cut at 30.
_ROLE_TEMPLATE_DEFAULT = "{{ title }} ({{ id }})"
_ROLE_TITLE_LENGTH_DEFAULT = 30

#: Options sphinx-needs already has as core fields: we use its own (``status``).
_CORE_FIELDS = frozenset({"status", "title", "id", "type", "tags"})


def configure_sphinx_needs(_app: Sphinx, config: Config) -> None:
    """Add our need types, fields and links to the sphinx-needs configuration.

    Runs at ``config-inited`` before sphinx-needs reads its configuration (priority 12).
    A project's own types, fields and links are kept; ours are added beside them.
    """
    language = config.language or "en"
    configured_types = list(config.needs_types)
    # sphinx-needs' example types (req, spec, impl...) are its default, not the project's
    # choice: the default as registered, read through Sphinx's config, in every version
    if configured_types == list(config.values["needs_types"].default):
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
    # a reference in prose reads as the need's title, whole: a document a reader reads
    # never prints a bare ID or a title cut after 30 characters (a project's own choice stays)
    if config.needs_role_need_template == _ROLE_TEMPLATE_DEFAULT:
        config.needs_role_need_template = "{{ title }}"
    if config.needs_role_need_max_title_length == _ROLE_TITLE_LENGTH_DEFAULT:
        config.needs_role_need_max_title_length = -1
    # RBM001 reports a bad ID; sphinx-needs' default pattern would drop `SO_1` silently.
    config.needs_id_regex = ""
    # Our engine is the schema check. sphinx-needs' own report would only add a file
    # whose timing changes every build; a project that declares its own schemas keeps it.
    if not config.needs_schema_definitions and not config.needs_schema_definitions_from_json:
        config.needs_schema_validation_enabled = False
