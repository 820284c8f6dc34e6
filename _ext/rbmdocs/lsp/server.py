"""``rbmdocs lsp``: the language server for the project's Markdown and DWCP YAML (pygls).

It speaks the Language Server Protocol over stdio, so any editor with an LSP client can
use it (``docs/editors.md``). Everything it answers comes from ``editor.EditorProject``;
this module only turns requests into calls and answers into protocol types.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from rbmdocs import __version__
from rbmdocs.lsp.editor import EditorProject, Problem, Span
from rbmdocs.schema import ID_PATTERN

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
}


class RbmdocsServer(LanguageServer):
    """A pygls server that holds one project and the diagnostics it last published."""

    def __init__(self, source: Path | None) -> None:
        super().__init__("rbmdocs", __version__)
        self.source = source
        self.editor: EditorProject | None = None
        self.published: dict[str, list[types.Diagnostic]] = {}

    # -- paths -------------------------------------------------------------------------

    def file_of(self, uri: str) -> str | None:
        """The project-relative file of a document URI (None outside the project)."""
        if self.editor is None:
            return None
        path = to_fs_path(uri)
        if path is None:
            return None
        try:
            return Path(path).resolve().relative_to(self.editor.root.resolve()).as_posix()
        except ValueError:
            return None

    def uri_of(self, file: str) -> str:
        """The URI of a project-relative file."""
        assert self.editor is not None
        uri: str | None = from_fs_path(str(self.editor.root / file))
        assert uri is not None
        return uri

    def location(self, span: Span) -> types.Location:
        """A span as a protocol location."""
        return types.Location(uri=self.uri_of(span.file), range=as_range(span))

    # -- diagnostics -------------------------------------------------------------------

    def publish(self) -> None:
        """Send the diagnostics of every file whose findings changed since last sent."""
        if self.editor is None:
            return
        current = {
            file: [self.diagnostic(problem) for problem in problems]
            for file, problems in self.editor.problems().items()
        }
        for file in set(current) | set(self.published):
            diagnostics = current.get(file, [])
            if self.published.get(file, []) == diagnostics:
                continue  # unchanged, or clean and never reported
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=self.uri_of(file), diagnostics=diagnostics)
            )
        self.published = current

    def diagnostic(self, problem: Problem) -> types.Diagnostic:
        """A finding as a diagnostic: the rule as its code, the hint after the message."""
        finding = problem.finding
        data = {"rule": finding.rule, "need": finding.need}
        if problem.suggestion:
            data |= {"wrong": problem.wrong, "suggestion": problem.suggestion}
        return types.Diagnostic(
            range=as_range(problem.span),
            message=f"{finding.message}\n{finding.hint}" if finding.hint else finding.message,
            severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.rule,
            source="rbmdocs",
            data=data,
        )


def as_range(span: Span) -> types.Range:
    """A span as a protocol range."""
    return types.Range(
        start=types.Position(line=span.line, character=span.start),
        end=types.Position(line=span.line, character=span.end),
    )


def make_server(source: Path | None = None) -> RbmdocsServer:
    """The server with every feature registered (``source``: the project, else the root)."""
    server = RbmdocsServer(source)

    @server.feature(types.INITIALIZED)
    def initialized(ls: RbmdocsServer, _params: types.InitializedParams) -> None:
        from rbmdocs.indexed import editor_project

        root = ls.source or Path(ls.workspace.root_path or ".")
        ls.editor = editor_project(root)
        ls.editor.load()
        ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RbmdocsServer, params: types.DidOpenTextDocumentParams) -> None:
        file = ls.file_of(params.text_document.uri)
        if ls.editor is not None and file is not None:
            ls.editor.change(file, params.text_document.text)
            ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RbmdocsServer, params: types.DidChangeTextDocumentParams) -> None:
        file = ls.file_of(params.text_document.uri)
        if ls.editor is not None and file is not None:
            document = ls.workspace.get_text_document(params.text_document.uri)
            ls.editor.change(file, document.source)
            ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RbmdocsServer, params: types.DidCloseTextDocumentParams) -> None:
        file = ls.file_of(params.text_document.uri)
        if ls.editor is not None and file is not None:
            ls.editor.close(file)
            ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: RbmdocsServer, _params: types.DidSaveTextDocumentParams) -> None:
        if ls.editor is not None:
            ls.editor.load()  # other files may have changed on disk meanwhile
            ls.publish()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: RbmdocsServer, _params: types.DidChangeWatchedFilesParams) -> None:
        if ls.editor is not None:
            ls.editor.load()
            ls.publish()

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[":", " ", ",", "[", "-", "`", "<", "_"]),
    )
    def completion(ls: RbmdocsServer, params: types.CompletionParams) -> types.CompletionList:
        file = ls.file_of(params.text_document.uri)
        items: list[types.CompletionItem] = []
        if ls.editor is not None and file is not None:
            position = params.position
            for offer in ls.editor.completions(file, position.line, position.character):
                items.append(
                    types.CompletionItem(
                        label=offer.need_id,
                        detail=offer.title,
                        label_details=types.CompletionItemLabelDetails(description=offer.title),
                        kind=types.CompletionItemKind.Reference,
                        documentation=offer.need_type,
                        text_edit=types.TextEdit(
                            range=as_range(offer.replace), new_text=offer.need_id
                        ),
                    )
                )
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: RbmdocsServer, params: types.HoverParams) -> types.Hover | None:
        found = _id_at(ls, params.text_document.uri, params.position)
        if found is None or ls.editor is None:
            return None
        need_id, span = found
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown, value=ls.editor.hover(need_id)
            ),
            range=as_range(span),
        )

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: RbmdocsServer, params: types.DefinitionParams) -> types.Location | None:
        found = _id_at(ls, params.text_document.uri, params.position)
        if found is None or ls.editor is None:
            return None
        span = ls.editor.definition(found[0])
        return ls.location(span) if span is not None else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: RbmdocsServer, params: types.ReferenceParams) -> list[types.Location]:
        found = _id_at(ls, params.text_document.uri, params.position)
        if found is None or ls.editor is None:
            return []
        spans = ls.editor.references(found[0], declaration=params.context.include_declaration)
        return [ls.location(span) for span in spans]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(
        ls: RbmdocsServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        file = ls.file_of(params.text_document.uri)
        if ls.editor is None or file is None:
            return []
        symbols = []
        for record in ls.editor.symbols_of(file):
            span = ls.editor.definition(record.id)
            if span is None or span.file != file:
                span = Span(file, (record.line or 1) - 1, 0, 0)
            symbols.append(
                types.DocumentSymbol(
                    name=record.id,
                    detail=record.title,
                    kind=types.SymbolKind.Object,
                    range=as_range(span),
                    selection_range=as_range(span),
                )
            )
        return symbols

    @server.feature(types.WORKSPACE_SYMBOL)
    def workspace_symbols(
        ls: RbmdocsServer, params: types.WorkspaceSymbolParams
    ) -> list[types.SymbolInformation]:
        if ls.editor is None:
            return []
        return [
            types.SymbolInformation(
                name=record.id,
                kind=types.SymbolKind.Object,
                location=ls.location(Span(record.file, (record.line or 1) - 1, 0, 0)),
                container_name=record.title,
            )
            for record in ls.editor.search(params.query)
        ]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(ls: RbmdocsServer, params: types.PrepareRenameParams) -> types.Range | None:
        found = _id_at(ls, params.text_document.uri, params.position)
        if found is None or ls.editor is None or found[0] not in ls.editor.graph:
            return None
        return as_range(found[1])

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(ls: RbmdocsServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        found = _id_at(ls, params.text_document.uri, params.position)
        if found is None or ls.editor is None:
            return None
        if not ID_PATTERN.fullmatch(params.new_name):
            raise ValueError(
                f"{params.new_name!r} is not an ID: upper-case ASCII letters, digits and "
                "underscores, starting with a letter"
            )
        changes = {
            ls.uri_of(file): [
                types.TextEdit(range=as_range(span), new_text=params.new_name) for span in spans
            ]
            for file, spans in ls.editor.rename(found[0], params.new_name).items()
        }
        return types.WorkspaceEdit(changes=changes)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_actions(ls: RbmdocsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        actions = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            suggestion, wrong = data.get("suggestion"), data.get("wrong")
            if diagnostic.source != "rbmdocs" or not suggestion:
                continue
            actions.append(
                types.CodeAction(
                    title=f"{wrong}: replace with {suggestion}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    edit=types.WorkspaceEdit(
                        changes={
                            params.text_document.uri: [
                                types.TextEdit(range=diagnostic.range, new_text=str(suggestion))
                            ]
                        }
                    ),
                )
            )
        return actions

    return server


def _id_at(ls: RbmdocsServer, uri: str, position: types.Position) -> tuple[str, Span] | None:
    file = ls.file_of(uri)
    if ls.editor is None or file is None:
        return None
    return ls.editor.id_at(file, position.line, position.character)


def serve(source: Path | None) -> None:
    """Run the server on stdin and stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING)
    make_server(source).start_io()
    # the client said exit and pygls closed stdout: nothing is left to flush
    os._exit(0)
