"""Charts for the README, drawn from the built graph through the query catalog (nothing typed in by hand).

    python docs/charts.py us-china-trade [--store PATH] [--out docs/img/us-china-trade.png]

``us-china-trade``: US imports from and exports to China by month, 2013-01 to 2020-10 (`trade_by_month`),
with the duties collected on the imports, and a dashed line on the time axis wherever a tariff action
between the two took effect (`measures`: Section 301 actions of the USA on China, and China's measures on
the USA where the graph has them).
"""

from __future__ import annotations

import argparse
import datetime as dt
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


def rounds(store) -> list[tuple[dt.date, str]]:
    """(day, short label) of each tariff action between the USA and China that took effect in the window."""
    found: dict[tuple[dt.date, str], None] = {}
    for imposer, target, extra in (("USA", "CHN", {"legal_basis": S301}), ("CHN", "USA", {})):
        for row in run(store, "measures", imposer=imposer, affected=target, **extra):
            if row.get("start") is None:
                continue  # never took effect (List 4B)
            day = dt.date.fromisoformat(str(row["start"]))
            if FIRST <= day <= LAST:
                label = str(row.get("label") or row["measure"]).split(": ")[-1]
                found[(day, f"{imposer}: {label}")] = None
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
    for index, (day, label) in enumerate(rounds(store)):
        ax.axvline(day, color="#555555", ls="--", lw=0.8)
        ax.text(day, top * (0.98 - 0.06 * (index % 4)), label, fontsize=7, va="top", ha="left", color="#333333",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_ylim(0, top)
    ax.set_xlim(FIRST, LAST)
    ax.set_ylabel("billion US dollars per month")
    ax.set_title("US–China goods trade by month, 2013-01 to 2020-10, and the tariff actions (dashed: took effect)")
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
