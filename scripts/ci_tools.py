#!/usr/bin/env python3
# ruff: noqa: T201  (a command: it prints)
"""The pieces of the pull-request scripts that are easier in Python than in shell.

``comment``: put the results-framework summary on a pull request (GitHub) or merge request
(GitLab) as ONE comment, found again on the next push by a hidden marker and edited, so a
review thread carries one summary however often the branch is pushed. It speaks to the
forges' REST APIs with the standard library alone: no ``gh``, no extra package, and a test
can stand a local server in for the forge.

``new-annotations``: of the check's GitHub annotations, those of the findings the change
brings in, as ``rbmdocs diff`` lists them.

``root-page``: the page at the root of the published site, which sends a visitor to the
site in their browser's language and links the PDFs and the IATI file.

They are called by ``scripts/ci-comment``, ``scripts/ci-review`` and
``scripts/ci-publish``; every problem is one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import runpy
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = "<!-- rbmdocs-summary -->"
"""Hidden in the comment's text; how the next push finds the comment to edit."""

#: GitHub refuses a comment over 65,536 characters; GitLab's limit is higher.
MAX_BODY = 60_000


class CiError(Exception):
    """A problem the person running the script must fix (a variable, a file, the forge)."""


@dataclass(frozen=True)
class Forge:
    """Where the comments of one pull or merge request live, and how to edit one."""

    name: str
    list_url: str
    headers: dict[str, str]
    edit_method: str

    def item_url(self, comment_id: int) -> str:
        """The URL of one existing comment, to edit it."""
        if self.name == "github":
            # GitHub edits an issue comment at /repos/O/R/issues/comments/ID
            base = self.list_url.rsplit("/issues/", 1)[0]
            return f"{base}/issues/comments/{comment_id}"
        return f"{self.list_url}/{comment_id}"


def _need(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise CiError(f"the environment variable {name} is not set")
    return value


def github_forge(pull_request: str) -> Forge:
    """The pull request's comments, from the variables GitHub Actions sets."""
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or ""
    if not token:
        raise CiError("GITHUB_TOKEN (or GH_TOKEN) is not set: the comment needs a token")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repository = _need("GITHUB_REPOSITORY")
    return Forge(
        "github",
        f"{api}/repos/{repository}/issues/{pull_request}/comments",
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        "PATCH",
    )


def gitlab_forge(merge_request: str, token: str) -> Forge:
    """The merge request's notes, from the variables GitLab CI sets."""
    api = _need("CI_API_V4_URL").rstrip("/")
    project = urllib.parse.quote(_need("CI_PROJECT_ID"), safe="")
    return Forge(
        "gitlab",
        f"{api}/projects/{project}/merge_requests/{merge_request}/notes",
        {"PRIVATE-TOKEN": token},
        "PUT",
    )


def _request(forge: Forge, method: str, url: str, body: dict[str, str] | None = None) -> Any:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    headers = {**forge.headers, "User-Agent": "rbmdocs-ci"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        raise CiError(f"{method} {url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise CiError(f"{method} {url}: {error.reason}") from None
    return json.loads(text) if text.strip() else None


def find_comment(forge: Forge) -> int | None:
    """The ID of the comment that carries the marker, page by page; None when none does."""
    page = 1
    while True:
        separator = "&" if "?" in forge.list_url else "?"
        url = f"{forge.list_url}{separator}per_page=100&page={page}"
        comments = _request(forge, "GET", url)
        if not isinstance(comments, list):
            raise CiError(f"GET {url}: the forge did not answer with a list of comments")
        for comment in comments:
            if isinstance(comment, dict) and MARKER in str(comment.get("body", "")):
                return int(comment["id"])
        if len(comments) < 100:
            return None
        page += 1


def comment_body(summary: str) -> str:
    """The summary with the marker, cut to what the forge accepts."""
    if len(summary) > MAX_BODY:
        summary = summary[:MAX_BODY] + "\n\n*(cut: the whole summary is in the job's summary)*\n"
    return f"{MARKER}\n{summary}"


def post_summary(forge: Forge, summary: str) -> str:
    """Edit the marked comment, or add one; say which."""
    body = {"body": comment_body(summary)}
    existing = find_comment(forge)
    if existing is None:
        _request(forge, "POST", forge.list_url, body)
        return "added the summary comment"
    _request(forge, forge.edit_method, forge.item_url(existing), body)
    return f"updated the summary comment {existing}"


def _command_comment(args: argparse.Namespace) -> int:
    try:
        summary = Path(args.summary).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CiError(f"{args.summary}: cannot read the summary ({error})") from None
    if args.forge == "github":
        number = args.number or os.environ.get("PR_NUMBER", "")
        if not number.isdigit():
            raise CiError("the pull request's number: pass --number N or set PR_NUMBER")
        forge = github_forge(number)
    else:
        token = os.environ.get("RBMDOCS_GITLAB_TOKEN", "")
        if not token:
            print(
                "ci-comment: RBMDOCS_GITLAB_TOKEN is not set, so no note is posted "
                "(the summary is in the job's artifacts)"
            )
            return 0
        number = args.number or os.environ.get("CI_MERGE_REQUEST_IID", "")
        if not number.isdigit():
            raise CiError("the merge request's IID: pass --number N or set CI_MERGE_REQUEST_IID")
        forge = gitlab_forge(number, token)
    print(f"ci-comment: {post_summary(forge, summary)}")
    return 0


def _unescape_property(text: str) -> str:
    """A workflow command's property as it was before GitHub's escaping."""
    for escaped, plain in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def annotation_key(line: str) -> tuple[str, str, str] | None:
    """(file, line, rule) of a ``::error file=F,line=L,title=RULE::…`` line, else None."""
    if not line.startswith("::") or "::" not in line[2:]:
        return None
    command = line[2:].split("::", 1)[0]
    _, _, properties = command.partition(" ")
    values = {}
    for item in properties.split(","):
        name, _, value = item.partition("=")
        values[name] = _unescape_property(value)
    return (values.get("file", ""), values.get("line", "0"), values.get("title", ""))


def new_annotations(annotations: str, diff: dict[str, Any]) -> list[str]:
    """The annotation lines of the findings that ``rbmdocs diff`` lists as introduced.

    GitHub shows at most ten error annotations of a step: the ones a pull request brings
    in must not be crowded out by findings its base branch already had.
    """
    introduced = set()
    for finding in diff.get("findings_introduced", []):
        file, _, line = str(finding["location"]).rpartition(":")
        if not line.isdigit():
            file, line = str(finding["location"]), "0"
        introduced.add((file, line, str(finding["rule"])))
    return [line for line in annotations.splitlines() if annotation_key(line) in introduced]


def _command_new_annotations(args: argparse.Namespace) -> int:
    try:
        annotations = Path(args.annotations).read_text("utf-8")
        diff = json.loads(Path(args.diff).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CiError(f"cannot read the reports ({error})") from None
    for line in new_annotations(annotations, diff):
        print(line)
    return 0


#: How each document's PDF is named on the root page when conf.py does not say.
_LANGUAGE_FALLBACK = {"en": "English", "zh_CN": "中文"}


def language_name(code: str) -> str:
    """The language's name in itself ("English", "中文"), as a visitor looks for it."""
    try:
        from babel import Locale

        name = Locale.parse(code).get_language_name()
    except Exception:  # babel missing, or a code it does not know: fall back
        name = None
    return str(name or _LANGUAGE_FALLBACK.get(code, code))


def conf_values(source: Path) -> dict[str, Any]:
    """The values conf.py sets (it is run as Sphinx runs it, from its own folder)."""
    conf = source / "conf.py"
    if not conf.is_file():
        raise CiError(f"{source}: no conf.py")
    here = Path.cwd()
    try:
        os.chdir(source)  # conf.py may name files relative to its folder, as Sphinx allows
        return runpy.run_path(str(conf))
    except Exception as error:  # conf.py is user code
        raise CiError(f"{conf}: {type(error).__name__}: {error}") from None
    finally:
        os.chdir(here)


def documents(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, title) of each PDF of ``rbmdocs_documents``, in conf.py's order."""
    found = []
    for entry in values.get("rbmdocs_documents") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            found.append((entry["name"], str(entry.get("title") or entry["name"])))
    return found


_ROOT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{alternates}
<script>
/* Send a visitor to the site in their browser's language, once per visit: coming back
   here (or opening #downloads) shows this page, with the PDFs and the IATI file. */
(function () {{
  var languages = {languages_json};
  if (location.hash === "#downloads" || sessionStorage.getItem("rbmdocs-root-seen")) return;
  sessionStorage.setItem("rbmdocs-root-seen", "1");
  var wanted = (navigator.languages || [navigator.language || ""]).map(function (tag) {{
    return tag.replace("-", "_").toLowerCase();
  }});
  var chosen = languages[0];
  outer: for (var i = 0; i < wanted.length; i++) {{
    for (var j = 0; j < languages.length; j++) {{
      var code = languages[j].toLowerCase();
      if (wanted[i] === code || wanted[i].split("_")[0] === code.split("_")[0]) {{
        chosen = languages[j];
        break outer;
      }}
    }}
  }}
  location.replace(chosen + "/");
}})();
</script>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: 0.3rem 1rem 0.3rem 0; }}
</style>
</head>
<body>
<h1>{title}</h1>
<h2>Read online</h2>
<ul>
{language_items}
</ul>
<h2 id="downloads">Download</h2>
{pdf_table}
<p><a href="iati/activities.xml">The results framework as IATI 2.03 activity XML</a></p>
</body>
</html>
"""


def root_page(site: Path, source: Path) -> str:
    """The root page of ``site``: its languages, its PDFs per language, the IATI file."""
    values = conf_values(source)
    title = str(values.get("html_title") or values.get("project") or "Documents")
    languages = sorted(
        path.parent.name
        for path in site.glob("*/index.html")
        if path.parent.name not in ("pdf", "iati")
    )
    if not languages:
        raise CiError(f"{site}: no language folder with an index.html to link")
    if not (site / "iati" / "activities.xml").is_file():
        raise CiError(f"{site}: no iati/activities.xml to link")
    language_items = "\n".join(
        f'<li><a href="{html.escape(code)}/" hreflang="{html.escape(code.replace("_", "-"))}">'
        f"{html.escape(language_name(code))}</a></li>"
        for code in languages
    )
    alternates = "\n".join(
        f'<link rel="alternate" hreflang="{html.escape(code.replace("_", "-"))}" '
        f'href="{html.escape(code)}/">'
        for code in languages
    )
    rows = []
    for name, document_title in documents(values):
        cells = []
        for code in languages:
            pdf = f"pdf/{code}/{name}.pdf"
            if (site / pdf).is_file():
                cells.append(
                    f'<td><a href="{html.escape(pdf)}">{html.escape(language_name(code))}'
                    " (PDF)</a></td>"
                )
            else:
                cells.append("<td></td>")
        if any(cell != "<td></td>" for cell in cells):
            rows.append(f"<tr><th>{html.escape(document_title)}</th>{''.join(cells)}</tr>")
    pdf_table = (
        "<table>\n" + "\n".join(rows) + "\n</table>"
        if rows
        else "<p>This site was published without PDFs.</p>"
    )
    return _ROOT_PAGE.format(
        title=html.escape(title),
        alternates=alternates,
        languages_json=json.dumps(languages),
        language_items=language_items,
        pdf_table=pdf_table,
    )


def _command_root_page(args: argparse.Namespace) -> int:
    site, source = Path(args.site), Path(args.source)
    page = root_page(site, source)
    (site / "index.html").write_text(page, "utf-8")
    print(f"ci-publish: root page → {site / 'index.html'}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ci_tools.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    comment = commands.add_parser("comment", help="add or update the summary comment")
    comment.add_argument("summary", help="the Markdown file of rbmdocs diff")
    comment.add_argument("--forge", choices=["github", "gitlab"], required=True)
    comment.add_argument(
        "--number",
        default="",
        help="the pull request's number, or the merge request's IID "
        "(default: PR_NUMBER, or CI_MERGE_REQUEST_IID on GitLab)",
    )
    annotations = commands.add_parser(
        "new-annotations", help="print the annotations of the findings a change brings in"
    )
    annotations.add_argument("annotations", help="the output of rbmdocs check --format github")
    annotations.add_argument("diff", help="the output of rbmdocs diff --format json")
    root = commands.add_parser("root-page", help="write the published site's index.html")
    root.add_argument("site", help="the site folder: one folder per language, pdf/, iati/")
    root.add_argument("--source", default=".", help="the project folder, which holds conf.py")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a problem is one line on stderr and exit 2."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "comment":
            return _command_comment(args)
        if args.command == "new-annotations":
            return _command_new_annotations(args)
        return _command_root_page(args)
    except CiError as error:
        print(f"{args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
