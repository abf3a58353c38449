"""Cost of /sparql's keyword scan and nesting check (graph/sparql_text.py) on hostile text, next to the scanner's
older pattern (quadratic on unterminated strings), on smaller inputs for the old one so it finishes.

    python bench/sparql_text.py [--size 900000] [--old-size 30000]

Prints milliseconds per text (all checks one request makes: form, update, FROM, SERVICE, LOAD, nesting).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import time

from tradekg.graph import sparql_text
from tradekg.graph.errors import QuerySyntaxError

OLD = re.compile(r'''"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|'''
                 r'''<[^<>"{}|^`\\\s]*>|\#[^\n]*''')
SHAPES = {"quotes": '"', "apostrophes": "'", "quote-backslash": '"\\', "apostrophe-backslash": "'\\",
          "quote-letter": '"a', "iri-openers": "<a", "braces": "{}", "open-braces": "{", "words": "a "}


def cost_ms(text: str) -> float:
    sparql_text._upper.cache_clear()
    sparql_text._plain.cache_clear()
    started = time.perf_counter()
    sparql_text.form(text), sparql_text.is_update(text), sparql_text.has_from(text)
    sparql_text.uses_service(text), sparql_text.uses_load(text)
    try:
        sparql_text.check_nesting(text)
    except QuerySyntaxError:
        pass
    return (time.perf_counter() - started) * 1000


def old_ms(text: str) -> float:
    started = time.perf_counter()
    OLD.sub(lambda m: " " * len(m.group(0)), text)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=900_000)
    parser.add_argument("--old-size", type=int, default=30_000)
    args = parser.parse_args()
    print(f"{'text':<22}{'now, ' + format(args.size, ',') + ' B':>18}{'old blank, ' + format(args.old_size, ',') + ' B':>24}")
    for name, unit in SHAPES.items():
        now = cost_ms(unit * (args.size // len(unit)))
        old = old_ms(unit * (args.old_size // len(unit)))
        print(f"{name:<22}{now:>15.1f} ms{old:>21.1f} ms")


if __name__ == "__main__":
    main()
