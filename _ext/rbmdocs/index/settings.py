"""What the index takes from conf.py: where the sources are and how Sphinx reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Suffixes of the files the build reads when conf.py sets none: Sphinx's own ``.rst``,
#: MyST's ``.md``, and the DWCP ``.yaml`` (data, read by rbmdocs' loader in the build too).
DEFAULT_SUFFIXES = (".rst", ".md", ".yaml")

#: What Sphinx always leaves out besides ``exclude_patterns`` (its environment adds them).
SPHINX_EXCLUDES = ("**/_sources", ".#*", "**/.#*", "*.lproj/**")


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """The few conf.py values that decide which files hold needs and how they read."""

    srcdir: Path
    language: str
    dwcp_dir: str = "data/dwcp"
    exclude_patterns: tuple[str, ...] = ()
    locale_dirs: tuple[str, ...] = ("locales",)
    gettext_compact: bool | str = True
    myst_extensions: tuple[str, ...] = ("colon_fence",)
    suffixes: tuple[str, ...] = DEFAULT_SUFFIXES
    extensions: tuple[str, ...] = ("rbmdocs",)
    project_fallback: str = ""
    """Why no document can be read without Sphinx (conf.py changes what sphinx-needs does)."""

    def cache_key(self) -> str:
        """What every cached record depends on besides the file and its catalogue."""
        return repr(
            (
                self.language,
                self.dwcp_dir,
                self.gettext_compact,
                self.myst_extensions,
                self.extensions,
            )
        )


def settings_from_config(srcdir: Path, raw: Mapping[str, Any], language: str) -> IndexSettings:
    """The settings from conf.py's own values (as ``Config.read`` gives them)."""
    myst = [str(name) for name in raw.get("myst_enable_extensions") or ()]
    if "colon_fence" not in myst:  # the extension turns colon fences on (sphinx/bridge.py)
        myst.append("colon_fence")
    suffix = raw.get("source_suffix")
    if isinstance(suffix, str):
        suffixes: tuple[str, ...] = (suffix, ".md", ".yaml")
    elif isinstance(suffix, Mapping | list | tuple):
        suffixes = (*(str(name) for name in suffix), ".md", ".yaml")
    else:
        suffixes = DEFAULT_SUFFIXES
    templates = [str(path) for path in raw.get("templates_path") or ()]
    compact = raw.get("gettext_compact", True)
    # a project's own sphinx-needs settings (global options, dynamic functions, variants)
    # change what a need holds in ways only sphinx-needs knows; include_patterns which
    # files are documents
    own_needs_settings = sorted(name for name in raw if name.startswith("needs_"))
    if list(raw.get("include_patterns") or ["**"]) != ["**"]:
        own_needs_settings.append("include_patterns")  # which files are read: Sphinx's matter
    if raw.get("myst_fence_as_directive"):
        own_needs_settings.append("myst_fence_as_directive")  # plain fences become directives
    return IndexSettings(
        srcdir=srcdir,
        language=language,
        dwcp_dir=str(raw.get("rbmdocs_dwcp_dir") or "data/dwcp").strip("/"),
        exclude_patterns=(
            *(str(pattern) for pattern in raw.get("exclude_patterns") or ()),
            *templates,
            *SPHINX_EXCLUDES,
        ),
        locale_dirs=tuple(str(path) for path in raw.get("locale_dirs") or ("locales",)),
        gettext_compact=compact if isinstance(compact, bool | str) else True,
        myst_extensions=tuple(sorted(set(myst))),
        suffixes=tuple(dict.fromkeys(suffixes)),
        extensions=tuple(str(name) for name in raw.get("extensions") or ()),
        project_fallback=(
            f"conf.py sets {', '.join(own_needs_settings)}" if own_needs_settings else ""
        ),
    )
