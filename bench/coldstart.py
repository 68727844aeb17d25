"""Section 4: cold start. A fresh interpreter per run imports a function's handler module (its
module-level initialisation runs as Lambda's init phase runs it), then creates the AWS clients the
function's first invocation creates; next to it, the floor: a fresh interpreter that imports boto3 and
creates one DynamoDB client. Runs are interleaved (each round runs the floor and every function once,
in a shuffled order), so drift of the machine hits all alike.

Bytecode decides much of an import's time, so it is controlled: every run reads and writes .pyc files
only under a cache directory of the bench's own (PYTHONPYCACHEPREFIX), never the source tree.
- *with bytecode*: everything compiled beforehand (the state of a machine that ran the code once).
- *as packaged*: what a deployment has: the runtime's and the layer's bytecode (the layer is built
  with .pyc for the target's Python, since /opt is read-only), and a handler compiled on every run."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.env import FUNCTION_ENV
from bench.report import ROOT, Budget, Image, Sample, Section

FLOOR = "floor"
TARGET = 1.3  # x floor: where an API function's ready time should get to (issue 13)
# aws-lambda-handler-cookbook's cold start in multiples of the same floor, measured earlier in this
# project: the peer's range the figure draws ours against.
PEER = "aws-lambda-handler-cookbook"
PEER_RANGE = (1.7, 2.6)
TRACED = " (Tracing=Active)"  # a function's name with this suffix: its cold start with tracing on
_TRACING_ENV = {
    "POWERTOOLS_TRACE_DISABLED": "false",
    "LAMBDA_TASK_ROOT": "/var/task",  # Powertools' Tracer turns itself off outside Lambda
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",  # no X-Ray segment outside Lambda: nothing to report
}
# Functions whose first invocation creates more than the DynamoDB client.
_CLIENTS = {"ticket_stream": ("dynamodb", "sesv2")}
# What every API function needs before any code of ours: botocore with one client (not boto3, as
# tickets/clients.py), Powertools' Logger and Metrics, and its REST resolver with validation and one
# validated route (pydantic and the OpenAPI machinery). Ours is what a function adds to it.
FRAMEWORK = "framework floor"
# api_docs is the reference page for browsers: it renders the OpenAPI document of every route at start.
_NOT_API = {"ticket_stream", "authorizer", "api_docs", "sla_clock", FRAMEWORK}

_PROBE = r"""
import json, sys, time
started = time.perf_counter()
target, clients = sys.argv[1], sys.argv[2].split(",")
if target == "floor":
    import boto3
    boto3.client("dynamodb")
    imported = time.perf_counter()
elif target == "framework floor":
    import botocore.session
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.openapi.params import Body
    from pydantic import BaseModel
    from typing import Annotated

    class Probe(BaseModel):
        name: str

    def probe(request: Annotated[Probe, Body(embed=False)]) -> dict:
        return {}

    Logger(), Metrics()
    APIGatewayRestResolver(enable_validation=True).post("/probe")(probe)
    imported = time.perf_counter()
    botocore.session.get_session().create_client("dynamodb")
else:
    sys.path.insert(0, target)
    import app  # Lambda imports the handler module the same way (Handler: app.lambda_handler)
    imported = time.perf_counter()
    from tickets import clients as package_clients
    for name in clients:
        getattr(package_clients, name)()
ready = time.perf_counter()
print(json.dumps({"init": imported - started, "ready": ready - started}))
"""


def functions() -> list[str]:
    return sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))


def is_api(name: str) -> bool:
    return name.removesuffix(TRACED) not in _NOT_API


def label(name: str) -> str:
    """A target's name as the table and the figure show it."""
    return name + ("" if is_api(name) or name == FRAMEWORK else " (not API)")


def ready_ratio(timings: dict[str, Timing], name: str) -> float:
    """The median ready time of `name` in floor multiples, the floor of the same runs."""
    return Sample.of(timings[name].ready).median / Sample.of(timings[FLOOR].ready).median


def tracing_measurable() -> bool:
    """Tracing on needs the X-Ray SDK, which the layer ships; the dev venv may not have it."""
    return importlib.util.find_spec("aws_xray_sdk") is not None


@dataclass
class Timing:
    init: list[float]
    ready: list[float]


def _env(prefix: Path, write: bool, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("PYTHON", "POWERTOOLS_"))
    }
    env |= FUNCTION_ENV | (extra or {})
    env["PYTHONPATH"] = str(ROOT / "layers" / "shared")
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    env.pop("AWS_ENDPOINT_URL", None)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(
    target: str, prefix: Path, write: bool = False, importtime: bool = False
) -> tuple[dict[str, float], str]:
    name = target.removesuffix(TRACED)
    path = name if name in (FLOOR, FRAMEWORK) else str(ROOT / "functions" / name)
    clients = ",".join(_CLIENTS.get(name, ("dynamodb",)))
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", _PROBE, path, clients]
    env = _env(prefix, write, _TRACING_ENV if target.endswith(TRACED) else None)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"cold start of {target} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


# What the deployment leaves uncompiled --------------------------------------------------------------


def _drop_handler_bytecode(prefix: Path) -> None:
    """The layer ships its bytecode (layers/shared/Makefile compiles it for the target's Python), but
    a function's own folder is zipped by SAM as it is: its handler compiles on every cold start."""
    mirrored = prefix / (ROOT / "functions").relative_to(ROOT.anchor)
    for pyc in mirrored.rglob("*.pyc"):
        pyc.unlink()


# Measuring ---------------------------------------------------------------------------------------


def measure(
    rounds: int, packaged_rounds: int, names: list[str] | None = None, seed: int = 7
) -> tuple[dict[str, Timing], dict[str, Timing], dict[str, str]]:
    """Timings with bytecode and as packaged, and one -X importtime output, per target (the floor and
    the functions `names`, all of them by default)."""
    targets = [FLOOR, FRAMEWORK, *(names if names is not None else functions())]
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as scratch:
        compiled, packaged = Path(scratch) / "compiled", Path(scratch) / "packaged"
        with ThreadPoolExecutor(max_workers=2) as pool:  # compile everything once (not timed)
            list(pool.map(lambda target: _run(target, compiled, write=True), targets))
        shutil.copytree(compiled, packaged)
        _drop_handler_bytecode(packaged)
        rng = random.Random(seed)
        results: dict[str, dict[str, Timing]] = {}
        for mode, prefix, count in (("compiled", compiled, rounds), ("packaged", packaged, packaged_rounds)):
            timings = {target: Timing([], []) for target in targets}
            for _ in range(count):
                order = targets[:]
                rng.shuffle(order)
                for target in order:
                    measured, _ = _run(target, prefix)
                    timings[target].init.append(measured["init"])
                    timings[target].ready.append(measured["ready"])
            results[mode] = timings
        importtimes = {target: _run(target, compiled, importtime=True)[1] for target in targets}
    return results["compiled"], results["packaged"], importtimes


# Where the time goes ------------------------------------------------------------------------------

_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(stderr: str) -> dict[str, tuple[int, int]]:
    """module -> (self µs, cumulative µs), from -X importtime."""
    modules: dict[str, tuple[int, int]] = {}
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if match:
            modules[match.group(4)] = (int(match.group(1)), int(match.group(2)))
    return modules


def _group(module: str) -> str:
    top = module.split(".", maxsplit=1)[0]
    if top == "tickets":
        parts = module.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 else top
    if top == "aws_lambda_powertools":
        parts = module.split(".")
        return ".".join(parts[:3]) if len(parts) > 2 else ".".join(parts)
    return top


def contributors(
    function_profile: dict[str, tuple[int, int]], floor_profile: dict[str, tuple[int, int]]
) -> list[tuple[str, float]]:
    """Self time of what the function imports beyond the floor, by package (ms), largest first."""
    groups: dict[str, float] = defaultdict(float)
    for module, (own, _) in function_profile.items():
        if module not in floor_profile:
            groups[_group(module)] += own / 1000
    return sorted(groups.items(), key=lambda pair: -pair[1])


# Report ------------------------------------------------------------------------------------------


def report(
    compiled: dict[str, Timing],
    packaged: dict[str, Timing],
    importtimes: dict[str, str],
    figure: Image,
    budget: float = TARGET,
) -> Section:
    section = Section("4. Cold start")
    rounds = len(compiled[FLOOR].ready)
    section.add(
        f"A fresh interpreter per run, {rounds} rounds with bytecode and {len(packaged[FLOOR].ready)} "
        "as packaged, interleaved (`bench/coldstart.py`). *init*: importing `functions/<name>/app.py` "
        "with PYTHONPATH=layers/shared and the template's environment (Lambda's init phase); *ready*: "
        "init plus the AWS clients the first invocation creates (DynamoDB; the stream function SESv2 "
        "too). The floor imports boto3 and creates one DynamoDB client, so *ready* is what compares "
        "with it, and the budget (≤ "
        f"{budget} x floor for every API function) is held against *ready*. Median (min-max) in ms.",
        "",
        "*With bytecode*: every module's .pyc was there (a warm disk cache). *As packaged*: as deployed, "
        "the runtime and the layer have their .pyc (layers/shared/Makefile compiles the layer for the "
        "target's Python, since /opt is read-only), the function's own folder has none: its handler "
        "compiles on every cold start.",
        "",
    )
    rows = [_row(compiled, packaged, FLOOR, "")]
    names = [name for name in compiled if name != FLOOR and not name.endswith(TRACED)]
    traced = [name for name in compiled if name.endswith(TRACED)]
    worst = 0.0
    misses = []
    for name in names:
        ratio = ready_ratio(compiled, name)
        verdict = ""
        if is_api(name):
            worst = max(worst, ratio)
            verdict = "✅" if ratio <= budget else "❌"
            if ratio > budget:
                misses.append(f"{name} {ratio:.2f}")
        rows.append(_row(compiled, packaged, name, verdict))
    rows += [_row(compiled, packaged, name, "(tracing on: not the budget's case)") for name in traced]
    section.table(
        [
            "function",
            "init (bytecode)",
            "ready (bytecode)",
            "x floor",
            "ready (as packaged)",
            "x floor",
            f"≤ {budget} x floor",
        ],
        rows,
    )
    section.image(figure)
    section.add(
        "Tracing (template parameter `Tracing`, default PassThrough) is off in every row but the last: "
        "the X-Ray SDK is then never imported (`tickets/observability.py` creates Powertools' Tracer "
        "only when POWERTOOLS_TRACE_DISABLED=false)."
        + (
            ""
            if traced
            else " The row with tracing on is missing: aws-xray-sdk (which the layer ships) is not "
            "installed in .venv, so it could not be measured here."
        ),
        "",
    )
    section.budgets.append(
        Budget(
            "cold start: every API function, with bytecode",
            f"≤ {budget} x floor",
            f"{worst:.2f} x floor at most",
            not misses,
            "; ".join(misses),
        )
    )
    packaged_worst = max((ready_ratio(packaged, name) for name in names if is_api(name)), default=0.0)
    section.budgets.append(
        Budget(
            "cold start: every API function, as packaged (the layer with its .pyc)",
            f"≤ {budget} x floor",
            f"{packaged_worst:.2f} x floor at most",
            packaged_worst <= budget,
        )
    )
    framework = ready_ratio(compiled, FRAMEWORK)
    ours = max(
        (
            Sample.of(compiled[name].ready).median - Sample.of(compiled[FRAMEWORK].ready).median
            for name in names
            if is_api(name)
        ),
        default=0.0,
    )
    floor_ms = Sample.of(compiled[FLOOR].ready).median
    section.add(
        f"The *{FRAMEWORK}* is what every API function needs before any code of ours: botocore with one "
        "DynamoDB client, Powertools' Logger and Metrics, and its REST resolver with validation and one "
        f"validated route (pydantic and the OpenAPI machinery). It alone is {framework:.2f} x floor, "
        f"{'over' if framework > budget else 'under'} the target of {budget} x floor; our own code adds "
        f"{ours * 1e3:.0f} ms ({ours / floor_ms:.2f} x floor) at most on top of it, with bytecode.",
        "",
    )
    floor_profile = import_profile(importtimes[FLOOR])
    framework_profile = import_profile(importtimes[FRAMEWORK])
    section.add(
        "Where the time goes: `python -X importtime`, one run per function with bytecode; self time of "
        "the modules a function imports that the floor does not, summed by package (ms; importtime's "
        "own overhead inflates every figure alike), and of those the framework floor does not import "
        "either (ours, and what only we use). The top contributors:",
        "",
    )
    rows = []
    for name in [*names, *traced]:
        profile = import_profile(importtimes[name])
        ranked = contributors(profile, floor_profile)
        beyond_framework = contributors(profile, framework_profile)
        rows.append(
            [
                name,
                f"{sum(ms for _, ms in ranked):.0f}",
                "; ".join(f"{group} {ms:.0f}" for group, ms in ranked[:6]),
                f"{sum(ms for _, ms in beyond_framework):.0f}" if name != FRAMEWORK else "",
                "; ".join(f"{group} {ms:.0f}" for group, ms in beyond_framework[:6])
                if name != FRAMEWORK
                else "",
            ]
        )
    section.table(
        [
            "function",
            "beyond the floor (ms)",
            "largest (ms)",
            "beyond the framework floor (ms)",
            "largest (ms)",
        ],
        rows,
    )
    return section


def _row(compiled: dict[str, Timing], packaged: dict[str, Timing], name: str, verdict: str) -> list[str]:
    return [
        label(name),
        Sample.of(compiled[name].init).ms(),
        Sample.of(compiled[name].ready).ms(),
        f"{ready_ratio(compiled, name):.2f}",
        Sample.of(packaged[name].ready).ms(),
        f"{ready_ratio(packaged, name):.2f}",
        verdict,
    ]
