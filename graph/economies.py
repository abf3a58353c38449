"""Name and code reconciliation: every source's way of naming an economy maps to one code.

The rules, in order: the reviewed alias table ``data/crosswalks/economy_aliases.csv`` (codes
such as the gateway's ``EEC``/``CHT``/``ROM`` and names such as Wikipedia's "Taiwan"), then an
exact ISO 3166 match through pycountry (code, name, official or common name); a code the table itself
gives (``XKX``, the former ``ANT``, ``SUN``, ``DDR``, ``CSK``) stands for itself. There is no fuzzy
matching: a name that matches nothing is collected and fails the build with the list, so that
nothing is silently dropped. An alias mapped to an empty code is a known defect of a source:
left out on purpose and reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pycountry

from .errors import ReconciliationError
from .sources import read_csv

EU = "EUN"


@dataclass
class Reconciler:
    aliases: dict[str, str]                       # casefolded name -> code ("" = known defect)
    notes: dict[str, str]
    unmatched: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ignored: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @cached_property
    def codes(self) -> set[str]:
        """The codes the alias table maps names to."""
        return {code for code in self.aliases.values() if code}

    @classmethod
    def from_crosswalk(cls, path: Path) -> Reconciler:
        aliases, notes = {}, {}
        for row in read_csv(path, required=("name", "code", "note")):
            name = row.text("name", required=True)
            code = row.text("code") or ""
            if code and not (len(code) == 3 and code.isalpha() and code.isupper()):
                raise row.fail("code", f"{code!r} is not a three-letter upper-case code")
            aliases[name.casefold()] = code
            notes[name.casefold()] = row.text("note") or ""
        return cls(aliases, notes)

    def resolve(self, name: str, where: str, remember: bool = True) -> str | None:
        """The economy code for a source name or code; None (and a report entry) when there is none.

        ``where`` says where the name was read ("wto_members.csv:12"), for the report; user input
        (``remember=False``) leaves no trace in it.
        """
        key = name.strip().casefold()
        if key in self.aliases:
            code = self.aliases[key]
            if not code:
                if remember:
                    self.ignored[name.strip()].append(where)
                return None
            return code
        if name.strip().upper() in self.codes:  # a code of the table's own (XKX, ANT): never in pycountry's
            return name.strip().upper()
        try:
            return pycountry.countries.lookup(name.strip()).alpha_3
        except LookupError:
            if remember:
                self.unmatched[name.strip()].append(where)
            return None

    def check(self) -> None:
        """Fail with every unmatched name at once, so one build run shows the whole list."""
        if self.unmatched:
            lines = [f"  {name!r} at {', '.join(places[:3])}" + (" …" if len(places) > 3 else "")
                     for name, places in sorted(self.unmatched.items())]
            raise ReconciliationError(
                f"{len(self.unmatched)} economy name(s) match no code:\n" + "\n".join(lines)
                + "\nAdd each to data/crosswalks/economy_aliases.csv (name,code,note) and build again.")

    def report(self) -> dict[str, list[str]]:
        """Names left out on purpose (known source defects), with where they were seen."""
        return {name: places for name, places in sorted(self.ignored.items())}


def iso_record(code: str) -> object | None:
    """pycountry's record for an ISO alpha-3 code, or None for codes ISO does not have (EUN)."""
    return pycountry.countries.get(alpha_3=code)
