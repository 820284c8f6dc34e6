"""Bad input: one clear message with file and line, exit 2, no traceback, output kept."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx

GOOD = (Path(__file__).parent / "roots/test-minimal/data/dwcp/GHA.yaml").read_text("utf-8")

BAD_FILES: dict[str, tuple[bytes, int, str]] = {
    # name: (file content, line reported, words the message must contain)
    "syntax": (b"id: DWCP_GHA\ncountry: [Ghana\nregion: africa\n", 3, "YAML syntax error"),
    "unknown-key": (
        GOOD.replace("    outcomes:", "    outcome:").encode(),
        9,
        "unknown key 'outcome' in priorities[0]\n  hint: allowed keys here: id, title, outcomes",
    ),
    "string-for-list": (
        GOOD.replace("[IO_1]", "IO_1").encode(),
        13,
        "priorities[0].outcomes[0].contributes_to has the wrong shape: expected a list",
    ),
    "list-at-top": (b"- id: DWCP_GHA\n", 1, "the file holds a list"),
    "not-utf8": (GOOD.replace("Ghana", "Gh\xe2na").encode("latin-1", "replace"), 2, "not UTF-8"),
    "empty": (b"\n# nothing yet\n", 1, "the file is empty"),
    "python-tag": (
        b"id: !!python/object/apply:os.system [echo hi]\n",
        1,
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_dwcp_file_gives_one_located_message(
    case: str, copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    content, line, words = BAD_FILES[case]
    (root / "data/dwcp/GHA.yaml").write_bytes(content)

    code = main(["check", "--source", str(root)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    first, *rest = captured.err.splitlines()
    assert first.startswith(f"data/dwcp/GHA.yaml:{line}: error: ")
    assert words in captured.err
    assert len(rest) <= 1 and all(extra.startswith("  hint: ") for extra in rest)
    assert "Traceback" not in captured.err


def test_failed_build_keeps_the_last_good_output(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    assert main(["build", "--source", str(root), "--lang", "en"]) == 0
    page = root / "_build/html/en/data/dwcp/GHA.html"
    good = page.read_bytes()
    assert b"Ghana" in good

    (root / "data/dwcp/GHA.yaml").write_text(GOOD.replace("    outcomes:", "    outcome:"), "utf-8")
    assert main(["build", "--source", str(root), "--lang", "en"]) == 2
    assert page.read_bytes() == good

    (root / "data/dwcp/GHA.yaml").write_text(GOOD.replace("[IO_1]", "[IO_9]"), "utf-8")
    capsys.readouterr()
    assert main(["build", "--source", str(root), "--lang", "en"]) == 1
    assert page.read_bytes() == good
    assert "not published" in capsys.readouterr().err


def test_missing_conf_py(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--source", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no conf.py here" in err and "Traceback" not in err


def test_broken_conf_value(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    conf = root / "conf.py"
    conf.write_text(conf.read_text("utf-8") + "rbmdocs_bienniums = ['2016-2017']\n", "utf-8")
    assert main(["check", "--source", str(root)]) == 2
    err = capsys.readouterr().err
    assert "conf.py" in err and "'2016-2017' is not a biennium" in err
    assert "Traceback" not in err


def test_conf_py_that_raises(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    (root / "conf.py").write_text("extensions = ['rbmdocs']\nraise RuntimeError('oops')\n")
    assert main(["check", "--source", str(root)]) == 2
    err = capsys.readouterr().err
    assert "conf.py" in err and "oops" in err and "Traceback" not in err


def test_the_installed_command_never_prints_a_traceback(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")
    (root / "data/dwcp/GHA.yaml").write_bytes(BAD_FILES["python-tag"][0])
    done = subprocess.run(
        [sys.executable, "-m", "rbmdocs", "build", "--source", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("data/dwcp/GHA.yaml:1: error: YAML tag")
    assert not (root / "_build/html").exists()
