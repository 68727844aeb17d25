"""The main results drawn as SVG, from the same objects the tables are written from: cold start against
the floor (section 4), write units per operation and per ticket's life (sections 2 and 2b), items read
per list page as the table grows (section 3). Each section links its figure next to its table; the
main module writes the files beside the report.

Figures are drawn on matplotlib's `Figure` directly, not through pyplot: no backend is chosen, no
display is needed, and no figure outlives its function."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from bench import coldstart, cost, listing, roundtrips
from bench.capacity import Units
from bench.report import Image, Sample

# Same numbers, same bytes: no date in the file, and the ids of glyphs and clip paths from a fixed salt.
_STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "tickets-bench",
    "font.size": 9,
    "axes.titlesize": 11,
    "legend.fontsize": 8,
}
_METADATA = {"Date": None}
_BAR = 0.4  # height of one bar of a pair
_LINE_COLOUR, _TARGET_COLOUR = "black", "tab:green"  # what is measured against; where to get to


def _image(figure: Figure, name: str, alt: str) -> Image:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA)
    return Image(name, alt, buffer.getvalue())


def _label(axes: Axes, bars: BarContainer, labels: Sequence[str]) -> None:
    """Each bar's value at its end, on white, so that a line through it does not hide it."""
    axes.bar_label(
        bars,
        labels=labels,
        padding=2,
        fontsize=7,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
    )


def _pairs(axes: Axes, labels: Sequence[str]) -> list[float]:
    """Rows top to bottom, one per label; returns each row's centre."""
    rows = [float(len(labels) - 1 - index) for index in range(len(labels))]
    axes.set_yticks(rows, labels=labels)
    axes.set_ylim(-0.6, len(labels) - 0.4)
    return rows


def cold_start(compiled: dict[str, coldstart.Timing], packaged: dict[str, coldstart.Timing]) -> Image:
    names = [name for name in compiled if name != coldstart.FLOOR]
    low, high = coldstart.PEER_RANGE
    with mpl.rc_context(_STYLE):
        figure = Figure(figsize=(9, 1.6 + 0.42 * len(names)), layout="constrained")
        axes = figure.subplots()
        rows = _pairs(axes, [coldstart.label(name) for name in names])
        axes.axvspan(
            low,
            high,
            color="tab:red",
            alpha=0.12,
            label=f"{coldstart.PEER}: {low:g}-{high:g} x floor (the peer's range, measured earlier "
            "in this project)",
        )
        widest = high
        for shift, (mode, timings, colour) in zip(
            (_BAR / 2, -_BAR / 2),
            (("with bytecode", compiled, "tab:blue"), ("as packaged", packaged, "tab:orange")),
            strict=True,
        ):
            ratios = [coldstart.ready_ratio(timings, name) for name in names]
            floor_ms = Sample.of(timings[coldstart.FLOOR].ready).median * 1e3
            bars = axes.barh(
                [row + shift for row in rows],
                ratios,
                height=_BAR,
                color=colour,
                label=f"{mode} (its floor: {floor_ms:.0f} ms)",
            )
            _label(axes, bars, [f"{Sample.of(timings[name].ready).median * 1e3:.0f} ms" for name in names])
            widest = max(widest, *ratios)
        axes.axvline(1, color=_LINE_COLOUR, label="floor: import boto3, one DynamoDB client (same runs)")
        axes.axvline(
            coldstart.TARGET,
            color=_TARGET_COLOUR,
            linestyle="--",
            label=f"target: {coldstart.TARGET:g} x floor",
        )
        axes.set_xlim(0, widest * 1.15)
        axes.set_xlabel("median ready time, in multiples of the floor's median (bar labels: ms)")
        axes.set_title("Cold start per function against the floor measured in the same run")
        figure.legend(loc="outside lower center", ncols=2)
        return _image(
            figure,
            "benchmarks-cold-start.svg",
            f"Cold start: median ready time per function in floor multiples, with bytecode and as "
            f"packaged, the target {coldstart.TARGET:g} x floor and {coldstart.PEER}'s range "
            f"{low:g}-{high:g} x floor",
        )


def _stacked(axes: Axes, rows: Sequence[float], units: Sequence[Units], totals: Sequence[str]) -> None:
    """WRU of the table and of GSI1, one stacked bar per row, its total at the end."""
    table = [unit.table_writes for unit in units]
    axes.barh(rows, table, color="tab:blue", label="WRU table")
    bars = axes.barh(
        rows, [unit.index_writes for unit in units], left=table, color="tab:purple", label="WRU GSI1"
    )
    _label(axes, bars, totals)


def write_units(measured: list[roundtrips.Measured], steps: list[cost.Step]) -> Image:
    writes = [result for result in measured if result.units.writes]
    api, stream = cost.life_units(steps)
    life = api + stream
    history = sum((step.history_units for step in steps), Units()).writes
    with mpl.rc_context(_STYLE):
        figure = Figure(figsize=(9, 2.6 + 0.35 * len(writes)), layout="constrained")
        per_request, per_life = figure.subplots(2, 1, height_ratios=[len(writes), 2.2])
        rows = _pairs(
            per_request,
            [f"{result.operation}: {roundtrips.short_label(result.request)}" for result in writes],
        )
        _stacked(
            per_request, rows, [result.units for result in writes], [f"{r.units.writes:g}" for r in writes]
        )
        per_request.set_xlim(0, max(result.units.writes for result in writes) * 1.12)
        per_request.set_xlabel("write request units (WRU) per request")
        per_request.set_title("Write units per operation (the operations that write)")
        rows = _pairs(per_life, ["one ticket's life"])
        _stacked(
            per_life,
            rows,
            [life],
            [
                f"{life.writes:g} WRU (API {api.writes:g}, stream {stream.writes:g}, "
                f"of which history {history:g})"
            ],
        )
        per_life.axvline(
            cost.TARGET_LIFE_WRU,
            color=_TARGET_COLOUR,
            linestyle="--",
            label=f"target: {cost.TARGET_LIFE_WRU} WRU before the history",
        )
        per_life.set_xlim(0, max(life.writes, cost.TARGET_LIFE_WRU) * 1.6)
        per_life.set_xlabel("write request units (WRU) per ticket's life, API requests and stream function")
        per_life.set_title("A ticket's life (section 2b) against the target")
        # One legend for both panels: the life's bar has the same parts, and the target.
        figure.legend(*per_life.get_legend_handles_labels(), loc="outside lower center", ncols=3)
        return _image(
            figure,
            "benchmarks-write-units.svg",
            f"Write units: WRU table and GSI1 per writing operation; a ticket's life {life.writes:g} WRU "
            f"({history:g} of them its history) against the target {cost.TARGET_LIFE_WRU} before the history",
        )


def list_reads(costs: list[listing.PageCost], small: int, large: int) -> Image:
    by_kind: dict[str, dict[int, listing.PageCost]] = {}
    for page in costs:
        by_kind.setdefault(page.kind, {})[page.tickets] = page
    kinds = list(by_kind)
    with mpl.rc_context(_STYLE):
        figure = Figure(figsize=(9, 1.8 + 0.42 * len(kinds)), layout="constrained")
        axes = figure.subplots()
        rows = _pairs(axes, kinds)
        for shift, tickets, colour in ((_BAR / 2, small, "tab:blue"), (-_BAR / 2, large, "tab:orange")):
            pages = [by_kind[kind][tickets] for kind in kinds]
            at = [row + shift for row in rows]
            entries = [page.entries_read for page in pages]
            axes.barh(at, entries, height=_BAR, color=colour, label=f"list entries, {tickets:,} tickets")
            by_key = [page.tickets_read for page in pages]
            axes.barh(
                at,
                by_key,
                left=entries,
                height=_BAR,
                color=colour,
                alpha=0.7,
                hatch="//",
                label=f"tickets by key, {tickets:,} tickets",
            )
            bars = axes.barh(
                at,
                [page.stats_read for page in pages],
                left=[a + b for a, b in zip(entries, by_key, strict=True)],
                height=_BAR,
                color=colour,
                alpha=0.45,
                label=f"stats shards, {tickets:,} tickets",
            )
            _label(axes, bars, [str(page.items_read) for page in pages])
        axes.axvline(
            listing.LIMIT + 1,
            color=_LINE_COLOUR,
            linestyle="--",
            label=f"limit + 1 = {listing.LIMIT + 1}: the entries one Query of a page reads",
        )
        axes.axvline(
            listing.PAGE_ITEMS,
            color=_TARGET_COLOUR,
            linestyle=":",
            label=f"budget: {listing.PAGE_ITEMS} items per page (one filter kind)",
        )
        # The kinds past SINGLE_KINDS read several lists or filter entries: the budget is not theirs.
        between = rows[listing.SINGLE_KINDS - 1] - 0.5
        axes.axhline(between, color="grey", linewidth=0.8)
        for text, shift, align in (
            ("above: one filter kind (the budget's case)", 0.08, "bottom"),
            ("below: several values or filters", -0.08, "top"),
        ):
            axes.text(
                0.99,
                between + shift,
                text,
                transform=axes.get_yaxis_transform(),
                ha="right",
                va=align,
                color="grey",
            )
        axes.set_xlim(0, max(page.items_read for page in costs) * 1.1)
        axes.set_xlabel(
            f"items read per page of limit={listing.LIMIT}: list entries + tickets by key + stats shards"
        )
        axes.set_title(f"Items read per list page at {small:,} and {large:,} tickets, per filter kind")
        figure.legend(loc="outside lower center", ncols=2)
        return _image(
            figure,
            "benchmarks-list-reads.svg",
            f"Items read per list page at {small:,} and {large:,} tickets per filter kind, with the "
            f"limit + 1 line and the budget of {listing.PAGE_ITEMS} items",
        )
