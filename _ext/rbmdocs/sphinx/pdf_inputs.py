"""Which PDFs must be made again: a digest of what each one shows, kept between builds.

Sphinx's LaTeX builder writes every document each time, and resolving and writing them
costs seconds per language even when latexmk then finds every ``.tex`` unchanged. Most
edits change no PDF at all (a DWCP file is shown by pages that no PDF holds), so the
PDF step asks first whether any PDF's inputs changed, and builds only those that did.

What a PDF shows is what the HTML build of the same language has just rendered of its
documents (the start page and every page under it in the table of contents): the HTML
build rewrites exactly the pages whose content changed, their tables and need views
included (``docs/building.md``, "What a second build rewrites"), so a digest of each
page's rendered body, taken as the page is written, changes whenever the page's content
does. Added to it, for what the HTML body does not show: the documents' source files and
their dependencies (a ``latex``-only block, an included file, an image), conf.py and the
LaTeX settings, the language's catalogues (the masthead is translated there), the
templates, and the versions of Sphinx and of this extension's code.

The HTML build writes these digests beside its pages (``run.INPUTS_FILE``, never
published); ``pdf.plan_pdfs`` compares them with those of the PDFs last published.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sphinx
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment

from rbmdocs.config import settings
from rbmdocs.sphinx.code_stamp import extension_stamp
from rbmdocs.sphinx.run import INPUTS_FILE

#: conf.py values that shape the LaTeX output beyond the pages' content.
_LATEX_CONFIG = (
    "language",
    "project",
    "author",
    "release",
    "today",
    "today_fmt",
    "rbmdocs_documents",
    "templates_path",
    "latex_appendices",
)


def note_pdf_inputs(app: Sphinx) -> None:
    """Have this HTML build leave the digest of each PDF's inputs in its output folder.

    Called once the application is made, before it builds. The file of the last build is
    read (its pages' digests hold for the pages not written again) and removed at once,
    and written again only when this build succeeds: a build that stops half-way may have
    rewritten pages that the next one will not rewrite, whose digests would be lost.
    """
    inputs_file = Path(app.outdir) / INPUTS_FILE
    earlier = _pages_of(inputs_file)
    inputs_file.unlink(missing_ok=True)
    rendered: dict[str, str] = {}

    def note_page(
        app: Sphinx,
        pagename: str,
        _template: str,
        context: dict[str, Any],
        doctree: nodes.document | None,
    ) -> None:
        if doctree is not None and pagename in app.env.all_docs:
            shown = f"{context.get('title', '')}\n{context.get('body', '')}"
            rendered[pagename] = _digest(shown.encode("utf-8"))

    def unknown_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
        # a page of a PDF whose digest was never taken (the first build with this code,
        # a digests file lost) is written again, so that the next build knows it
        shown = {
            docname
            for entry in settings(app.config).documents
            for docname in pdf_documents(env, str(entry["start"]), app.config.latex_appendices)
        }
        return sorted(name for name in shown - earlier.keys() if name in env.all_docs)

    def write(app: Sphinx, exception: Exception | None) -> None:
        if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
            return
        pages = {
            name: digest
            for name, digest in {**earlier, **rendered}.items()
            if name in app.env.all_docs
        }
        documents = pdf_digests(app, pages)
        inputs_file.write_text(
            json.dumps({"pages": pages, "documents": documents}, sort_keys=True), "utf-8"
        )

    app.connect("env-get-updated", unknown_pages)
    app.connect("html-page-context", note_page)
    app.connect("build-finished", write)


def _pages_of(inputs_file: Path) -> dict[str, str]:
    """The page digests an earlier build left, or none when they cannot be read."""
    try:
        data = json.loads(inputs_file.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, dict):
        return {}
    return {str(name): str(digest) for name, digest in pages.items()}


def pdf_digests(app: Sphinx, pages: Mapping[str, str]) -> dict[str, str | None]:
    """Each PDF's digest from its pages' digests, or None when a page has none."""
    env = app.env
    common = _common_digest(app)
    digests: dict[str, str | None] = {}
    for entry in settings(app.config).documents:
        name = str(entry["name"])
        documents = pdf_documents(env, str(entry["start"]), list(app.config.latex_appendices))
        parts = [common, json.dumps(entry, sort_keys=True, default=str)]
        known = True
        for docname in documents:
            page = pages.get(docname)
            if page is None:
                known = False
                break
            # a compiled catalogue is its .po file, which every PDF's digest holds
            # already; Sphinx notes it for a page in some runs and not in others
            dependencies = sorted(
                dep for dep in env.dependencies.get(docname, ()) if not str(dep).endswith(".mo")
            )
            files = [Path(env.doc2path(docname)), *(Path(app.srcdir) / dep for dep in dependencies)]
            parts.append(f"{docname} {page} {_files_digest(files)}")
        digests[name] = _digest("\n".join(parts).encode("utf-8")) if known else None
    return digests


def pdf_documents(env: BuildEnvironment, start: str, appendices: Iterable[str] = ()) -> list[str]:
    """The start page and every page under it in the table of contents, in order."""
    order: list[str] = []
    pending = [start]
    while pending:
        docname = pending.pop()
        if docname in order:
            continue
        order.append(docname)
        pending.extend(reversed(env.toctree_includes.get(docname, [])))
    order.extend(name for name in appendices if name not in order)
    return order


def _common_digest(app: Sphinx) -> str:
    """What every PDF of the language depends on beyond its pages."""
    config = app.config
    srcdir = Path(app.srcdir)
    parts = [
        f"sphinx {sphinx.__version__}",
        f"rbmdocs {extension_stamp()}",
        _files_digest([srcdir / "conf.py"]),
    ]
    for item in config:
        if item.name.startswith("latex_") or item.name in _LATEX_CONFIG:
            parts.append(f"{item.name}={item.value!r}")
    language = str(config.language or "en")
    for folder in config.locale_dirs:
        messages = srcdir / folder / language
        parts.append(_files_digest(sorted(messages.rglob("*.po")) if messages.is_dir() else []))
    for folder in config.templates_path:
        templates = srcdir / folder
        parts.append(_files_digest(sorted(p for p in templates.rglob("*") if p.is_file())))
    extra = [srcdir / name for name in config.latex_additional_files]
    if config.latex_logo:
        extra.append(srcdir / config.latex_logo)
    parts.append(_files_digest(extra))
    return _digest("\n".join(parts).encode("utf-8"))


def _files_digest(paths: Iterable[Path]) -> str:
    """The digest of files' contents and their names' last parts; a missing file counts.

    Only the file's name and its folder's name are digested, not the whole path, so that
    a project moved or copied elsewhere keeps its digests.
    """
    digest = hashlib.blake2b(digest_size=16)
    for path in paths:
        digest.update(f"{path.parent.name}/{path.name}".encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
    return digest.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
