"""Translation as a translator works (issue 21): the round trip on the sample, broken
catalogues at their line with and without GNU gettext, catalogues that do not churn,
obsolete entries and the compendium, the YAML strings moved into a catalogue, the glossary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from conftest import copy_sample
from rbmdocs.catalogues import read_catalogue, write_catalogue
from rbmdocs.catalogues.glossary import Glossary, Term, stray_terms
from rbmdocs.catalogues.yaml_strings import strip_inline
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx

_OLD_PARAGRAPH = (
    "The first strategic objective concerns the quantity and quality of jobs: employment "
    "policy, skills and the enterprises that create work."
)
_NEW_PARAGRAPH = _OLD_PARAGRAPH.replace("create work", "create decent work")
_OLD_CPO = "Apprenticeships in construction give young people in Kenya the skills employers ask for"
_NEW_CPO = _OLD_CPO.replace("in construction", "in construction and tourism")


def _catalogue(path: Path) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream)


def _update_line(output: str, name: str) -> str:
    """The line ``i18n update`` printed for the catalogue ``name``."""
    return next(line for line in output.splitlines() if f"{name}:" in line)


def _confirm(path: Path, msgid: str, context: str | None, translation: str) -> None:
    """What a translator does in Poedit: write the translation, clear the fuzzy mark."""
    catalogue = read_catalogue(path, "zh_CN")
    message = catalogue.get(msgid, context)
    assert message is not None, (msgid, context)
    message.string = translation
    message.flags.discard("fuzzy")
    message.previous_id = []
    write_catalogue(path, catalogue)


def test_a_translators_round_trip_on_the_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path / "sample")
    employment = root / "spf/employment.md"
    employment.write_text(
        employment.read_text("utf-8").replace(_OLD_PARAGRAPH, _NEW_PARAGRAPH), "utf-8"
    )
    kenya = root / "data/dwcp/KEN.yaml"
    kenya.write_text(kenya.read_text("utf-8").replace(_OLD_CPO, _NEW_CPO), "utf-8")

    assert main(["i18n", "update", "--source", str(root)]) == 0

    printed = capsys.readouterr().out
    spf_line = _update_line(printed, "LC_MESSAGES/spf.po")
    data_line = _update_line(printed, "LC_MESSAGES/data.po")
    assert "0 new, 1 changed (fuzzy), 0 obsolete" in spf_line, printed
    assert "0 new, 1 changed (fuzzy), 0 obsolete" in data_line, printed
    messages = root / "locales/zh_CN/LC_MESSAGES"
    paragraph = _catalogue(messages / "spf.po").get(_NEW_PARAGRAPH)
    assert paragraph is not None and paragraph.fuzzy
    assert paragraph.string  # the old translation, as a suggestion
    spf_text = (messages / "spf.po").read_text("utf-8")
    assert f'#| msgid "{_OLD_PARAGRAPH}"' in spf_text  # the previous msgid shows the change
    cpo = _catalogue(messages / "data.po").get(_NEW_CPO, "CPO_KEN_101.title")
    assert cpo is not None and cpo.fuzzy
    assert f'#| msgid "{_OLD_CPO}"' in (messages / "data.po").read_text("utf-8")

    assert main(["i18n", "status", "--source", str(root), "--strict"]) == 1
    status = capsys.readouterr().out
    assert re.search(r"zh_CN/spf\s+\S+%\s+\d+/\d+\s+fuzzy 1 ", status), status
    data_row = re.search(r"zh_CN/data\s+\S+%\s+(\d+)/(\d+)\s+fuzzy 1 ", status)
    assert data_row is not None and int(data_row[1]) == int(data_row[2]) - 1, status
    assert f"fuzzy: {_NEW_CPO[:60]}" in status

    _confirm(
        messages / "spf.po",
        _NEW_PARAGRAPH,
        None,
        "第一项战略目标涉及就业的数量和质量：就业政策、技能以及创造体面工作的企业。",
    )
    _confirm(
        messages / "data.po",
        _NEW_CPO,
        "CPO_KEN_101.title",
        "肯尼亚青年通过内罗毕的高质量学徒制获得雇主看重的技能",
    )
    assert main(["i18n", "status", "--source", str(root), "--strict"]) == 0
    capsys.readouterr()

    assert main(["build", "--source", str(root), "--lang", "zh_CN", "--format", "html"]) == 0

    html = root / "_build/html/zh_CN"
    page = BeautifulSoup((html / "spf/employment.html").read_text("utf-8"), "html.parser")
    assert "创造体面工作的企业" in page.get_text()
    kenya_page = BeautifulSoup((html / "data/dwcp/KEN.html").read_text("utf-8"), "html.parser")
    need = kenya_page.select_one("div.rbmdocs-need#CPO_KEN_101")
    assert need is not None and "内罗毕的高质量学徒制" in need.get_text()
    assert kenya_page.h1 is not None and "肯尼亚" in kenya_page.h1.get_text()
    # every string of a Chinese page: the footer's copyright and the permalink page
    assert "版权所有" in page.get_text() and "国际劳工局" in page.get_text()
    permalink = (html / "permalink.html").read_text("utf-8")
    assert "<h1>正在查找，请稍候……</h1>" in permalink and 'lang="zh-CN"' in permalink
    assert "Searching" not in permalink


# --- broken catalogues, with and without GNU gettext ---------------------------------------


def _path_without_msgfmt(tmp_path: Path) -> str:
    """A PATH of links to every program on the current PATH except GNU gettext's."""
    folder = tmp_path / "bin-without-gettext"
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for program in Path(directory).iterdir():
            name = program.name
            if name.startswith("msg") or (folder / name).exists():
                continue
            (folder / name).symlink_to(program)
    return str(folder)


@pytest.fixture(params=["with-msgfmt", "without-msgfmt"])
def gettext_tools(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    if request.param == "with-msgfmt":
        if shutil.which("msgfmt") is None:
            pytest.skip("GNU gettext is not installed here")
    else:
        monkeypatch.setenv("PATH", _path_without_msgfmt(tmp_path))
        assert shutil.which("msgfmt") is None
    yield request.param


def _break_unterminated(root: Path) -> tuple[str, int, str]:
    po = root / "locales/fr/LC_MESSAGES/budget.po"
    lines = po.read_text("utf-8").splitlines()
    number = next(
        i for i, line in enumerate(lines) if line.startswith('msgstr "') and line != 'msgstr ""'
    )
    lines[number] = lines[number].rstrip('"')
    po.write_text("\n".join(lines) + "\n", "utf-8")
    return "locales/fr/LC_MESSAGES/budget.po", number + 1, "the string is not closed"


def _break_placeholder(root: Path) -> tuple[str, int, str]:
    po = root / "locales/fr/LC_MESSAGES/rbmdocs.po"
    text = po.read_text("utf-8")
    old = 'msgid "Subtotal, {name}"\nmsgstr ""'
    assert old in text
    text = text.replace(old, 'msgid "Subtotal, {name}"\nmsgstr "Sous-total, {nom}"')
    po.write_text(text, "utf-8")
    line = text.splitlines().index('msgstr "Sous-total, {nom}"') + 1
    return "locales/fr/LC_MESSAGES/rbmdocs.po", line, "{name} is missing; {nom} is not in the msgid"


def _add_reference(root: Path, translation: str) -> tuple[str, int]:
    (root / "framework.md").write_text(
        (root / "framework.md").read_text("utf-8") + "\nSee {doc}`budget` for the money.\n",
        "utf-8",
    )
    po = root / "locales/fr/LC_MESSAGES/framework.po"
    text = po.read_text("utf-8").rstrip("\n") + "\n\n"
    text += f'msgid "See {{doc}}`budget` for the money."\nmsgstr "{translation}"\n'
    po.write_text(text, "utf-8")
    return "locales/fr/LC_MESSAGES/framework.po", len(text.splitlines())


def _break_reference(root: Path) -> tuple[str, int, str]:
    file, line = _add_reference(root, "Voir {doc}`budjet` pour l'argent.")
    return file, line, "references of the translation differ from the msgid (missing doc:budget"


def _break_role(root: Path) -> tuple[str, int, str]:
    file, line = _add_reference(root, "Voir {doc}`budget pour l'argent.")
    return file, line, "a role is not closed in the translation"


@pytest.mark.parametrize(
    "breaking", [_break_unterminated, _break_placeholder, _break_reference, _break_role]
)
@pytest.mark.parametrize("command", ["status", "check", "build"])
def test_a_broken_catalogue_is_one_message_at_its_line(
    breaking: Callable[[Path], tuple[str, int, str]],
    command: str,
    gettext_tools: str,
    copy_root: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = copy_root("i18n")
    file, line, said = breaking(root)
    arguments = {
        "status": ["i18n", "status", "--source", str(root), "--lang", "fr"],
        "check": ["check", "--source", str(root), "--lang", "fr"],
        "build": ["build", "--source", str(root), "--lang", "fr", "--format", "html"],
    }[command]

    assert main(arguments) == 2

    err = capsys.readouterr().err
    errors = [text for text in err.splitlines() if ": error: " in text]
    assert len(errors) == 1, err
    assert errors[0].startswith(f"{root / file}:{line}: error: ") or errors[0].startswith(
        f"{file}:{line}: error: "
    ), errors[0]
    assert said in errors[0]
    assert "Traceback" not in err and "threw an exception" not in err
    assert not (root / "_build/html/fr").exists()


# --- no churn -------------------------------------------------------------------------------


def _po_files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text("utf-8")
        for path in sorted((root / "locales").rglob("*.po"))
    }


def test_lines_inserted_at_the_top_of_a_page_change_no_entry(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    assert main(["i18n", "update", "--source", str(root), "--lang", "fr", "--purge-obsolete"]) == 0
    before = _po_files(root)
    assert main(["i18n", "update", "--source", str(root), "--lang", "fr"]) == 0
    assert _po_files(root) == before  # a second update writes nothing
    assert "Generated-By" not in "".join(before.values())

    framework = root / "framework.md"
    text = framework.read_text("utf-8")
    framework.write_text(
        text.replace(
            "# Framework\n",
            "# Framework\n\nA new opening paragraph.\n\n% a note for the drafting team\n\n",
        ),
        "utf-8",
    )
    capsys.readouterr()
    assert main(["i18n", "update", "--source", str(root), "--lang", "fr"]) == 0

    after = _po_files(root)
    assert {name for name in after if after[name] != before[name]} == {
        "locales/fr/LC_MESSAGES/framework.po"
    }
    old_lines = Counter(before["locales/fr/LC_MESSAGES/framework.po"].splitlines())
    new_lines = Counter(after["locales/fr/LC_MESSAGES/framework.po"].splitlines())
    assert not old_lines - new_lines  # every line of the catalogue is still there, unchanged
    assert new_lines - old_lines == Counter(
        ["#: framework.md", 'msgid "A new opening paragraph."', 'msgstr ""', ""]
    )
    assert "1 new, 0 changed (fuzzy), 0 obsolete" in capsys.readouterr().out


# --- obsolete entries, the compendium, contexts --------------------------------------------


def test_obsolete_entries_are_kept_until_purged_and_come_back_translated(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    framework = root / "framework.md"
    original = framework.read_text("utf-8")
    po = root / "locales/fr/LC_MESSAGES/framework.po"
    update = ["i18n", "update", "--source", str(root), "--lang", "fr"]
    assert main([*update, "--purge-obsolete"]) == 0  # the root's catalogues, brought up to date
    capsys.readouterr()

    framework.write_text(original.replace("More and better jobs.\n", ""), "utf-8")
    assert main(update) == 0
    assert "0 new, 0 changed (fuzzy), 1 obsolete" in capsys.readouterr().out
    assert '#~ msgid "More and better jobs."' in po.read_text("utf-8")
    assert main(update) == 0
    assert "unchanged" in _update_line(capsys.readouterr().out, "framework.po")

    framework.write_text(original, "utf-8")
    assert main(update) == 0
    revived = _catalogue(po).get("More and better jobs.")
    assert revived is not None and not revived.fuzzy
    assert revived.string == "Des emplois plus nombreux et de meilleure qualité."
    capsys.readouterr()

    framework.write_text(original.replace("More and better jobs.\n", ""), "utf-8")
    assert main([*update, "--purge-obsolete"]) == 0
    assert "1 obsolete purged" in capsys.readouterr().out
    assert "More and better jobs." not in po.read_text("utf-8")


def test_the_compendium_fills_a_string_translated_in_another_catalogue(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    budget = root / "budget.md"
    budget.write_text(budget.read_text("utf-8") + "\nMore and better jobs.\n", "utf-8")

    assert main(["i18n", "update", "--source", str(root), "--lang", "fr"]) == 0

    line = _update_line(capsys.readouterr().out, "budget.po")
    assert "1 new" in line and "1 new filled from other catalogues" in line
    filled = _catalogue(root / "locales/fr/LC_MESSAGES/budget.po").get("More and better jobs.")
    assert filled is not None and not filled.fuzzy
    assert filled.string == "Des emplois plus nombreux et de meilleure qualité."


def test_need_strings_have_their_context_and_a_comment(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    assert main(["i18n", "update", "--source", str(root), "--lang", "fr"]) == 0
    text = (root / "locales/fr/LC_MESSAGES/framework.po").read_text("utf-8")
    assert (
        "#. option unit of indicator IND_1_1\n#: framework.md\n"
        'msgctxt "IND_1_1.unit"\nmsgid "member States"\n'
    ) in text
    assert '#. heading\n#: framework.md\nmsgid "Framework"' in text
    catalogue = _catalogue(root / "locales/fr/LC_MESSAGES/framework.po")
    title = catalogue.get("Member States adopt employment policies", "IO_1.title")
    assert title is not None and title.string  # the translation followed the context
    # and the French build still shows it
    capsys.readouterr()
    assert main(["build", "--source", str(root), "--lang", "fr", "--format", "html"]) == 0
    page = (root / "_build/html/fr/framework.html").read_text("utf-8")
    assert str(title.string) in page


# --- the YAML strings -----------------------------------------------------------------------


def test_inline_translations_move_into_the_catalogue_once(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    yaml_file = root / "data/dwcp/GHA.yaml"
    yaml_file.write_text(
        "# Ghana: the programme agreed in 2016\n" + yaml_file.read_text("utf-8"), "utf-8"
    )
    update = ["i18n", "update", "--source", str(root)]

    assert main(update) == 0

    out = capsys.readouterr().out
    assert "3 moved in from the YAML data" in out
    assert "moved the inline translations of 3 YAML strings in 1 files" in out
    text = yaml_file.read_text("utf-8")
    assert text.startswith("# Ghana: the programme agreed in 2016\nid: DWCP_GHA\ncountry: Ghana\n")
    assert "title: A youth employment policy is adopted\n" in text
    assert "zh_CN" not in text
    data = _catalogue(root / "locales/zh_CN/LC_MESSAGES/data.po")
    country = data.get("Ghana", "DWCP_GHA.country")
    cpo = data.get("A youth employment policy is adopted", "CPO_GHA_101.title")
    assert country is not None and country.string == "加纳"
    assert cpo is not None and cpo.string == "通过青年就业政策"
    before = _po_files(root), text

    assert main(update) == 0  # idempotent: nothing left to move
    assert "moved" not in capsys.readouterr().out
    assert (_po_files(root), yaml_file.read_text("utf-8")) == before

    assert main(["build", "--source", str(root), "--lang", "zh_CN", "--format", "html"]) == 0
    page = (root / "_build/html/zh_CN/data/dwcp/GHA.html").read_text("utf-8")
    assert "通过青年就业政策" in page and "加纳" in page


def test_strip_inline_keeps_comments_quoting_and_block_mappings(tmp_path: Path) -> None:
    path = tmp_path / "XYZ.yaml"
    path.write_text(
        "id: DWCP_XYZ  # keep me\n"
        "country:\n"
        "  en: 'Côte: the coast'\n"
        "  zh_CN: 海岸\n"
        "region: africa\n"
        "status: final\n"
        "period: 2010-2011\n"
        "priorities:\n"
        "  - id: PRI_XYZ_1\n"
        "    title: {en: Jobs, zh_CN: 就业}  # the first\n"
        "    outcomes: []\n",
        "utf-8",
    )
    assert strip_inline(path, "data/dwcp/XYZ.yaml", "en") == 2
    assert path.read_text("utf-8") == (
        "id: DWCP_XYZ  # keep me\n"
        "country:\n"
        "  'Côte: the coast'\n"
        "region: africa\n"
        "status: final\n"
        "period: 2010-2011\n"
        "priorities:\n"
        "  - id: PRI_XYZ_1\n"
        "    title: Jobs  # the first\n"
        "    outcomes: []\n"
    )
    assert strip_inline(path, "data/dwcp/XYZ.yaml", "en") == 0


# --- the glossary ---------------------------------------------------------------------------


def test_the_glossary_finds_a_planted_mistranslation(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    (root / "locales/glossary.yaml").write_text(
        "terms:\n  - en: employment\n    fr: emploi\n    wrong: [travail]\n",
        "utf-8",
    )
    assert main(["i18n", "status", "--source", str(root), "--lang", "fr"]) == 0
    assert "every translated term follows it" in capsys.readouterr().out

    po = root / "locales/fr/LC_MESSAGES/framework.po"
    catalogue = read_catalogue(po, "fr")
    indicator = catalogue.get(
        "Number of member States with a national employment policy", "IND_1_1.title"
    ) or catalogue.get("Number of member States with a national employment policy")
    assert indicator is not None and "politique nationale de l'emploi" in str(indicator.string)
    indicator.string = "Nombre d'États Membres dotés d'une politique nationale du travail"
    write_catalogue(po, catalogue)
    line = (
        po.read_text("utf-8")
        .splitlines()
        .index("msgstr \"Nombre d'États Membres dotés d'une politique nationale du travail\"")
        + 1
    )

    assert main(["i18n", "status", "--source", str(root), "--lang", "fr", "--strict"]) == 1

    out = capsys.readouterr().out
    findings = [text for text in out.splitlines() if "RBM070" in text]
    assert len(findings) == 1, out
    assert findings[0].startswith(f"{root}/locales/fr/LC_MESSAGES/framework.po:{line}: warning:")
    assert "'employment'" in findings[0] and "(it has travail)" in findings[0]


def test_glossary_terms_longest_first_and_exceptions() -> None:
    glossary = Glossary(
        [
            Term("results framework", {"zh_CN": "成果框架"}),
            Term("outcome", {"zh_CN": "成果"}, wrong=("结果",)),
            Term("result", {"zh_CN": "结果"}, wrong=("成果",), exceptions=("as a result",)),
        ]
    )
    # spf/employment.md as it was: "a result" rendered as an outcome
    wrong = stray_terms(glossary, "zh_CN", "A result counts where", "即计为一项成果")
    assert [term.english for term in wrong] == ["result"]
    assert not stray_terms(glossary, "zh_CN", "A result counts where", "即计为一项结果")
    assert not stray_terms(glossary, "zh_CN", "The results framework", "成果框架")
    assert not stray_terms(
        glossary, "zh_CN", "As a result, outcomes improved", "因此，成果有所改善"
    )
    both = stray_terms(glossary, "zh_CN", "Outcomes and results", "成果")
    assert [term.english for term in both] == ["result"]


# --- the guide ------------------------------------------------------------------------------


def test_the_guide_shows_what_the_sample_prints() -> None:
    """docs/translating.md's figures are the sample's own (scripts/guide_i18n_figures.py)."""
    script = Path(__file__).parent.parent / "scripts/guide_i18n_figures.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_guide_lists_every_catalogue_of_the_sample() -> None:
    repo = Path(__file__).parent.parent
    guide = (repo / "docs/translating.md").read_text("utf-8")
    listing = guide.split("One catalogue per document", 1)[1].split("```text\n", 1)[1]
    listed = {line.split()[0] for line in listing.split("```", 1)[0].splitlines() if line}
    shipped = {path.name for path in (repo / "locales/zh_CN/LC_MESSAGES").glob("*.po")}
    assert listed == shipped
