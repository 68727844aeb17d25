"""`python -m bench`: run every section, print the report, write docs/benchmarks.md.

Beside the report go its figures (bench/figures.py), in the report's folder. `--smoke` runs each
section small (few tickets, few runs, no sam build), checks the harness works and the budgets are
computed, and writes nothing unless --output is given: its figures are drawn and written into a
temporary folder, then deleted."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import env

env.configure()

from bench import (  # noqa: E402 - after env
    coldstart,
    cost,
    figures,
    listing,
    package,
    realtime,
    roundtrips,
    sla,
    streams,
    warm,
    webhooks,
)
from bench.report import ROOT, Budget, Image, Section, machine, markdown_table  # noqa: E402

DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Plan:
    small: int
    large: int
    list_runs: int
    verify_tickets: int
    cold_rounds: int
    packaged_rounds: int
    warm_iterations: int
    stream_batch: int
    webhook_tickets: int
    realtime_tickets: int
    realtime_local_events: int  # 0: no local stack
    sla_tickets: int
    sla_rounds: int
    build: bool
    cold_functions: list[str] | None = None  # None: every function


FULL = Plan(
    small=1_000,
    large=50_000,
    list_runs=3,
    verify_tickets=30,
    cold_rounds=15,
    packaged_rounds=5,
    warm_iterations=200,
    stream_batch=100,
    webhook_tickets=40,
    realtime_tickets=10,
    realtime_local_events=50,
    sla_tickets=1_000,
    sla_rounds=30,
    build=True,
)
SMOKE = Plan(
    small=50,
    large=500,
    list_runs=1,
    verify_tickets=8,
    cold_rounds=1,
    packaged_rounds=1,
    warm_iterations=5,
    stream_batch=5,
    webhook_tickets=3,
    realtime_tickets=2,
    realtime_local_events=0,
    sla_tickets=5,
    sla_rounds=2,
    build=False,
    cold_functions=["get_ticket", "authorizer"],
)


WHY_LISTS_AND_COLD_STARTS_MISS = [
    "Why lists with several values or filters read more (budget 3 round trips, limit + 1 entries, "
    "limit tickets and the stats): a ticket has one list entry per filter value, so "
    "`status=OPEN,IN_PROGRESS` is one Query per value, merged in sort order; "
    "`status=OPEN&priority=HIGH`, `department`, `hasAgentReply` and any filter in update order read "
    "the most selective list (the tenant's update order for the latter) and check each ticket against "
    "the query, 25 or more entries examined per Query, until the page is full or 10 x (limit + 1) were "
    "examined (then a shorter page and a cursor). One filter in creation order, whatever its kind and "
    "the table's size, holds the budget.",
    "",
    "Why cold starts miss (budget 1.3 x floor): the floor imports botocore and one client only; a "
    "function adds Powertools' Logger, Metrics and its event handler with OpenAPI validation (the "
    "framework floor of section 1, most of the gap) and pydantic with our models (built on first use, "
    "`defer_build`); the import profile below says what each millisecond is.",
    "",
]


def _timed(
    name: str, action: Callable[[], Section | list[Section]], timings: list[tuple[str, float]]
) -> list[Section]:
    print(f"bench: {name}...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    result = action()
    timings.append((name, time.perf_counter() - started))
    return result if isinstance(result, list) else [result]


def run(plan: Plan) -> tuple[list[Section], list[tuple[str, float]]]:
    timings: list[tuple[str, float]] = []
    sections: list[Section] = []

    def operations() -> list[Section]:
        measured = roundtrips.measure_operations()
        steps = cost.life()
        return [
            roundtrips.report(measured),
            roundtrips.units_report(measured, figures.write_units(measured, steps)),
            cost.report(steps),
        ]

    def lists() -> Section:
        verified = listing.verify_bulk_seeding(plan.verify_tickets)
        costs, numbered, seeded, items = listing.measure(plan.small, plan.large, plan.list_runs)
        return listing.report(
            costs,
            numbered,
            seeded=seeded,
            items=items,
            small=plan.small,
            large=plan.large,
            verified=verified,
            figure=figures.list_reads(costs, plan.small, plan.large),
        )

    def cold() -> Section:
        names = plan.cold_functions if plan.cold_functions is not None else coldstart.functions()
        if coldstart.tracing_measurable():
            names = [*names, "create_ticket" + coldstart.TRACED]
        compiled, packaged, importtimes = coldstart.measure(plan.cold_rounds, plan.packaged_rounds, names)
        return coldstart.report(compiled, packaged, importtimes, figures.cold_start(compiled, packaged))

    def warm_section() -> Section:
        return warm.report(warm.measure(plan.warm_iterations), plan.warm_iterations)

    def sizes() -> Section:
        if not plan.build:
            return package.report(package.measure_sources(), built=False, seconds=0)
        with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
            build_dir = Path(scratch) / "build"
            seconds = package.build(build_dir)
            return package.report(package.measure_build(build_dir), built=True, seconds=seconds)

    def stream_section() -> Section:
        return streams.report(streams.measure(plan.stream_batch))

    def webhook_section() -> Section:
        return webhooks.report(webhooks.measure(plan.webhook_tickets))

    def realtime_section() -> Section:
        return realtime.report(realtime.measure(plan.realtime_tickets, plan.realtime_local_events))

    def sla_section() -> Section:
        return sla.report(sla.measure(plan.sla_tickets, plan.sla_rounds))

    # Cold start first, while nothing else of the bench has warmed or filled memory.
    sections += _timed("cold start", cold, timings)
    sections += _timed("round trips, units and cost", operations, timings)
    sections += _timed("list cost as the table grows", lists, timings)
    sections += _timed("warm overhead", warm_section, timings)
    sections += _timed("package size", sizes, timings)
    sections += _timed("stream processing", stream_section, timings)
    sections += _timed("webhooks", webhook_section, timings)
    sections += _timed("real-time push", realtime_section, timings)
    sections += _timed("SLA clocks", sla_section, timings)
    order = ["1.", "2.", "2b.", "3.", "4.", "5.", "6.", "7.", "8.", "9.", "10."]
    sections.sort(key=lambda section: order.index(section.title.split(" ", 1)[0]))
    return sections, timings


def render(
    sections: list[Section], timings: list[tuple[str, float]], plan: Plan, load: tuple[str, str]
) -> str:
    budgets: list[Budget] = [budget for section in sections for budget in section.budgets]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`, the harness in `bench/`); do not edit by hand. "
        "Issue 7 defines what is measured and the budgets. The API runs in-process against moto "
        "(the table from template.yaml), so counts and units are exact and times are this machine's.",
        "",
        *markdown_table(["", ""], [*machine(), ("load average (start, end)", f"{load[0]}; {load[1]}")]),
        "",
        "## Budgets",
        "",
        *markdown_table(
            ["budget", "allowed", "measured", "holds", "note"],
            [[b.name, b.allowed, b.measured, "✅" if b.holds else "❌", b.note] for b in budgets],
        ),
        "",
        "Why reply and update take 2 round trips (budget 1): a write reads the ticket, then writes it in "
        "one TransactWriteItems conditional on the version it read, together with the list entries it "
        "moves and the stats (docs/data-model.md, *Lists*). Which lists a ticket leaves and joins, and "
        "what it adds to the stats, follow from the ticket before and after the change, so only a write "
        "that knows the current ticket can write them, and the version condition is what keeps them "
        "exact when two writers race; a single blind UpdateItem could not move the entries between "
        "lists. Assigning an agent adds a GetItem of the agent (its name and email go on the ticket), "
        "and a ticket number in the path adds the GetItem of the number guard.",
        "",
        *WHY_LISTS_AND_COLD_STARTS_MISS,
    ]
    for section in sections:
        lines.append(section.markdown())
    total = sum(seconds for _, seconds in timings)
    lines += [
        "## How long the bench took",
        "",
        *markdown_table(
            ["section", "seconds"], [*[(name, f"{s:.0f}") for name, s in timings], ("total", f"{total:.0f}")]
        ),
        "",
        f"Sizes: {plan.small:,} and {plan.large:,} tickets, {plan.cold_rounds} cold-start rounds, "
        f"{plan.warm_iterations} warm invocations, batches of {plan.stream_batch}.",
        "",
    ]
    return "\n".join(lines)


def _write_images(folder: Path, images: list[Image]) -> None:
    for image in images:
        (folder / image.name).write_bytes(image.svg)


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a quick pass that checks the harness works")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where to write the report (default: {DEFAULT_OUTPUT}; none with --smoke)",
    )
    parser.add_argument(
        "--no-build", action="store_true", help="skip sam build (package sizes of the sources)"
    )
    arguments = parser.parse_args(argv)
    plan = SMOKE if arguments.smoke else FULL
    if arguments.no_build:
        plan = Plan(**{**plan.__dict__, "build": False})
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    load_start = _load()
    sections, timings = run(plan)
    text = render(sections, timings, plan, (load_start, _load()))
    print(text)
    budgets = [budget for section in sections for budget in section.budgets]
    if not budgets:
        print("bench: no budget was computed", file=sys.stderr)
        return 1
    images = [image for section in sections for image in section.images]
    output = arguments.output or (None if arguments.smoke else DEFAULT_OUTPUT)
    if output is None:
        with tempfile.TemporaryDirectory(prefix="bench-figures-") as scratch:
            _write_images(Path(scratch), images)
        return 0
    output.write_text(text)
    _write_images(output.parent, images)
    print(f"bench: wrote {output} and {', '.join(image.name for image in images)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
