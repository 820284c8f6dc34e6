"""Translation: need titles, options and labels through the catalogues; French by catalogue
alone; the switcher; ``rbmdocs i18n update`` and ``status``; broken catalogues."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx


def _page(root: Path, language: str, name: str) -> BeautifulSoup:
    html = (root / "_build/html" / language / name).read_text("utf-8")
    return BeautifulSoup(html, "html.parser")


def _need_box(page: BeautifulSoup, need_id: str) -> str:
    view = page.select_one(f"div.rbmdocs-need#{need_id}")
    assert view is not None, f"no view of {need_id}"
    return str(view.get_text(" ", strip=True))


def _set_translation(po: Path, msgid: str, msgstr: str) -> None:
    with po.open("rb") as stream:
        catalogue = read_po(stream)
    message = catalogue.get(msgid)
    assert message is not None, f"{msgid!r} is not in {po}"
    message.string = msgstr
    with po.open("wb") as stream:
        write_po(stream, catalogue, width=0)


def test_french_comes_from_its_catalogues_alone(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("i18n")

    assert main(["build", "--source", str(root), "--lang", "fr", "--format", "html"]) == 0

    page = _page(root, "fr", "framework.html")
    indicator = _need_box(page, "IND_1_1")
    # the title and the reader-facing options, from framework.po
    assert "Nombre d'États Membres dotés d'une politique nationale de l'emploi" in indicator
    assert "Unité : États Membres" in indicator or "Unité: États Membres" in indicator
    assert "au moins un critère sur deux" in indicator
    # the type name and link label, from rbmdocs.po; an untranslated label stays English
    outcome = _need_box(page, "IO_1")
    assert "Résultat immédiat IO_1" in outcome  # in the traceability panel, with the ID
    assert "contribue à" in outcome.lower()
    assert "measured by" in outcome.lower()
    # IDs and links never change with the language
    assert page.select_one('a[href="#IO_1"]') is not None
    assert page.select_one('div#IO_1 a[href$="#IMO_1"]') is not None
    # the body, through Sphinx's own translation
    assert "Des emplois plus nombreux et de meilleure qualité." in page.get_text()
    # the site title comes from conf.py, translated in the root page's catalogue
    assert "Cadre de résultats minimal" in page.title.get_text()


def test_generated_tables_show_translated_titles(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("i18n")
    assert main(["build", "--source", str(root), "--lang", "fr", "--format", "html"]) == 0

    table = _page(root, "fr", "budget.html").select_one("table.rbmdocs-resources")
    text = table.get_text(" ", strip=True)
    assert "Les États Membres adoptent des politiques de l'emploi" in text
    assert "Budget ordinaire (dollars É.-U.)" in text


def test_the_switcher_leads_to_the_same_page_in_every_language(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("i18n")
    assert main(["build", "--source", str(root), "--format", "html"]) == 0

    english = root / "_build/html/en/framework.html"
    switcher = _page(root, "en", "framework.html").select_one("nav.rbmdocs-languages")
    links = {link["hreflang"]: link["href"] for link in switcher.find_all("a")}
    assert set(links) == {"zh-CN", "fr"}
    for href in links.values():
        target = (english.parent / href).resolve()
        assert target.is_file(), href
        assert target.name == "framework.html"
    assert switcher.select_one(".rbmdocs-language-current").get_text() == "English"
    chinese = _page(root, "zh_CN", "framework.html")
    assert chinese.select_one(".rbmdocs-language-current").get_text() == "中文"


def test_english_output_does_not_change_when_translations_change(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("i18n")
    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 0
    before = {
        path.relative_to(root): path.read_bytes()
        for path in (root / "_build/html/en").rglob("*.html")
    }
    _set_translation(
        root / "locales/fr/LC_MESSAGES/framework.po", "Employment", "Emploi et travail"
    )
    (root / "locales/fr/LC_MESSAGES/rbmdocs.po").unlink()

    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 0
    after = {
        path.relative_to(root): path.read_bytes()
        for path in (root / "_build/html/en").rglob("*.html")
    }
    assert after == before


def test_a_changed_translation_reaches_the_page_on_an_incremental_build(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("i18n")
    args = ["build", "--source", str(root), "--lang", "fr", "--format", "html"]
    assert main(args) == 0
    _set_translation(
        root / "locales/fr/LC_MESSAGES/framework.po",
        "Member States adopt employment policies",
        "Les États Membres se dotent de politiques de l'emploi",
    )

    assert main(args) == 0

    outcome = _need_box(_page(root, "fr", "framework.html"), "IO_1")
    assert "Les États Membres se dotent de politiques de l'emploi" in outcome
    budget = _page(root, "fr", "budget.html").select_one("table.rbmdocs-resources")
    assert "se dotent" in budget.get_text()


def test_update_brings_new_titles_into_the_catalogue_and_keeps_translations(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    framework = root / "framework.md"
    framework.write_text(
        framework.read_text("utf-8").replace("Employment policies", "Policies for employment"),
        "utf-8",
    )

    assert main(["i18n", "update", "--source", str(root), "--lang", "fr"]) == 0

    with (root / "locales/fr/LC_MESSAGES/framework.po").open("rb") as stream:
        catalogue = read_po(stream)
    changed = catalogue.get("Policies for employment", context="IMO_1.title")
    assert changed is not None
    assert changed.fuzzy or not changed.string  # awaits the translator
    kept = catalogue.get("Employment", context="SO_1.title")
    assert kept is not None and kept.string == "Emploi"  # the others are kept
    assert [where for where, _line in changed.locations] == ["framework.md"]
    capsys.readouterr()

    assert main(["i18n", "status", "--source", str(root), "--lang", "fr", "--strict"]) == 1
    report = capsys.readouterr().out
    assert "fr/framework" in report
    assert "Policies for employment" in report


def test_status_reports_each_document_and_the_strings_left(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")

    assert main(["i18n", "status", "--source", str(root), "--lang", "fr", "--all"]) == 0

    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split()[1] for line in lines if line.startswith("fr/")}
    assert rows["fr/framework"] == "100.0%"
    assert rows["fr/budget"] == "100.0%"
    assert rows["fr/rbmdocs"] != "100.0%"  # the small French label catalogue is partial
    assert any("rbmdocs.po:" in line and "untranslated: measured by" in line for line in lines)


def test_update_creates_catalogues_for_a_new_language(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    shutil.rmtree(root / "locales/zh_CN", ignore_errors=True)

    assert main(["i18n", "update", "--source", str(root), "--lang", "zh_CN"]) == 0

    created = sorted(path.name for path in (root / "locales/zh_CN/LC_MESSAGES").glob("*.po"))
    assert created == [
        "budget.po",
        "data.po",  # the DWCP titles, filled from the translations inline in the YAML
        "dwcps.po",
        "framework.po",
        "index.po",
        "rbmdocs.po",
    ]
    # the built-in Chinese labels fill the label catalogue, which the project then owns
    with (root / "locales/zh_CN/LC_MESSAGES/rbmdocs.po").open("rb") as stream:
        labels = read_po(stream)
    assert labels.get("Immediate outcome", context="type.immediate-outcome").string == "即时成果"
    assert (
        "locales/zh_CN/LC_MESSAGES/framework.po: 11 messages, 11 new, 0 changed (fuzzy), "
        "0 obsolete" in capsys.readouterr().out
    )


@pytest.mark.parametrize("command", ["build", "status"])
def test_a_broken_catalogue_is_one_located_message(
    command: str, copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    po = root / "locales/fr/LC_MESSAGES/budget.po"
    po.write_text(po.read_text("utf-8") + '\nmsgid "Unclosed\nmsgstr "x"\n', "utf-8")
    args = (
        ["build", "--source", str(root), "--lang", "fr", "--format", "html"]
        if command == "build"
        else ["i18n", "status", "--source", str(root), "--lang", "fr"]
    )

    assert main(args) == 2

    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert "locales/fr/LC_MESSAGES/budget.po:" in first
    assert "error: the catalogue cannot be read" in first
    assert "Traceback" not in err
    assert not (root / "_build/html/fr").exists()


def test_i18n_needs_a_language_to_translate_into(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")

    assert main(["i18n", "status", "--source", str(root)]) == 2

    assert "add one to rbmdocs_languages" in capsys.readouterr().err


def test_languages_built_side_by_side_equal_those_built_in_turn(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``-j 3`` builds the three languages in three processes: the same pages, in order."""
    in_turn = copy_root("i18n")
    side_by_side = Path(shutil.copytree(in_turn, in_turn.parent / "side-by-side"))
    assert main(["build", "--source", str(in_turn), "--format", "html", "-j", "1"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert main(["build", "--source", str(side_by_side), "--format", "html", "-j", "3"]) == 0
    second = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in first] == ["html (en)", "html (zh_CN)", "html (fr)"]
    assert [line.split(":")[0] for line in second] == [line.split(":")[0] for line in first]
    for language in ("en", "zh_CN", "fr"):
        pages = sorted(
            path.relative_to(in_turn / "_build/html" / language)
            for path in (in_turn / "_build/html" / language).rglob("*.html")
        )
        assert pages
        for page in pages:
            ours = (side_by_side / "_build/html" / language / page).read_text("utf-8")
            assert ours == (in_turn / "_build/html" / language / page).read_text("utf-8"), page


def test_jobs_must_be_a_count_or_auto(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["build", "-j", "0"])
    assert stopped.value.code == 2
    assert "a number of processes such as 2, or auto, not '0'" in capsys.readouterr().err


def test_bad_input_stops_languages_side_by_side_with_one_message(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("i18n")
    (root / "data/dwcp/GHA.yaml").write_text("id: [unclosed\n", "utf-8")
    assert main(["build", "--source", str(root), "--format", "html", "-j", "3"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len([line for line in errors if ": error: " in line]) == 1, errors
    assert errors[0].startswith("data/dwcp/GHA.yaml:2: error: YAML syntax error")


_LOADS_JIEBA = (
    "import sys\n"
    "from rbmdocs.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(code, 'jieba' in sys.modules)\n"
)


def test_only_a_chinese_build_loads_the_chinese_word_splitter(
    copy_root: Callable[[str], Path],
) -> None:
    """jieba costs every start about 0.1 s: an English build and a check go without it."""
    root = copy_root("i18n")

    def loads_jieba(*arguments: str) -> str:
        command = [sys.executable, "-c", _LOADS_JIEBA, *arguments, "--source", str(root)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return output.strip().splitlines()[-1]

    assert loads_jieba("check") == "0 False"
    assert loads_jieba("build", "--lang", "en", "--format", "html") == "0 False"
    assert loads_jieba("build", "--lang", "zh_CN", "--format", "html") == "0 True"
    # and the Chinese search index holds words jieba split out of "青年就业" (youth employment)
    index = (root / "_build/html/zh_CN/searchindex.js").read_text("utf-8")
    words = json.loads(index.removeprefix("Search.setIndex(").removesuffix(")"))
    assert {"青年", "就业"} <= words["terms"].keys() | words["titleterms"].keys()


class _ClassRecorder(pickle.Unpickler):
    """Unpickles a doctree and notes every class its pickle names."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(stream)
        self.classes: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.classes.add(f"{module}.{name}")
        return super().find_class(module, name)


def _pickled_classes(doctree_file: Path) -> tuple[set[str], Any]:
    with doctree_file.open("rb") as stream:
        recorder = _ClassRecorder(stream)
        doctree = recorder.load()
    return recorder.classes, doctree


def test_a_translated_page_pickles_its_own_doctree_and_not_the_environment(
    copy_root: Callable[[str], Path],
) -> None:
    """Translated nodes once named the throw-away document of their message, whose
    settings hold the build environment: each translated page's doctree pickled it.

    In Chinese, which has no smart quotes to replace the translated text nodes (French
    does), the nodes Sphinx's ``Locale`` transform parses reach the pickle as parsed.
    """
    root = copy_root("i18n")
    chinese = root / "locales/zh_CN/LC_MESSAGES"
    chinese.mkdir(parents=True)
    shutil.copy(root / "locales/fr/LC_MESSAGES/framework.po", chinese / "framework.po")
    _set_translation(chinese / "framework.po", "More and better jobs.", "更多更好的工作。")
    for language in ("en", "zh_CN"):
        arguments = ["build", "--source", str(root), "--lang", language, "--format", "html"]
        assert main(arguments) == 0

    english_file = root / "_build/.doctrees/en/framework.doctree"
    english_classes, _ = _pickled_classes(english_file)
    chinese_file = root / "_build/.doctrees/zh_CN/framework.doctree"
    chinese_classes, doctree = _pickled_classes(chinese_file)

    # the page was translated (its body through Sphinx's Locale transform) ...
    assert "更多更好的工作。" in doctree.astext()
    # ... and its pickle holds the page alone, as the English one does
    assert "sphinx.environment.BuildEnvironment" not in chinese_classes
    assert chinese_classes <= english_classes
    assert all(node.document is doctree for node in doctree.findall())
    assert chinese_file.stat().st_size < 2 * english_file.stat().st_size
