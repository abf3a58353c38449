"""Charts for the README, drawn from the built graph through the query catalog (nothing typed in by hand).

    python docs/charts.py us-china-trade [--store PATH] [--out docs/img/us-china-trade.png]

``us-china-trade``: US imports from and exports to China by month, 2013-01 to 2020-10 (`trade_by_month`),
with the duties collected on the imports, and a dashed line on the time axis wherever a tariff action
between the two took effect (`measures`: Section 301 actions of the USA on China in red, China's retaliation
rounds on the USA in blue, one line a day).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from tradekg.graph.store import EmbeddedStore
from tradekg.queries import run
from tradekg.settings import default_store

S301 = "https://w3id.org/tradekg/id/legal/us-trade-act-1974-s301"
FIRST, LAST = dt.date(2013, 1, 1), dt.date(2020, 10, 31)


def monthly(store, exporter: str, importer: str) -> tuple[list[dt.date], list[float], list[float]]:
    rows = run(store, "trade_by_month", exporter=exporter, importer=importer)
    months = [dt.date.fromisoformat(f"{row['month']}-01") for row in rows]
    return (months, [float(row["value"]) / 1e9 for row in rows],
            [float(row["duties"]) / 1e9 if row.get("duties") is not None else 0.0 for row in rows])


def _short(imposer: str, label: str) -> str:
    """``China: additional duties on US goods ($34 billion list), from 2018-07-06`` → ``CHN US goods ($34 billion list)``."""
    label = re.sub(r",? from \d{4}-\d{2}-\d{2}", "", label.split(": ", 1)[-1])
    return f"{imposer} {label.replace('additional duties on ', '')}"


def rounds(store) -> list[tuple[dt.date, str]]:
    """(day, short label) of each tariff action between the USA and China that took effect in the window:
    the US Section 301 lists and China's retaliation rounds (measure/chn-retaliation-*)."""
    found: dict[tuple[dt.date, str], None] = {}
    for imposer, target, extra in (("USA", "CHN", {"legal_basis": S301}), ("CHN", "USA", {})):
        for row in run(store, "measures", imposer=imposer, affected=target, **extra):
            if row.get("start") is None:
                continue  # never took effect (List 4B)
            day = dt.date.fromisoformat(str(row["start"]))
            if FIRST <= day <= LAST:
                found[(day, _short(imposer, str(row.get("label") or row["measure"])))] = None
    return sorted(found)


def us_china_trade(store, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    imports = monthly(store, "CHN", "USA")
    exports = monthly(store, "USA", "CHN")
    fig = Figure(figsize=(11, 5.2), dpi=150)
    ax = fig.subplots()
    ax.plot(imports[0], imports[1], color="#c0392b", lw=1.6, label="US imports from China (consumption, customs value)")
    ax.plot(exports[0], exports[1], color="#2471a3", lw=1.6, label="US exports to China")
    ax.plot(imports[0], imports[2], color="#7d3c98", lw=1.2, ls="-", label="duties collected on those imports")
    top = max(imports[1]) * 1.12
    by_day: dict[dt.date, list[str]] = {}
    for day, label in rounds(store):
        by_day.setdefault(day, []).append(label)
    colours = {"USA": "#922b21", "CHN": "#1a5276"}
    for day, labels in sorted(by_day.items()):  # one line a day; US and Chinese actions of one day share it
        who = {label.split()[0] for label in labels}
        colour = colours[next(iter(who))] if len(who) == 1 else "#333333"
        ax.axvline(day, color=colour, ls="--", lw=0.8)
        ax.text(day, top * 0.985, f"{day:%Y-%m-%d}  " + " · ".join(labels), rotation=90, fontsize=6.2, va="top",
                ha="right", color=colour, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                                "edgecolor": "none", "alpha": 0.8})
    ax.set_ylim(0, top)
    ax.set_xlim(FIRST, LAST)
    ax.set_ylabel("billion US dollars per month")
    ax.set_title("US–China goods trade by month, 2013-01 to 2020-10, and the tariff actions (dashed: took effect;\n"
                 "red: US Section 301 lists, blue: China's retaliation rounds, grey: both that day)", fontsize=10)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    fig.text(0.01, 0.01, "Source: US Census Bureau (monthly, by HS chapter) via tradekg; tariff actions from "
                         "tradekg's measures (tkg:startDate). `python docs/charts.py us-china-trade`",
             fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chart", choices=["us-china-trade"])
    parser.add_argument("--store", type=Path, default=None, help="a built store [default: $TRADEKG_STORE or ~/.local/…]")
    parser.add_argument("--out", type=Path, default=Path("docs/img/us-china-trade.png"))
    args = parser.parse_args()
    store = EmbeddedStore(args.store or default_store())
    try:
        us_china_trade(store, args.out)
    finally:
        store.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
