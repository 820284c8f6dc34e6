"""The need graph, indexed once: by ID, by type, outgoing and incoming links.

Every rule, the coverage figures, the generated tables and ``rbmdocs trace`` read these
indexes; none of them walks the list of needs again, which keeps the whole check linear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from rbmdocs.graph.model import NeedRecord, NeedReference

_NO_TARGETS: tuple[str, ...] = ()


class NeedGraph:
    """Needs by ID (the first declaration of an ID wins) and their links both ways."""

    __slots__ = (
        "_by_id",
        "_by_type",
        "_incoming",
        "duplicates",
        "link_count",
        "records",
        "references",
    )

    def __init__(
        self, records: Iterable[NeedRecord], references: Iterable[NeedReference] = ()
    ) -> None:
        self.records: list[NeedRecord] = list(records)
        self.references: list[NeedReference] = list(references)
        """Needs named in prose (``{need}`` roles), kept for RBM014 and "find references"."""
        self._index()
        if self.duplicates:
            # which declaration of an ID is "the first" must not depend on reading order;
            # sorting costs n log n, so it is paid only when an ID is written twice
            self.records.sort(key=_declaration_order)
            self._index()

    def _index(self) -> None:
        self._by_id: dict[str, NeedRecord] = {}
        self._by_type: dict[str, list[NeedRecord]] = defaultdict(list)
        # link option -> target -> sources: the needs one option links to are one dict's
        # keys (the cycle search asks for them per option), and no need linked to has a
        # small dict of its own (most needs are linked to, so that would be most needs)
        self._incoming: dict[str, dict[str, list[str]]] = {}
        self.duplicates: list[tuple[NeedRecord, NeedRecord]] = []
        """(later declaration, first declaration) for every ID written twice or more."""
        link_count = 0
        by_id = self._by_id
        by_type = self._by_type
        incoming = self._incoming
        for record in self.records:
            source = record.id
            first = by_id.get(source)
            if first is not None:
                self.duplicates.append((record, first))
                continue
            by_id[source] = record
            by_type[record.type].append(record)
            for link, targets in record.links.items():
                link_count += len(targets)
                by_target = incoming.get(link)
                if by_target is None:
                    by_target = incoming[link] = {}
                for target in targets:
                    sources = by_target.get(target)
                    if sources is None:
                        by_target[target] = [source]
                    else:
                        sources.append(source)
        self.link_count = link_count

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, need_id: object) -> bool:
        return need_id in self._by_id

    def __iter__(self) -> Iterator[NeedRecord]:
        return iter(self._by_id.values())

    def ids(self) -> list[str]:
        """Every need ID, in declaration order."""
        return list(self._by_id)

    @property
    def by_id(self) -> Mapping[str, NeedRecord]:
        """Needs by ID, for passes that look up every link (read it, never change it)."""
        return self._by_id

    def need(self, need_id: str) -> NeedRecord | None:
        """The need with this ID, or None."""
        return self._by_id.get(need_id)

    def linked_to(self, link: str) -> list[str]:
        """IDs that at least one ``link`` names (existing needs or not)."""
        return list(self._incoming.get(link, ()))

    def needs_of_type(self, need_type: str) -> list[NeedRecord]:
        """The needs of one type, in the order they were given."""
        return self._by_type.get(need_type, [])

    def targets(self, need_id: str, link: str) -> tuple[str, ...] | list[str]:
        """The IDs a need's ``link`` option names (existing or not)."""
        record = self._by_id.get(need_id)
        if record is None:
            return _NO_TARGETS
        found = record.links.get(link)
        return list(found) if found else _NO_TARGETS

    def sources(self, need_id: str, link: str | None = None) -> list[str]:
        """The IDs of needs that link to ``need_id`` (through ``link``, or any link)."""
        if link is not None:
            by_target = self._incoming.get(link)
            return by_target.get(need_id, []) if by_target else []
        return [source for sources in self.incoming_links(need_id).values() for source in sources]

    def sources_of_type(self, need_id: str, link: str, need_type: str) -> list[NeedRecord]:
        """The existing needs of ``need_type`` whose ``link`` names ``need_id``, in link order."""
        by_id = self._by_id
        return [
            record
            for source in self.sources(need_id, link)
            if (record := by_id.get(source)) is not None and record.type == need_type
        ]

    def incoming_links(self, need_id: str) -> dict[str, list[str]]:
        """Incoming links of a need, by link option."""
        return {
            link: sources
            for link, by_target in self._incoming.items()
            if (sources := by_target.get(need_id))
        }


def _declaration_order(record: NeedRecord) -> tuple[str, int, str]:
    return (record.file, record.line or 0, record.id)
