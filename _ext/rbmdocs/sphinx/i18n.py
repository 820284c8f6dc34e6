"""Need titles and reader-facing options through the gettext catalogues, like any paragraph.

sphinx-needs 9.1 sends a need's body through Sphinx's translation, but not its title or its
options: they are directive arguments, stored in the needs data before Sphinx's ``Locale``
transform runs, so they never reach a catalogue and never come back translated. Two pieces
close the gap:

* ``need_messages`` nodes carry the original title and text options of each need in the
  doctree, each with its context (``IND_2_1.unit``) and a comment for the translator; in
  a ``gettext`` build ``collect_messages`` gathers them (and what every other string is:
  heading, table cell) into a file beside the templates, which ``rbmdocs i18n update``
  adds to the document's catalogue. Every other builder drops the nodes before writing.
* ``translate_need_text`` looks the same strings up in the document's catalogue while the
  directive runs, so sphinx-needs stores (and every table, link and check shows) the
  translated title. IDs, links and checked values (bienniums, amounts, choices) are never
  translated.

A catalogue that changes makes Sphinx re-read the documents of its domain, because Sphinx
notes each document's ``.mo`` file as a dependency.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages

from rbmdocs.catalogues.checks import check_placeholders
from rbmdocs.render.labels import LABEL_DOMAIN, label, use_catalogue_labels
from rbmdocs.schema import NEED_TYPES_BY_NAME, ValueFormat

#: Builders that read ``need_messages`` nodes; every other builder removes them.
_EXTRACTING_BUILDERS = frozenset({"gettext"})


class need_messages(nodes.Element, addnodes.translatable):
    """The original strings of one need, for the ``gettext`` builder only.

    Each entry is (context, text, comment): ``IND_2_1.unit``, the English, "option unit of
    indicator IND_2_1". Sphinx extracts the texts in document order, without a context;
    ``collect_messages`` records the contexts, which ``rbmdocs i18n update`` puts in place.
    """

    def preserve_original_messages(self) -> None:
        """Nothing to keep: the strings are already the originals."""

    def apply_translated_message(self, original_message: str, translated_message: str) -> None:
        """Nothing to do: the directive has translated the need already."""

    def extract_original_messages(self) -> Sequence[str]:
        """The need's title and text options, as written."""
        entries: list[list[str]] = self.get("entries", [])
        return [entry[1] for entry in entries]


def translatable_options(directive: str) -> tuple[str, ...]:
    """The options of a need type that readers read as text (unit, baseline, …)."""
    spec = NEED_TYPES_BY_NAME.get(directive)
    if spec is None:
        return ()
    return tuple(
        field_spec.name for field_spec in spec.fields if field_spec.value_format is ValueFormat.TEXT
    )


_catalogues: dict[tuple[str, str, str], tuple[tuple[int, ...], dict[str, str]]] = {}


def document_catalogue(env: BuildEnvironment, docname: str) -> dict[str, str]:
    """The translations of ``docname``'s catalogue (empty for the source language).

    The compiled ``.mo`` files are read directly (the first locale folder wins, as in
    Sphinx), once per process, and again when one changes: Python's ``gettext`` would
    keep the first version it read for the life of the process.
    """
    language = env.config.language or "en"
    domain = docname_to_domain(docname, env.config.gettext_compact)
    dirs = [Path(env.srcdir) / directory for directory in env.config.locale_dirs]
    mo_files = [folder / language / "LC_MESSAGES" / f"{domain}.mo" for folder in dirs]
    stamps = tuple(path.stat().st_mtime_ns if path.is_file() else 0 for path in mo_files)
    key = (str(env.srcdir), language, domain)
    cached = _catalogues.get(key)
    if cached is not None and cached[0] == stamps:
        return cached[1]
    merged: dict[str, str] = {}
    for path in reversed([path for path in mo_files if path.is_file()]):
        with path.open("rb") as stream:
            translations = GNUTranslations(stream)
        catalogue: dict[Any, Any] = getattr(translations, "_catalog", {})
        merged |= {k: v for k, v in catalogue.items() if isinstance(k, str) and k}
    _catalogues[key] = (stamps, merged)
    return merged


NeedMessage = tuple[str, str, str]
"""(context, text, comment) of one translatable string of a need."""


def translate_need_text(
    env: BuildEnvironment, directive: str, arguments: list[str], options: dict[str, Any]
) -> list[NeedMessage]:
    """Translate a need's title and text options in place; return the originals.

    Each string is looked up with its context (``IO_4.title``, ``IND_2_1.unit``), so one
    unit can read differently for two indicators; a catalogue written before the contexts
    existed is still read by the text alone. An empty or missing translation keeps the
    original, so a half-translated catalogue gives a half-translated page, never an empty
    title.
    """
    originals: list[NeedMessage] = []
    catalogue = document_catalogue(env, env.docname)
    spec = NEED_TYPES_BY_NAME.get(directive)
    kind = spec.title.lower() if spec is not None else directive
    need_id = str(options.get("id") or directive)
    if arguments and arguments[0].strip():
        context = f"{need_id}.title"
        originals.append((context, arguments[0], f"title of {kind} {need_id}"))
        arguments[0] = _lookup(catalogue, context, arguments[0])
    for name in translatable_options(directive):
        value = options.get(name)
        if isinstance(value, str) and value.strip():
            context = f"{need_id}.{name}"
            originals.append((context, value, f"option {name} of {kind} {need_id}"))
            options[name] = _lookup(catalogue, context, value)
    return originals


def _lookup(catalogue: dict[str, str], context: str, message: str) -> str:
    for key in (f"{context}\x04{message}", message):
        translated = catalogue.get(key, "")
        if translated.strip():
            return translated
    return message


def messages_node(originals: Iterable[NeedMessage], source: str, line: int) -> need_messages:
    """A ``need_messages`` node at the need's own location."""
    node = need_messages(entries=[list(entry) for entry in originals])
    node.source, node.line = source, line
    return node


#: What ``collect_messages`` gathered in this process, by gettext output folder.
_collected: dict[str, dict[str, Any]] = {}

#: The file, beside the ``.pot`` templates, that carries contexts and comments.
MESSAGE_CONTEXTS_FILE = "rbmdocs-contexts.json"


def _kind_of(node: nodes.Node) -> str:
    """What a translatable node is, in a translator's words ("" for a paragraph)."""
    parent: nodes.Node | None = node
    while parent is not None:
        if isinstance(parent, nodes.title):
            return "heading"
        if isinstance(parent, nodes.caption):
            return "caption"
        if isinstance(parent, nodes.entry):
            return "table cell"
        if isinstance(parent, nodes.list_item):
            return "list item"
        if isinstance(parent, nodes.section | nodes.document):
            return ""
        parent = parent.parent
    return ""


def collect_messages(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` in a gettext build: the need strings and what each text is."""
    if app.builder.name not in _EXTRACTING_BUILDERS:
        return
    domain = docname_to_domain(docname, app.config.gettext_compact)
    store = _collected.setdefault(str(app.outdir), {"needs": [], "kinds": {}, "plain": {}})
    source = app.env.doc2path(docname, False).as_posix()
    for holder in doctree.findall(need_messages):
        entries: list[list[str]] = holder.get("entries", [])
        for context, text, comment in entries:
            store["needs"].append([domain, context, text, comment, str(source)])
    kinds = store["kinds"].setdefault(domain, {})
    plain = store["plain"].setdefault(domain, {})
    for node, message in extract_messages(doctree):
        if isinstance(node, need_messages):
            continue
        plain[message] = plain.get(message, 0) + 1  # the text is also a paragraph, heading…
        kind = _kind_of(node)
        if kind:
            kinds.setdefault(message, set()).add(kind)


def write_collected_messages(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: write what ``collect_messages`` gathered beside the templates."""
    store = _collected.pop(str(app.outdir), None)
    if store is None or exception is not None:
        return
    kinds = {
        domain: {text: sorted(found) for text, found in sorted(by_text.items())}
        for domain, by_text in sorted(store["kinds"].items())
    }
    plain = {domain: sorted(texts) for domain, texts in sorted(store["plain"].items())}
    data = {"needs": store["needs"], "kinds": kinds, "plain": plain}
    (Path(app.outdir) / MESSAGE_CONTEXTS_FILE).write_text(
        json.dumps(data, ensure_ascii=False, indent=0), "utf-8"
    )


class DropNeedMessages(SphinxPostTransform):
    """Remove ``need_messages`` before any writer but ``gettext`` sees them.

    Registered only for a builder that does not extract messages (``builder-inited``):
    a post-transform no longer reaches the builder since Sphinx 9 deprecated its ``app``.
    """

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        """Remove every ``need_messages`` node."""
        for node in list(self.document.findall(need_messages)):
            node.parent.remove(node)


def load_catalogue_labels(app: Sphinx, config: Config) -> None:
    """Read the project's ``rbmdocs`` catalogue of labels for the build language, if any.

    Read from the ``.po`` file with Babel, because the labels are needed at
    ``config-inited`` (need type names go to sphinx-needs then), before Sphinx compiles
    catalogues. Fuzzy and empty translations are left out, as Sphinx does.
    """
    language = config.language or "en"
    translations: dict[str, str] = {}
    for folder in config.locale_dirs:
        path = Path(app.srcdir) / folder / language / "LC_MESSAGES" / f"{LABEL_DOMAIN}.po"
        if not path.is_file():
            continue
        with path.open("rb") as stream:
            catalogue = read_po(stream, locale=language)
        for message in catalogue:
            if message.id and message.context and message.string and not message.fuzzy:
                translations.setdefault(str(message.context), str(message.string))
        # a label whose placeholders differ from the English would fail where it is used;
        # the build stops before that with the line (preflight), a bare Sphinx run shows English
        if check_placeholders(catalogue, []) is not None:
            translations = {
                key: text
                for key, text in translations.items()
                if check_placeholders(_one_label(key, text, catalogue), []) is None
            }
    use_catalogue_labels(language, translations)


#: conf.py values readers see on every page; ``rbmdocs i18n update`` puts them into the
#: root document's catalogue, and a build in another language shows their translation.
TRANSLATED_CONFIG_VALUES = ("project", "html_title", "copyright", "rbmdocs_organisation")


def translate_config_texts(app: Sphinx, config: Config) -> None:
    """Show the site title in the build language (it is conf.py text, not a page's)."""
    catalogue = po_translations(Path(app.srcdir), config, config.root_doc)
    for name in TRANSLATED_CONFIG_VALUES:
        value = getattr(config, name, None)
        if isinstance(value, str) and value in catalogue:
            setattr(config, name, catalogue[value])


def po_translations(
    srcdir: Path, config: Config, docname: str, language: str | None = None
) -> dict[str, str]:
    """The translations of ``docname``'s catalogue, read from the ``.po`` file.

    For what must be known at ``config-inited``, before Sphinx compiles the catalogues;
    ``language`` is the build's unless another is asked for (the side-by-side edition's
    partner).
    """
    language = language or config.language or "en"
    domain = docname_to_domain(docname, config.gettext_compact)
    for folder in config.locale_dirs:
        path = srcdir / folder / language / "LC_MESSAGES" / f"{domain}.po"
        if path.is_file():
            with path.open("rb") as stream:
                catalogue = read_po(stream, locale=language)
            return {
                str(message.id): str(message.string)
                for message in catalogue
                if message.id and message.string and not message.fuzzy
            }
    return {}


def _one_label(key: str, text: str, catalogue: Catalog) -> Catalog:
    single = Catalog()
    for message in catalogue:
        if message.context == key:
            single.add(message.id, text, context=key, flags=message.flags)
    return single


_PERMALINK_HEADING = re.compile(r"<h1>[^<]*</h1>")


def translate_permalink_page(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the sphinx-needs permalink page in the build language.

    sphinx-needs writes ``permalink.html`` (the page a need's permalink opens while it looks
    the need up) from a template with a fixed English heading; in another language the
    heading becomes the ``permalink.searching`` label of ``rbmdocs.po``.
    """
    language = app.config.language or "en"
    if exception is not None or app.builder.format != "html" or language == "en":
        return
    page = Path(app.outdir) / Path(str(getattr(app.config, "needs_permalink_file", ""))).name
    if not page.is_file():
        return
    text = page.read_text("utf-8")
    heading = html.escape(label("permalink.searching", language))
    translated = _PERMALINK_HEADING.sub(f"<h1>{heading}</h1>", text, count=1)
    translated = translated.replace(
        '<html lang="en">', f'<html lang="{language.replace("_", "-")}">'
    )
    if translated != text:
        page.write_text(translated, "utf-8")


def adopt_translated_nodes(_app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: make every node of a translated page belong to the page's document.

    Sphinx's ``Locale`` transform parses each translated message into a document of its
    own and moves the parsed nodes into the page; each moved node still names that
    throw-away document as its ``document``, and the throw-away document keeps the
    build's settings, which hold the whole build environment. Sphinx clears the
    environment from the page's own settings before it pickles the doctree, but not from
    the throw-away documents', so every translated page's doctree pickled a copy of the
    environment: slow to save, slow to load, large on disk. Pointing the nodes at their
    page (docutils' public ``Node.document``) leaves the page's content as it was and
    lets its pickle hold the page alone. Runs early in ``doctree-read``, before the
    environment's collectors copy titles out of the doctree.
    """
    for node in doctree.findall():
        if node.document is not doctree:
            node.document = doctree


def _drop_need_messages_unless_extracting(app: Sphinx) -> None:
    """``builder-inited``: every builder but ``gettext`` removes the ``need_messages``."""
    if app.builder.name not in _EXTRACTING_BUILDERS:
        app.add_post_transform(DropNeedMessages)


def setup_i18n(app: Sphinx) -> None:
    """Register the node, its post-transform, the choice labels and the label catalogue."""
    # before the need types take their names from the labels (configure_sphinx_needs, 5)
    app.connect("config-inited", load_catalogue_labels, priority=3)
    app.connect("config-inited", translate_config_texts, priority=3)
    app.add_node(need_messages)
    app.connect("builder-inited", _drop_need_messages_unless_extracting)
    app.connect("doctree-read", adopt_translated_nodes, priority=100)
    app.connect("build-finished", translate_permalink_page)
    app.connect("doctree-resolved", collect_messages)
    app.connect("build-finished", write_collected_messages)
    # sphinx-needs lays out need boxes on doctree-resolved at the default priority (500)
