"""What a new user runs into with ``rbmdocs build`` and ``check`` (issue 17, item 4).

Each test drives the real command on a real project and reads what it printed or wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.cli import _parser, main

pytestmark = pytest.mark.sphinx


def _published_files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_build_prints_sphinx_warnings_with_file_and_line_and_strict_fails(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    (root / "new_topic.md").write_text("# New topic\n\nSee {need}`IO_99`.\n", "utf-8")
    code = main(["build", "--source", str(root), "--lang", "en", "--format", "html", "--strict"])
    err = capsys.readouterr().err
    assert code == 1
    assert "new_topic.md:3: WARNING: linked need IO_99 not found" in err
    assert "new_topic.md: WARNING: document isn't included in any toctree" in err
    assert str(root) not in err  # named as the findings are: relative to the project
    assert "2 Sphinx warnings" in err
    assert not (root / "_build" / "html" / "en").exists()  # --strict: not published


def test_build_prints_the_first_twenty_findings_and_how_many_more(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    dwcp = root / "data" / "dwcp" / "GHA.yaml"
    text = dwcp.read_text("utf-8")
    assert "contributes_to: [IO_1]" in text
    dwcp.write_text(text.replace("contributes_to: [IO_1]", "contributes_to: [IO_404]"), "utf-8")
    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 1
    err = capsys.readouterr().err
    line = next(
        number
        for number, content in enumerate(dwcp.read_text("utf-8").splitlines(), start=1)
        if "id: CPO_GHA_101" in content
    )
    assert f"data/dwcp/GHA.yaml:{line}: error: RBM010 CPO_GHA_101: " in err
    assert "IO_404" in err and "  hint: " in err

    framework = root / "framework.md"
    extra = "".join(
        f"\n:::{{intermediate-outcome}} Orphan {number}\n:id: IMO_{100 + number}\n"
        f":contributes_to: SO_404\n:::\n"
        for number in range(25)
    )
    framework.write_text(framework.read_text("utf-8") + extra, "utf-8")
    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 1
    err = capsys.readouterr().err
    shown = [line for line in err.splitlines() if re.match(r"\S+: (error|warning): RBM", line)]
    assert len(shown) == 20
    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    total = len(json.loads(capsys.readouterr().out)["findings"])
    assert total > 25
    assert f"... and {total - 20} more findings: `rbmdocs check` lists them all" in err


def test_a_removed_page_leaves_the_published_site(
    copy_root: Callable[[str], Path], tmp_path: Path
) -> None:
    root = copy_root("minimal")
    index = root / "index.md"
    index.write_text(index.read_text("utf-8").replace("dwcps\n", "dwcps\nnew_topic\n"), "utf-8")
    (root / "new_topic.md").write_text("# New topic\n\nA page.\n", "utf-8")
    build = ["build", "--source", str(root), "--lang", "en", "--format", "html"]
    assert main(build) == 0
    published = root / "_build" / "html" / "en"
    assert (published / "new_topic.html").is_file()
    # what the build keeps for the next one stays in its work folder
    assert [path.name for path in published.glob(".rbmdocs-*")] == []
    assert (root / "_build/.work/html/en/.rbmdocs-dwcp-pages.json").is_file()

    (root / "new_topic.md").rename(root / "renamed_topic.md")
    index.write_text(index.read_text("utf-8").replace("new_topic", "renamed_topic"), "utf-8")
    # a check reads the change first (it shares the cache): the build must still sweep
    assert main(["check", "--source", str(root)]) == 0
    assert main(build) == 0
    assert not (published / "new_topic.html").exists()
    assert not (published / "_sources" / "new_topic.md.txt").exists()
    assert (published / "renamed_topic.html").is_file()

    empty = tmp_path / "empty"
    shutil.copytree(root, empty, ignore=shutil.ignore_patterns("_build"))
    assert main(["build", "--source", str(empty), "--lang", "en", "--format", "html"]) == 0
    assert _published_files(published) == _published_files(empty / "_build" / "html" / "en")

    (root / "renamed_topic.md").unlink()
    index.write_text(index.read_text("utf-8").replace("renamed_topic\n", ""), "utf-8")
    assert main([*build, "--fresh"]) == 0
    assert not (published / "renamed_topic.html").exists()


def _actions(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, argparse.Action]]:
    found = []
    for action in parser._actions:  # argparse has no public list of a parser's options
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _actions(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            found.append((path, action))
    return found


def test_every_option_of_every_command_has_help() -> None:
    missing = [
        f"{path} {action.option_strings or action.dest}"
        for path, action in _actions(_parser(), "rbmdocs")
        if not action.help
    ]
    assert missing == []


def test_check_lang_says_what_it_changes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--lang LANG" in text
    said = text.rsplit("--lang LANG", 1)[1].split(" --", 1)[0]
    assert "the findings are the same in every language" in said
    assert "cache" in said


def test_trace_down_from_a_priority_does_not_put_its_programme_below_it(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    assert main(["trace", "PRI_GHA_1", "--down", "--source", str(root)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("PRI_GHA_1")
    assert "part of DWCP_GHA" in lines[0]  # named beside the priority, as its programme
    assert not any("DWCP_GHA" in line for line in lines[1:])


def _serve_output(root: Path, extra_env: dict[str, str]) -> str:
    """What ``rbmdocs serve`` wrote to a log file until its first build was served."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = root.parent / f"serve-{port}.log"
    env = {**os.environ, **extra_env}
    with log.open("w") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "rbmdocs", "serve", "--source", str(root), "--port", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            for _attempt in range(240):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                        break
                except OSError:
                    time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return log.read_text("utf-8")


@pytest.mark.slow
def test_serve_writes_no_colour_codes_to_a_log_file(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    output = _serve_output(root, {})
    assert "Serving on" in output or "sphinx-autobuild" in output
    assert "\x1b[" not in output


def test_no_colour_codes_when_no_color_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rbmdocs.terminal import colour_wanted, plain_unless_terminal

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_wanted(terminal)
    with plain_unless_terminal():
        sys.stdout.write("\x1b[32mgreen\x1b[0m\n")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(terminal)
    with plain_unless_terminal():
        sys.stdout.write("\x1b[32mplain\x1b[0m\n")
    assert terminal.getvalue() == "\x1b[32mgreen\x1b[0m\nplain\n"


def test_an_invalid_region_is_reported_on_its_line_and_still_counted(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    dwcp = root / "data" / "dwcp" / "GHA.yaml"
    text = dwcp.read_text("utf-8")
    dwcp.write_text(text.replace("region: africa", "region: afrika"), "utf-8")
    region_line = dwcp.read_text("utf-8").splitlines().index("region: afrika") + 1
    assert region_line > 1
    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (finding,) = [found for found in report["findings"] if found["rule"] == "RBM003"]
    assert (finding["file"], finding["line"]) == ("data/dwcp/GHA.yaml", region_line)
    assert "africa, americas, arab-states, asia-pacific, europe-central-asia" in finding["message"]
    priorities = report["summary"]["coverage"]["priorities"]
    assert priorities["total"] == 1
    assert priorities["by_region"] == {"afrika": {"total": 1, "traced": 1}}

    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 1
    draft = root / "_build" / ".work" / "html" / "en"
    for page in ("dwcps.html", "data/dwcp/GHA.html"):
        html = (draft / page).read_text("utf-8")
        assert "region.afrika" not in html
        assert "afrika (No region)" in html


def test_a_hint_names_the_file_where_the_missing_need_goes(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    framework = root / "framework.md"
    framework.write_text(
        framework.read_text("utf-8")
        + "\n:::{immediate-outcome} Member States extend social protection\n:id: IO_2\n"
        ":contributes_to: IMO_1\n:scope: global\n:::\n",
        "utf-8",
    )
    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    findings = {
        found["rule"]: found
        for found in json.loads(capsys.readouterr().out)["findings"]
        if found["need"] == "IO_2"
    }
    strategy = findings["RBM024"]
    assert strategy["file"] == "framework.md"
    assert strategy["hint"].endswith(
        "Write it in budget.md, where the other outcome strategies of 2016-17 are."
    )
    # an indicator goes beside the outcome, in its own file: the hint names no other file
    assert "Write it in" not in findings["RBM022"]["hint"]


def test_a_sphinx_warning_is_said_again_until_its_page_is_fixed(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Sphinx warns once, when it reads or writes the page; rbmdocs says it until fixed."""
    root = copy_root("minimal")
    build = ["build", "--source", str(root), "--lang", "en", "--format", "html", "--strict"]
    assert main(build) == 0
    capsys.readouterr()
    page = root / "new_topic.md"
    page.write_text("# New topic\n\nSee {need}`IO_99`.\n", "utf-8")
    orphan = "new_topic.md: WARNING: document isn't included in any toctree"
    dead = "new_topic.md:3: WARNING: linked need IO_99 not found"

    # the check through Sphinx reads the new page (RBM014 makes the reference an error too;
    # the check on the project index reads no page through Sphinx, so says no warning of it)
    assert main(["check", "--sphinx", "--source", str(root)]) == 1
    assert orphan in capsys.readouterr().err
    for _attempt in range(2):  # the build reads nothing new, and still says both
        assert main(build) == 1
        err = capsys.readouterr().err
        assert orphan in err and dead in err

    page.write_text("# New topic\n\nSee {need}`IO_1`.\n", "utf-8")
    assert main(build) == 1
    err = capsys.readouterr().err
    assert orphan in err and dead not in err

    index = root / "index.md"
    index.write_text(index.read_text("utf-8").replace("dwcps\n", "dwcps\nnew_topic\n"), "utf-8")
    assert main(build) == 0
    assert "WARNING" not in capsys.readouterr().err
    assert main(["check", "--sphinx", "--source", str(root)]) == 0
    assert "WARNING" not in capsys.readouterr().err


def test_no_colour_codes_in_piped_output_when_stderr_is_a_terminal(
    copy_root: Callable[[str], Path],
) -> None:
    """``build -v > build.log`` at a terminal: the log gets Sphinx's progress, uncoloured."""
    import pty
    import threading

    root = copy_root("minimal")
    terminal, terminal_end = pty.openpty()
    said_on_terminal: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:
                return
            if not chunk:
                return
            said_on_terminal.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    command = [sys.executable, "-m", "rbmdocs", "build", "--source", str(root), "--lang", "en"]
    finished = subprocess.run(
        [*command, "--format", "html", "-v"],
        stdout=subprocess.PIPE,
        stderr=terminal_end,
        env=env,
        check=False,
    )
    os.close(terminal_end)
    reader.join(timeout=30)
    os.close(terminal)
    assert finished.returncode == 0
    log = finished.stdout.decode("utf-8")
    assert "build succeeded" in log or "writing output" in log
    assert "\x1b[" not in log


@pytest.mark.parametrize("command", [["check"], ["check", "--format", "json"], ["trace", "SO_1"]])
def test_a_reader_that_leaves_early_gets_no_internal_error(
    command: list[str], copy_root: Callable[[str], Path]
) -> None:
    """``rbmdocs check | head``: when the reader closes the pipe, the command stops quietly."""
    root = copy_root("minimal")
    running = subprocess.Popen(
        [sys.executable, "-m", "rbmdocs", *command, "--source", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert running.stdout is not None and running.stderr is not None
    running.stdout.close()  # the reader is gone before the first line
    said = running.stderr.read().decode("utf-8")
    running.stderr.close()
    assert running.wait() == 2
    assert "internal error" not in said and "Traceback" not in said


def test_fresh_forgets_what_earlier_builds_kept(copy_root: Callable[[str], Path]) -> None:
    """``--fresh`` is a build from nothing: the caches kept beside the doctrees go too."""
    root = copy_root("minimal")
    build = ["build", "--source", str(root), "--lang", "en", "--format", "html"]
    assert main(build) == 0
    doctrees = root / "_build/.doctrees/en"
    kept = sorted(path.name for path in doctrees.glob("rbmdocs-*"))
    assert "rbmdocs-dwcp-search.marshal" in kept, kept
    stale = doctrees / "rbmdocs-dwcp-search.marshal"
    stale.write_bytes(b"left by an earlier build")
    (doctrees / "rbmdocs-dwcp-cache" / "stale.marshal").write_bytes(b"left too")
    # a cache no build of this version reads or writes: only --fresh takes it away
    (doctrees / "rbmdocs-of-an-older-version.json").write_text("{}", "utf-8")

    assert main([*build, "--fresh"]) == 0
    assert not (doctrees / "rbmdocs-dwcp-cache" / "stale.marshal").exists()
    assert not (doctrees / "rbmdocs-of-an-older-version.json").exists()
    assert stale.read_bytes() != b"left by an earlier build"  # made again by this build
