"""Files a build keeps for the next one are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from rbmdocs.files import keep_for_next_build, write_whole


def test_a_file_is_replaced_whole_and_no_temporary_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "words.json"
    write_whole(target, "first")
    write_whole(target, b"second")
    assert target.read_text("utf-8") == "second"
    assert sorted(path.name for path in target.parent.iterdir()) == ["words.json"]


def test_a_file_that_cannot_be_written_is_an_error_or_for_a_cache_none(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", "utf-8")
    target = blocker / "words.json"
    with pytest.raises(OSError):
        write_whole(target, "text")
    keep_for_next_build(target, "text")  # a cache that cannot be written is no error
    assert sorted(path.name for path in tmp_path.iterdir()) == ["not-a-folder"]
