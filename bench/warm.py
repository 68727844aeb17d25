"""Section 5: warm overhead per invocation, our code only. Each scenario runs once against moto with a
recorder, which keeps the responses AWS gave; then the package's clients get a botocore Stubber that
answers every call with those responses, and the handler is timed over many invocations. Only our code
(and botocore's request building, which Lambda pays too) is in the time: no network, no moto."""

from __future__ import annotations

import copy
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.stub import Stubber

from bench import roundtrips, world
from bench.aws import mocked_aws, quiet
from bench.recorder import Recorder
from bench.report import Sample, Section
from tests.support.events import api_event
from tests.support.handlers import LambdaContext, handler_module
from tests.support.streams import StreamPump
from tickets import clients
from tickets.api.authorizer import forget_cached_keys


@dataclass
class Scenario:
    function: str
    label: str
    event: dict[str, Any]
    prepare: Callable[[], None] = lambda: None  # run before each invocation, untimed
    primed: bool = False  # invoked once before the recorded run (a warm cache)


@dataclass
class WarmResult:
    function: str
    label: str
    calls: int
    sample: Sample


def _scenarios(scene: world.World, pump: StreamPump) -> list[Scenario]:

    def records(entity: str) -> list[dict[str, Any]]:
        return [
            record for record in pump.pending() if record["dynamodb"]["NewImage"]["entity"]["S"] == entity
        ]

    scene.api.create(world.body("create_ticket.json"))
    new_ticket_records = records("TICKET")
    ticket_id = scene.api.create(world.body("create_ticket.json")).data["id"]
    scene.api.reply(ticket_id, world.body("reply_ticket_agent.json"))
    message_records = records("MESSAGE")
    authorizer_event = copy.deepcopy(world.authorizer_event())
    authorizer_event["headers"]["X-API-Key"] = scene.secret
    return [
        Scenario(
            "create_ticket",
            "create",
            api_event("create_ticket", body=world.body("create_ticket.json")),
        ),
        Scenario("get_ticket", "get by id", api_event("get_ticket", ticket_id=ticket_id)),
        Scenario("list_tickets", "list, no filter", api_event("list_tickets", query={})),
        Scenario(
            "list_tickets",
            "list, status + priority",
            api_event("list_tickets", query={"status": "OPEN", "priority": "HIGH"}),
        ),
        Scenario(
            "reply_ticket",
            "agent reply",
            api_event("reply_ticket", body=world.body("reply_ticket_agent.json"), ticket_id=ticket_id),
        ),
        Scenario(
            "update_ticket",
            "priority",
            api_event("update_ticket", body={"priority": "URGENT"}, ticket_id=ticket_id),
        ),
        Scenario("customers", "get customer", api_event("get_customer", path={"externalId": "user_42"})),
        Scenario("agents", "list agents", api_event("list_agents", query={})),
        Scenario("authorizer", "key cached", authorizer_event, primed=True),
        Scenario("authorizer", "key not cached", authorizer_event, prepare=forget_cached_keys),
        Scenario("ticket_stream", "1 new ticket (assignment)", {"Records": new_ticket_records[:1]}),
        Scenario("ticket_stream", "1 agent reply (email)", {"Records": message_records[:1]}),
    ]


def _invoke(scenario: Scenario) -> Any:
    handler = handler_module(scenario.function).lambda_handler
    return handler(copy.deepcopy(scenario.event), LambdaContext(function_name=scenario.function))


def _check(scenario: Scenario, result: Any) -> None:
    status = result.get("statusCode", 200) if isinstance(result, dict) else 200
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if status >= 400 or failures:
        raise AssertionError(f"{scenario.function} {scenario.label}: {result}")


def measure(iterations: int) -> list[WarmResult]:
    results = []
    with mocked_aws() as table, quiet():
        scene = world.seed(table, tickets=roundtrips.BULK_TICKETS)
        pump = StreamPump(table)
        pump.skip()
        scenarios = _scenarios(scene, pump)
        for scenario in scenarios:
            if scenario.primed:
                _invoke(scenario)
            scenario.prepare()
            with Recorder() as recorder:
                _check(scenario, _invoke(scenario))
            answers = [(call.service, call.operation, call.response) for call in recorder.calls]
            stubbers = {
                "dynamodb": Stubber(clients.dynamodb()),
                "sesv2": Stubber(clients.sesv2()),
                "events": Stubber(clients.events()),
            }
            methods = {
                service: {
                    operation: method
                    for method, operation in stubber.client.meta.method_to_api_mapping.items()
                }
                for service, stubber in stubbers.items()
            }
            for stubber in stubbers.values():
                stubber.activate()
            try:
                timings = []
                for _ in range(iterations + 5):  # the first five are not kept
                    for service, operation, response in answers:
                        stubbers[service].add_response(
                            methods[service][operation], copy.deepcopy(response or {})
                        )
                    scenario.prepare()
                    started = time.perf_counter()
                    result = _invoke(scenario)
                    timings.append(time.perf_counter() - started)
                    _check(scenario, result)
                    for stubber in stubbers.values():
                        try:
                            stubber.assert_no_pending_responses()
                        except AssertionError as error:
                            raise AssertionError(f"{scenario.function} {scenario.label}: {error}") from None
            finally:
                for stubber in stubbers.values():
                    stubber.deactivate()
            gc.collect()
            results.append(
                WarmResult(scenario.function, scenario.label, len(answers), Sample.of(timings[5:]))
            )
    return results


def report(results: list[WarmResult], iterations: int) -> Section:
    section = Section("5. Warm overhead per invocation")
    section.add(
        f"Each handler {iterations} times in a warm process, its DynamoDB and SESv2 clients answered by "
        "botocore's Stubber with the responses moto gave in a recorded run, so only our code is timed "
        "(Powertools decorators, routing and validation, our logic, botocore building the requests; "
        "logs and metrics written to /dev/null). µs on this machine; a 512 MB Lambda has about a third "
        "of a vCPU.",
        "",
    )
    rows = [
        [
            result.function,
            result.label,
            result.calls,
            f"{result.sample.median * 1e6:.0f}",
            f"{result.sample.p95 * 1e6:.0f}",
            f"{result.sample.low * 1e6:.0f}-{result.sample.high * 1e6:.0f}",
        ]
        for result in results
    ]
    section.table(["function", "request", "AWS calls", "median µs", "p95 µs", "min-max µs"], rows)
    return section
