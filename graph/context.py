"""What loaders share during one build: the data folder, the reconciler, the economies seen."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .economies import Reconciler
from .products import ProductLinker

# Which name becomes rdfs:label when several sources name one economy: the WTO's own first.
LABEL_PRIORITY = ("wto", "gateway", "iso")


@dataclass
class BuildContext:
    data: Path
    reconciler: Reconciler
    names: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    alt_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    wto_codes: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _products: ProductLinker | None = None
    # The store being built (loaders that derive facts from earlier sources read it) and the trade
    # flows loaded so far, kept as records so that covered trade is summed without re-reading 100k nodes.
    db: Any = None
    flows: list[Any] = field(default_factory=list)

    @property
    def products(self) -> ProductLinker:
        """The HS 2022 linker, read on first use. Loaders report its misses with ``products.report()``."""
        if self._products is None:
            self._products = ProductLinker.from_data(self.data)
        return self._products

    @classmethod
    def for_data(cls, data: Path) -> BuildContext:
        return cls(data, Reconciler.from_crosswalk(data / "crosswalks" / "economy_aliases.csv"))

    def economy(self, name_or_code: str, where: str, *, kind: str | None = None) -> str | None:
        """Reconcile a source name or code and remember it; None if it maps to no economy.

        ``kind`` says what sort of name this is ("wto" for the WTO's spelling, "gateway" for the
        dispute gateway's case pages, "alt" for any other); codes pass no kind.
        """
        code = self.reconciler.resolve(name_or_code, where)
        if code is None:
            return None
        self.names.setdefault(code, {})
        if kind is not None:
            self.name(code, name_or_code, kind)
        return code

    def name(self, code: str, name: str, kind: str) -> None:
        """Remember how a source names an economy already reconciled to ``code``."""
        if kind in LABEL_PRIORITY:
            self.names[code].setdefault(kind, name.strip())
        else:
            self.alt_names[code].add(name.strip())

    def note(self, source: str, message: str) -> None:
        """Something a user should know about the source, printed with the build report."""
        self.notes[source].append(message)
