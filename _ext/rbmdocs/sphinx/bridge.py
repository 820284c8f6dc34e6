"""Everything the extension registers with Sphinx, in one readable list."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.fileutil import copy_asset_file

from rbmdocs.config import register_config_values, validate_config
from rbmdocs.sphinx.check_builder import CheckBuilder
from rbmdocs.sphinx.checking import (
    forget_graph_as_read,
    note_prose_references,
    run_traceability_check,
)
from rbmdocs.sphinx.diagrams import setup_diagrams
from rbmdocs.sphinx.directives import register_traced_directives
from rbmdocs.sphinx.dwcp_data import setup_dwcp_data
from rbmdocs.sphinx.dwcp_external import setup_dwcp_external
from rbmdocs.sphinx.dwcp_pages import setup_dwcp_pages
from rbmdocs.sphinx.env_data import merge_notes, purge_notes
from rbmdocs.sphinx.i18n import setup_i18n
from rbmdocs.sphinx.languages import SEARCH_SCRIPT, setup_languages
from rbmdocs.sphinx.latex import setup_latex
from rbmdocs.sphinx.need_views import setup_need_views
from rbmdocs.sphinx.needs_config import configure_sphinx_needs
from rbmdocs.sphinx.page_context import setup_page_context
from rbmdocs.sphinx.paragraphs import setup_paragraphs
from rbmdocs.sphinx.parallel import setup_parallel
from rbmdocs.sphinx.reference import setup_reference
from rbmdocs.sphinx.site import SITE_ASSETS, setup_site
from rbmdocs.sphinx.tables import setup_tables
from rbmdocs.sphinx.trace_links import SCRIPT_FILE as TRACE_SCRIPT
from rbmdocs.sphinx.trace_links import setup_trace_links

_STATIC = Path(__file__).parent.parent / "render" / "static"


def _enable_colon_fences(_app: Sphinx, config: Config) -> None:
    """MyST colon fences (``:::{immediate-outcome}``) are the authoring format of SPEC §3.1."""
    extensions = list(config.myst_enable_extensions)
    if "colon_fence" not in extensions:
        config.myst_enable_extensions = [*extensions, "colon_fence"]


def _copy_static(app: Sphinx, _builder: object) -> None:
    """``write-started``: our stylesheet and scripts next to Sphinx's, before any page.

    Sphinx names an asset in a page with its checksum (``rbmdocs.css?v=97c4f830``) when
    the file is there as the page is written; copied after the pages, the first build's
    pages named them bare and every later build's with the checksum, so two builds of the
    same sources gave different pages. (The config is never touched for them.)
    """
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in ("rbmdocs.css", TRACE_SCRIPT, SEARCH_SCRIPT, *SITE_ASSETS):
        # force: a changed file must replace the copy of an earlier build
        copy_asset_file(_STATIC / name, static, force=True)


def setup_bridge(app: Sphinx) -> None:
    """Everything ``rbmdocs.setup`` registers, in one readable list."""
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_needs")
    register_config_values(app)
    app.connect("config-inited", validate_config, priority=1)
    app.connect("config-inited", _enable_colon_fences, priority=2)
    # before sphinx-needs resolves its types (12) and registers their directives (500)
    app.connect("config-inited", configure_sphinx_needs, priority=5)
    app.connect("config-inited", register_traced_directives, priority=800)
    setup_need_views(app)
    app.add_css_file("rbmdocs.css")
    app.connect("write-started", _copy_static)

    app.add_builder(CheckBuilder)
    # the DWCP YAML is data, not documents: read by our loader, written as pages
    setup_dwcp_data(app)
    setup_dwcp_pages(app)
    setup_dwcp_external(app)

    app.connect("env-purge-doc", purge_notes)
    app.connect("env-merge-info", merge_notes)
    # after sphinx-needs has resolved the needs on write-started (priority 500)
    app.connect("write-started", run_traceability_check, priority=700)
    app.connect("env-before-read-docs", forget_graph_as_read)
    app.connect("doctree-read", note_prose_references)
    setup_tables(app)
    setup_reference(app)
    setup_i18n(app)
    setup_languages(app)
    setup_site(app)
    setup_latex(app)
    setup_paragraphs(app)
    setup_trace_links(app)
    setup_diagrams(app)
    setup_page_context(app)
    setup_parallel(app)
