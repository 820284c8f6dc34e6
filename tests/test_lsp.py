"""``rbmdocs lsp`` driven by a real LSP client over stdio (pytest-lsp), on a test root.

The server runs as editors run it: ``python -m rbmdocs lsp`` in its own process, spoken
to through JSON-RPC on its stdin and stdout. Each test opens or edits documents as an
editor would and reads the answers the editor would show.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from conftest import ROOTS
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

pytestmark = pytest.mark.asyncio(loop_scope="function")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal root with a second page that names IO_1 in prose."""
    target = tmp_path / "minimal"
    shutil.copytree(ROOTS / "test-minimal", target)
    (target / "notes.md").write_text("# Notes\n\nThe outcome {need}`IO_1` matters.\n", "utf-8")
    return target


@pytest_asyncio.fixture
async def client(project: Path) -> AsyncIterator[LanguageClient]:
    """A client connected to ``rbmdocs lsp`` on the project, initialised."""
    lsp_client = make_test_lsp_client()
    await lsp_client.start_io(
        sys.executable, "-m", "rbmdocs", "lsp", "--source", str(project), env=dict(os.environ)
    )
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri(project),
            workspace_folders=[types.WorkspaceFolder(uri=uri(project), name="minimal")],
        )
    )
    yield lsp_client
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    found = from_fs_path(str(path))
    assert found is not None
    return found


async def open_document(client: LanguageClient, path: Path, language: str) -> str:
    document_uri = uri(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=document_uri, language_id=language, version=1, text=path.read_text("utf-8")
            )
        )
    )
    return document_uri


async def replace_text(client: LanguageClient, document_uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=document_uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_for(
    client: LanguageClient, document_uri: str, rule: str, present: bool = True
) -> list[types.Diagnostic]:
    """Wait until the document's diagnostics hold (or no longer hold) a finding of ``rule``."""
    for _ in range(200):
        found = [d for d in client.diagnostics.get(document_uri, []) if d.code == rule]
        if bool(found) == present:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{rule} {'never came' if present else 'never went'} for {document_uri}")


def position_of(text: str, needle: str, after: int = 0) -> types.Position:
    index = text.index(needle) + after
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


async def test_typing_a_broken_link_shows_its_diagnostic_with_a_quick_fix(
    client: LanguageClient, project: Path
) -> None:
    framework = project / "framework.md"
    document_uri = await open_document(client, framework, "markdown")
    text = framework.read_text("utf-8")
    broken = text.replace(
        ":measures: IO_1\n:unit: member States", ":measures: IO_11\n:unit: member States"
    )
    await replace_text(client, document_uri, broken, 2)
    (diagnostic,) = await diagnostics_for(client, document_uri, "RBM010")
    assert diagnostic.range.start == position_of(broken, "IO_11")
    assert "IND_1_1 links to what does not exist: measures IO_11." in diagnostic.message
    assert "IO_11: did you mean IO_1?" in diagnostic.message
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    # the outcome lost its indicator: a finding on another need, refreshed as well
    assert await diagnostics_for(client, document_uri, "RBM022")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    (action,) = actions
    assert isinstance(action, types.CodeAction) and action.edit is not None
    (edit,) = action.edit.changes[document_uri]
    assert edit.new_text == "IO_1" and edit.range == diagnostic.range
    await replace_text(client, document_uri, text, 3)
    await diagnostics_for(client, document_uri, "RBM010", present=False)


async def test_a_change_refreshes_the_findings_of_other_files(
    client: LanguageClient, project: Path
) -> None:
    framework = project / "framework.md"
    document_uri = await open_document(client, framework, "markdown")
    text = framework.read_text("utf-8")
    await replace_text(client, document_uri, text.replace(":id: IO_1\n", ":id: IO_7\n"), 2)
    # the DWCP file, never opened, now links to an outcome that is gone
    (diagnostic,) = await diagnostics_for(
        client, uri(project / "data" / "dwcp" / "GHA.yaml"), "RBM010"
    )
    assert diagnostic.range.start.line == 12  # contributes_to: [IO_1]
    (reference,) = await diagnostics_for(client, uri(project / "notes.md"), "RBM014")
    assert reference.range.start == position_of("# Notes\n\nThe outcome {need}`IO_1`", "IO_1")


async def test_completion_in_a_markdown_link_offers_only_allowed_types(
    client: LanguageClient, project: Path
) -> None:
    framework = project / "framework.md"
    document_uri = await open_document(client, framework, "markdown")
    text = framework.read_text("utf-8").replace(":measures: IO_1\n:unit", ":measures: \n:unit")
    await replace_text(client, document_uri, text, 2)
    position = position_of(text, ":measures: ", after=len(":measures: "))
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri), position=position
        )
    )
    assert isinstance(result, types.CompletionList)
    offered = {item.label: item.detail for item in result.items}
    assert offered == {"IO_1": "Member States adopt employment policies"}


async def test_completion_inside_a_yaml_list(client: LanguageClient, project: Path) -> None:
    ghana = project / "data" / "dwcp" / "GHA.yaml"
    document_uri = await open_document(client, ghana, "yaml")
    text = ghana.read_text("utf-8").replace(
        "contributes_to: [IO_1]", "contributes_to:\n          - IO_1\n          - I"
    )
    await replace_text(client, document_uri, text, 2)
    lines = text.splitlines()
    line = next(number for number, value in enumerate(lines) if value.strip() == "- I")
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            position=types.Position(line=line, character=len(lines[line])),
        )
    )
    assert isinstance(result, types.CompletionList)
    assert [item.label for item in result.items] == ["IO_1"]
    (item,) = result.items
    assert item.text_edit is not None
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.range.start.character == len(lines[line]) - 1


async def test_hover_shows_title_type_and_the_chain_up(
    client: LanguageClient, project: Path
) -> None:
    ghana = project / "data" / "dwcp" / "GHA.yaml"
    document_uri = await open_document(client, ghana, "yaml")
    text = ghana.read_text("utf-8")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            position=position_of(text, "IO_1]", after=1),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    shown = hover.contents.value
    assert "**IO_1** Member States adopt employment policies" in shown
    assert "Immediate outcome" in shown
    assert "IO_1 → IMO_1 → SO_1" in shown


async def test_definition_from_markdown_into_yaml_and_back(
    client: LanguageClient, project: Path
) -> None:
    notes = project / "notes.md"
    notes.write_text(notes.read_text("utf-8") + "\nSee {need}`CPO_GHA_101`.\n", "utf-8")
    notes_uri = await open_document(client, notes, "markdown")
    text = notes.read_text("utf-8")
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=notes_uri),
            position=position_of(text, "CPO_GHA_101", after=2),
        )
    )
    assert isinstance(found, types.Location)
    ghana = project / "data" / "dwcp" / "GHA.yaml"
    assert found.uri == uri(ghana)
    ghana_text = ghana.read_text("utf-8")
    assert found.range.start == position_of(ghana_text, "CPO_GHA_101")
    ghana_uri = await open_document(client, ghana, "yaml")
    back = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=ghana_uri),
            position=position_of(ghana_text, "IO_1]"),
        )
    )
    assert isinstance(back, types.Location)
    assert back.uri == uri(project / "framework.md")
    assert back.range.start == position_of((project / "framework.md").read_text("utf-8"), "IO_1\n")
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=ghana_uri),
            position=position_of(ghana_text, "IO_1]"),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert references is not None
    assert {location.uri for location in references} == {
        uri(project / "framework.md"),
        uri(project / "budget.md"),
        uri(ghana),
        uri(project / "notes.md"),
    }


async def test_rename_changes_every_file_that_names_the_id(
    client: LanguageClient, project: Path
) -> None:
    framework = project / "framework.md"
    document_uri = await open_document(client, framework, "markdown")
    text = framework.read_text("utf-8")
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            position=position_of(text, ":id: IO_1", after=6),
            new_name="IO_10",
        )
    )
    assert edit is not None and edit.changes is not None
    named_before = {
        path
        for path in project.rglob("*")
        if path.suffix in (".md", ".yaml")
        and re.search(r"(?<![A-Z0-9_])IO_1(?![A-Z0-9_])", path.read_text("utf-8"))
    }
    assert {uri(path) for path in named_before} == set(edit.changes)
    for path in named_before:
        lines = path.read_text("utf-8").splitlines()
        for change in edit.changes[uri(path)]:
            line = lines[change.range.start.line]
            assert line[change.range.start.character : change.range.end.character] == "IO_1"
            assert change.new_text == "IO_10"
    for path in named_before:
        whole_words = re.findall(r"(?<![A-Z0-9_])IO_1(?![A-Z0-9_])", path.read_text("utf-8"))
        assert len(edit.changes[uri(path)]) == len(whole_words)


async def test_symbols_of_a_file_and_of_the_workspace(
    client: LanguageClient, project: Path
) -> None:
    ghana = project / "data" / "dwcp" / "GHA.yaml"
    ghana_uri = await open_document(client, ghana, "yaml")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=ghana_uri))
    )
    assert symbols is not None
    assert [symbol.name for symbol in symbols] == ["DWCP_GHA", "PRI_GHA_1", "CPO_GHA_101"]
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="youth"))
    assert found is not None
    assert [symbol.name for symbol in found] == ["CPO_GHA_101"]


async def test_a_file_outside_the_project_is_left_alone(
    client: LanguageClient, project: Path
) -> None:
    scratch = project / "_build" / "scratch.md"  # excluded by conf.py
    scratch.parent.mkdir()
    scratch.write_text(":::{immediate-outcome} A copy\n:id: IO_1\n:::\n", "utf-8")
    await open_document(client, scratch, "markdown")
    framework = project / "framework.md"
    document_uri = await open_document(client, framework, "markdown")
    text = framework.read_text("utf-8")
    await replace_text(client, document_uri, text.replace(":measures: IO_1\n:unit", ":unit"), 2)
    await diagnostics_for(client, document_uri, "RBM012")  # the edit was read
    assert not [d for d in client.diagnostics.get(document_uri, []) if d.code == "RBM004"]
    assert not client.diagnostics.get(uri(scratch))


async def test_yaml_that_cannot_be_read_is_one_diagnostic_at_its_line(
    client: LanguageClient, project: Path
) -> None:
    ghana = project / "data" / "dwcp" / "GHA.yaml"
    document_uri = await open_document(client, ghana, "yaml")
    text = ghana.read_text("utf-8").replace("region: africa", "region: africa\nregio: africa")
    await replace_text(client, document_uri, text, 2)
    (diagnostic,) = await diagnostics_for(client, document_uri, "bad-input")
    assert diagnostic.range.start.line == 3
    assert "unknown key 'regio'" in diagnostic.message
    assert "allowed keys here" in diagnostic.message
    # the rest of the project is still checked: nothing else is reported
    assert [d.code for d in client.diagnostics[document_uri]] == ["bad-input"]


async def test_completion_in_a_need_reference(client: LanguageClient, project: Path) -> None:
    notes = project / "notes.md"
    document_uri = await open_document(client, notes, "markdown")
    text = notes.read_text("utf-8") + "\nSee {need}`the outcome <IM"
    await replace_text(client, document_uri, text, 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            position=types.Position(line=text.count("\n"), character=len(text.splitlines()[-1])),
        )
    )
    assert isinstance(result, types.CompletionList)
    assert [(item.label, item.detail) for item in result.items] == [
        ("IMO_1", "Employment policies")
    ]
