"""The ``rbmdocs_*`` configuration values: declared once, registered in a loop, checked once.

Validation collects every problem and raises one ConfigError that lists them all, so a
programme unit fixing conf.py sees everything wrong in one run rather than one per build.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from sphinx.errors import ConfigError

from rbmdocs.documents import check_documents
from rbmdocs.graph.model import CheckContext
from rbmdocs.graph.rules import biennium_years, iso_date
from rbmdocs.schema import PERIOD_PATTERN, REPORT_STATUSES, RULES_BY_ID, SEVERITIES

if TYPE_CHECKING:  # the commands on the project index read the values without Sphinx running
    from sphinx.application import Sphinx
    from sphinx.config import Config

Rebuild = Literal["env", "html", ""]


@dataclass(frozen=True, slots=True)
class ConfigValue:
    """A config value of the extension: its type, default, what a change rebuilds, its help."""

    name: str
    default: Any
    rebuild: Rebuild
    types: tuple[type, ...]
    help: str
    validate: Callable[[Any], list[str]]


def _check_period(value: Any) -> list[str]:
    if value == "":
        return []
    match = PERIOD_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return [f"rbmdocs_spf_period must look like '2010-2015', not {value!r}"]
    start, end = int(match[1]), int(match[2])
    if end < start:
        return [f"rbmdocs_spf_period {value!r} ends before it starts"]
    return []


def _check_bienniums(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        return [f"rbmdocs_bienniums must be a list such as ['2010-11'], not {value!r}"]
    return [
        f"rbmdocs_bienniums: {item!r} is not a biennium such as '2010-11'"
        for item in value
        if not isinstance(item, str) or biennium_years(item) is None
    ]


def _whole_number(name: str) -> Callable[[Any], list[str]]:
    """A validator for a count such as a limit: a whole number, zero or more."""

    def check(value: Any) -> list[str]:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return []
        return [f"{name} must be a whole number, not {value!r}"]

    return check


def _check_reports(value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"rbmdocs_reports must be a dict such as {{'2010-11': 'draft'}}, not {value!r}"]
    problems = []
    for biennium, status in value.items():
        if not isinstance(biennium, str) or biennium_years(biennium) is None:
            problems.append(f"rbmdocs_reports: {biennium!r} is not a biennium such as '2010-11'")
        if status not in REPORT_STATUSES:
            problems.append(
                f"rbmdocs_reports[{biennium!r}] is {status!r}; use one of "
                f"{', '.join(REPORT_STATUSES)}"
            )
    return problems


def _check_pb_status(value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"rbmdocs_pb_status must be a dict such as {{'2012-13': 'final'}}, not {value!r}"]
    problems = []
    for biennium, status in value.items():
        if not isinstance(biennium, str) or biennium_years(biennium) is None:
            problems.append(f"rbmdocs_pb_status: {biennium!r} is not a biennium such as '2012-13'")
        if status not in REPORT_STATUSES:
            problems.append(
                f"rbmdocs_pb_status[{biennium!r}] is {status!r}; use one of "
                f"{', '.join(REPORT_STATUSES)}"
            )
    return problems


def _check_build_date(value: Any) -> list[str]:
    if value == "" or (isinstance(value, str) and iso_date(value) is not None):
        return []
    return [f"rbmdocs_build_date must be a date such as '2011-12-31' or '', not {value!r}"]


def build_date(config: Config) -> str:
    """The day overdue follow-up is judged on: ``rbmdocs_build_date``, else today.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) stands for today when set,
    so that a build of the same sources on another day can give the same output.
    """
    configured: str = config.rbmdocs_build_date
    if configured:
        return configured
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date().isoformat()
    return datetime.datetime.now(datetime.UTC).date().isoformat()


#: What ``rbmdocs_iati`` must hold for an export, with an example of each.
IATI_REQUIRED_SETTINGS: Final[dict[str, str]] = {
    "reporting_org": "XM-DAC-41302",
    "reporting_org_type": "40",
    "reporting_org_name": "International Labour Organization",
}
IATI_OPTIONAL_SETTINGS: Final[dict[str, str]] = {"default_currency": "USD"}
#: The optional mapping of strategic objectives to OECD DAC 5-digit sector codes.
IATI_SECTORS_EXAMPLE: Final[dict[str, str]] = {"SO_1": "16020", "SO_2": "16010"}
_DAC_CODE: Final = re.compile(r"\d{5}")


def _check_iati_sectors(value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"rbmdocs_iati['sectors'] must be a dict such as {IATI_SECTORS_EXAMPLE!r}"]
    return [
        f"rbmdocs_iati['sectors'][{key!r}] must be a 5-digit OECD DAC sector code such as "
        f"'16020', not {code!r}"
        for key, code in value.items()
        if not isinstance(key, str) or not isinstance(code, str) or not _DAC_CODE.fullmatch(code)
    ]


def _check_iati(value: Any) -> list[str]:
    """Empty means the project does not publish to IATI; otherwise every setting is text."""
    if not isinstance(value, Mapping):
        return [f"rbmdocs_iati must be a dict such as {IATI_REQUIRED_SETTINGS!r}, not {value!r}"]
    if not value:
        return []
    known = {**IATI_REQUIRED_SETTINGS, **IATI_OPTIONAL_SETTINGS}
    problems = [
        f"rbmdocs_iati names {key!r}, which is not a setting "
        f"(settings: {', '.join([*known, 'sectors'])})"
        for key in value
        if key not in known and key != "sectors"
    ]
    if "sectors" in value:
        problems.extend(_check_iati_sectors(value["sectors"]))
    problems.extend(
        f"rbmdocs_iati[{key!r}] is missing; give it, e.g. {example!r}"
        for key, example in IATI_REQUIRED_SETTINGS.items()
        if key not in value
    )
    problems.extend(
        f"rbmdocs_iati[{key!r}] must be text such as {known[key]!r}, not {text!r}"
        for key, text in value.items()
        if key in known and (not isinstance(text, str) or not text.strip())
    )
    return problems


def _check_dwcp_dir(value: Any) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"rbmdocs_dwcp_dir must be a folder relative to conf.py, not {value!r}"]
    return []


def _check_severity(value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"rbmdocs_severity must be a dict such as {{'RBM026': 'off'}}, not {value!r}"]
    problems = []
    for rule, severity in value.items():
        if rule not in RULES_BY_ID:
            problems.append(
                f"rbmdocs_severity names {rule!r}, which is not a rule "
                f"(rules: {', '.join(RULES_BY_ID)})"
            )
        if severity not in SEVERITIES:
            problems.append(
                f"rbmdocs_severity[{rule!r}] is {severity!r}; use one of {', '.join(SEVERITIES)}"
            )
    return problems


CONFIG_VALUES: tuple[ConfigValue, ...] = (
    ConfigValue(
        "spf_period",
        "",
        "env",
        (str,),
        "The period of the Strategic Policy Framework in the build, e.g. '2010-2015'.",
        _check_period,
    ),
    ConfigValue(
        "bienniums",
        [],
        "env",
        (list, tuple),
        "The Programme and Budget bienniums in the build, e.g. ['2010-11'].",
        _check_bienniums,
    ),
    ConfigValue(
        "dwcp_dir",
        "data/dwcp",
        "env",
        (str,),
        "The folder of DWCP YAML files, relative to conf.py.",
        _check_dwcp_dir,
    ),
    ConfigValue(
        "languages",
        [],
        "html",
        (list, tuple),
        "The languages `rbmdocs build --lang all` builds, e.g. ['en', 'zh_CN']; "
        "empty means the project's `language` alone.",
        lambda value: (
            []
            if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)
            else [f"rbmdocs_languages must be a list such as ['en', 'zh_CN'], not {value!r}"]
        ),
    ),
    ConfigValue(
        "dwcp_toctree_limit",
        300,
        "env",
        (int,),
        "Up to this many DWCPs, every DWCP page is listed in the table of contents (and so "
        "in every page's sidebar); above it, DWCP pages are reached from the DWCP index "
        "alone, because a sidebar listing thousands of pages makes every page, and the "
        "build, grow with the square of their number.",
        _whole_number("rbmdocs_dwcp_toctree_limit"),
    ),
    ConfigValue(
        "matrix_cell_limit",
        25_000,
        "env",
        (int,),
        "Up to this many cells (programmes times immediate outcomes), a region's priority "
        "matrix on the traceability report is drawn in full; above it, each programme lists "
        "the outcomes it reaches, because a full matrix grows with the square of the "
        "programme cycle (81 MB of HTML at 5,000 programmes and 500 outcomes).",
        _whole_number("rbmdocs_matrix_cell_limit"),
    ),
    ConfigValue(
        "documents",
        [],
        "env",
        (list, tuple),
        "The documents to publish as PDF: a dict each, with name, start (page), title, "
        "symbol, date and place for the title page.",
        check_documents,
    ),
    ConfigValue(
        "reports",
        {},
        "env",
        (dict,),
        "The bienniums whose programme implementation report is in the build, each 'draft' "
        "or 'final': {'2010-11': 'final'}. Targets without a result and outcomes without a "
        "report are warnings while the report is a draft, errors once it is final.",
        _check_reports,
    ),
    ConfigValue(
        "pb_status",
        {},
        "env",
        (dict,),
        "Each P&B biennium 'draft' or 'final' (absent means draft): {'2012-13': 'final'}. "
        "A recommendation accepted in one biennium and followed up by no strategy of the next "
        "is a warning while the next P&B is a draft, an error once it is final (RBM063).",
        _check_pb_status,
    ),
    ConfigValue(
        "build_date",
        "",
        "",
        (str,),
        "The date, 'YYYY-MM-DD', that recommendations' due dates are checked against; "
        "empty means today (or SOURCE_DATE_EPOCH when set).",
        _check_build_date,
    ),
    ConfigValue(
        "iati",
        {},
        "",
        (dict,),
        "What `rbmdocs export iati` writes about the publisher: reporting_org (its IATI "
        "organisation identifier), reporting_org_type (IATI OrganisationType code), "
        "reporting_org_name and default_currency; empty when the project does not publish "
        "to IATI.",
        _check_iati,
    ),
    ConfigValue(
        "organisation",
        "",
        "html",
        (str,),
        "The organisation's name in the masthead of every page of the rbmdocs HTML theme, "
        "e.g. 'International Labour Organization'; translated through the root document's "
        "catalogue like the site's title.",
        lambda value: (
            [] if isinstance(value, str) else [f"rbmdocs_organisation must be text, not {value!r}"]
        ),
    ),
    ConfigValue(
        "emblem",
        "",
        "html",
        (str,),
        "The organisation's emblem beside its name in the masthead: an image file "
        "relative to conf.py, e.g. '_static/emblem.svg'; empty for none.",
        lambda value: (
            [] if isinstance(value, str) else [f"rbmdocs_emblem must be a file name, not {value!r}"]
        ),
    ),
    ConfigValue(
        "severity",
        {},
        "html",
        (dict,),
        "Per-rule severity overrides: {'RBM026': 'off'}; error, warning or off.",
        _check_severity,
    ),
)

PREFIX = "rbmdocs_"


def register_config_values(app: Sphinx) -> None:
    """Register every value with the ``rbmdocs_`` prefix."""
    for value in CONFIG_VALUES:
        app.add_config_value(
            PREFIX + value.name,
            value.default,
            value.rebuild,
            types=value.types,
            description=value.help,
        )


def project_config(raw: Mapping[str, Any]) -> Config:
    """conf.py's values with the default of every ``rbmdocs_*`` value, without Sphinx running.

    For the commands that read the project on the index; ``raw`` is what
    ``eval_config_file`` gives.
    """
    from sphinx.config import Config

    config = Config(dict(raw))
    for value in CONFIG_VALUES:
        config.add(PREFIX + value.name, value.default, value.rebuild, value.types, value.help)
    return config


def validate_config(app: Sphinx, config: Config) -> None:
    """``config-inited``: check the project's values (``check_config``)."""
    check_config(Path(app.confdir), config)


def check_config(confdir: Path, config: Config) -> None:
    """Check every value and the values together; raise one ConfigError listing all problems.

    ``confdir`` is the folder of conf.py, which the DWCP folder and the emblem are relative to.
    """
    problems: list[str] = []
    for value in CONFIG_VALUES:
        problems.extend(value.validate(config[PREFIX + value.name]))
    if not problems:
        problems.extend(_bienniums_inside_period(config))
        problems.extend(_reports_in_build(config))
        configured_dir = config[PREFIX + "dwcp_dir"]
        if configured_dir != "data/dwcp" and not (confdir / configured_dir).is_dir():
            problems.append(f"rbmdocs_dwcp_dir: the folder {configured_dir!r} does not exist")
        emblem = config[PREFIX + "emblem"]
        if emblem and not (confdir / emblem).is_file():
            problems.append(f"rbmdocs_emblem: the file {emblem!r} does not exist")
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise ConfigError(f"rbmdocs configuration in conf.py has problems:\n{listing}")


def _reports_in_build(config: Config) -> list[str]:
    """A report is of a biennium whose P&B is in the build: its targets are there."""
    return [
        f"rbmdocs_reports: {biennium} is not a P&B biennium in the build "
        f"(rbmdocs_bienniums: {', '.join(config.rbmdocs_bienniums) or 'none'})"
        for biennium in config.rbmdocs_reports
        if biennium not in config.rbmdocs_bienniums
    ]


def _bienniums_inside_period(config: Config) -> list[str]:
    period = PERIOD_PATTERN.fullmatch(config.rbmdocs_spf_period or "")
    if period is None:
        return []
    start, end = int(period[1]), int(period[2])
    problems = []
    for biennium in config.rbmdocs_bienniums:
        years = biennium_years(biennium)
        if years and not (start <= years[0] and years[1] <= end):
            problems.append(
                f"rbmdocs_bienniums: {biennium} lies outside the SPF period "
                f"{config.rbmdocs_spf_period}"
            )
    return problems


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``rbmdocs_*`` values of one build, typed: the one way the code reads them.

    conf.py has been validated by then (``validate_config``), so the types hold; a reader
    sees in one place what each value is, instead of an untyped ``config.rbmdocs_*``.
    """

    spf_period: str
    bienniums: tuple[str, ...]
    dwcp_dir: str
    languages: tuple[str, ...]
    dwcp_toctree_limit: int
    matrix_cell_limit: int
    documents: tuple[dict[str, Any], ...]
    reports: Mapping[str, str]
    pb_status: Mapping[str, str]
    iati: Mapping[str, Any]
    organisation: str
    emblem: str
    severity: Mapping[str, str]


def settings(config: Config) -> Settings:
    """The typed view of ``config``'s ``rbmdocs_*`` values (``build_date`` has its own)."""
    return Settings(
        spf_period=str(config.rbmdocs_spf_period),
        bienniums=tuple(config.rbmdocs_bienniums),
        dwcp_dir=str(config.rbmdocs_dwcp_dir),
        languages=tuple(config.rbmdocs_languages),
        dwcp_toctree_limit=int(config.rbmdocs_dwcp_toctree_limit),
        matrix_cell_limit=int(config.rbmdocs_matrix_cell_limit),
        documents=tuple(config.rbmdocs_documents),
        reports=dict(config.rbmdocs_reports),
        pb_status=dict(config.rbmdocs_pb_status),
        iati=dict(config.rbmdocs_iati),
        organisation=str(config.rbmdocs_organisation),
        emblem=str(config.rbmdocs_emblem),
        severity=dict(config.rbmdocs_severity),
    )


def check_context(config: Config) -> CheckContext:
    """What the traceability engine needs to know of the configuration."""
    values = settings(config)
    return CheckContext(
        spf_period=values.spf_period,
        bienniums=values.bienniums,
        severity=dict(values.severity),
        reports=dict(values.reports),
        build_date=build_date(config),
        documents=document_folders(list(values.documents)),
        pb_status=dict(values.pb_status),
    )


def document_folders(documents: object) -> dict[str, str]:
    """``programme_budget/`` → "Programme and Budget 2010-11": each document's own folder.

    A document is its start page and the pages of its table of contents, which the
    sample and the guide keep in the start page's folder; a start page at the top of the
    project names no folder of its own and is left out.
    """
    folders: dict[str, str] = {}
    for entry in documents if isinstance(documents, list | tuple) else ():
        if not isinstance(entry, dict):
            continue
        start, title = entry.get("start"), entry.get("title")
        if isinstance(start, str) and isinstance(title, str) and "/" in start:
            folders[start.rsplit("/", 1)[0] + "/"] = title
    return folders
