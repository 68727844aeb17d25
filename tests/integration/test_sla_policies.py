"""/v1/sla-policies through SlaPoliciesFunction's handler, against moto: create or replace, read, list
and delete a tenant's policies, who may, and what a bad policy gets (400 naming the field, nothing
written)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Cli
from tests.support.events import api_event
from tests.support.handlers import Api, ApiResponse, invoke

WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
STANDARD: dict[str, Any] = {
    "name": "Standard support",
    "targets": {
        "URGENT": {"firstResponseMinutes": 30, "nextResponseMinutes": 60, "resolutionMinutes": 480},
        "HIGH": {"firstResponseMinutes": 120},
    },
    "businessHours": {"timezone": "Europe/Berlin", "weekly": WEEKDAYS, "holidays": ["2026-12-25"]},
    "appliesTo": {},
}


def put(policy_id: str, body: Any, role: str = "admin", tenant_id: str = "acme") -> ApiResponse:
    event = api_event(
        "put_sla_policy", path={"policyId": policy_id}, body=body, role=role, tenant_id=tenant_id
    )
    return invoke("sla_policies", event)


def get(policy_id: str, role: str = "admin", tenant_id: str = "acme") -> ApiResponse:
    event = api_event("get_sla_policy", path={"policyId": policy_id}, role=role, tenant_id=tenant_id)
    return invoke("sla_policies", event)


def delete(policy_id: str, role: str = "admin") -> ApiResponse:
    return invoke("sla_policies", api_event("delete_sla_policy", path={"policyId": policy_id}, role=role))


def listed(tenant_id: str = "acme", **query: str) -> ApiResponse:
    return invoke("sla_policies", api_event("list_sla_policies", tenant_id=tenant_id, query=query))


def test_put_creates_then_replaces_a_policy_keeping_its_creation_time(api: Api) -> None:
    # Given no policy, When the admin puts one
    created = put("default", STANDARD)
    # Then it is created, as sent
    assert created.status == 201
    policy = created.data
    assert policy["id"] == "default"
    assert policy["name"] == "Standard support"
    assert policy["targets"]["URGENT"] == {
        "firstResponseMinutes": 30,
        "nextResponseMinutes": 60,
        "resolutionMinutes": 480,
    }
    assert policy["targets"]["HIGH"] == {
        "firstResponseMinutes": 120,
        "nextResponseMinutes": None,
        "resolutionMinutes": None,
    }
    assert policy["businessHours"]["holidays"] == ["2026-12-25"]
    # When it is replaced with calendar time
    replaced = put("default", STANDARD | {"name": "Around the clock", "businessHours": None})
    # Then it is the new one, created when it was first put
    assert replaced.status == 200
    assert replaced.data["name"] == "Around the clock"
    assert replaced.data["businessHours"] is None
    assert replaced.data["createdAt"] == policy["createdAt"]
    assert get("default").data == replaced.data


def test_policies_are_listed_by_id_and_deleted(api: Api) -> None:
    assert put("vip", STANDARD | {"appliesTo": {"customerExternalId": "user_42"}}).status == 201
    assert put("default", STANDARD).status == 201
    billing = STANDARD | {"appliesTo": {"department": "Billing", "topic": "REFUND"}}
    assert put("billing", billing).status == 201
    assert [policy["id"] for policy in listed().data] == ["billing", "default", "vip"]
    assert listed().data[2]["appliesTo"] == {
        "department": None,
        "topic": None,
        "channel": None,
        "customerExternalId": "user_42",
    }
    # When one is deleted, Then it is gone, and a second delete finds nothing
    assert delete("billing").status == 204
    assert [policy["id"] for policy in listed().data] == ["default", "vip"]
    again = delete("billing")
    assert again.status == 404
    assert again.error["code"] == "SLA_POLICY_NOT_FOUND"
    assert get("billing").error_fields() == {"policyId"}


def test_a_night_shift_window_runs_past_midnight(api: Api) -> None:
    night = copy.deepcopy(STANDARD)
    night["businessHours"]["weekly"] = {"mon": [["22:00", "06:00"]], "sun": [["09:00", "09:00"]]}
    answer = put("nights", night)
    assert answer.status == 201
    assert answer.data["businessHours"]["weekly"] == {
        "mon": [["22:00", "06:00"]],
        "sun": [["09:00", "09:00"]],
    }


def test_policies_belong_to_their_tenant(api: Api) -> None:
    put("default", STANDARD)
    assert listed(tenant_id="globex").data == []
    assert get("default", tenant_id="globex").status == 404


@pytest.mark.parametrize("role", ["agent", "integration"])
def test_only_admin_keys_may_read_or_change_policies(api: Api, role: str) -> None:
    put("default", STANDARD)
    for answer in (put("default", STANDARD, role=role), get("default", role=role)):
        assert answer.status == 403
        assert answer.error["code"] == "FORBIDDEN"
    assert get("default").data["name"] == "Standard support"


def test_a_tenant_has_at_most_fifty_policies(api: Api) -> None:
    for number in range(50):
        assert put(f"policy-{number:02d}", STANDARD).status == 201
    refused = put("policy-50", STANDARD)
    assert refused.status == 409
    assert refused.error["code"] == "CONFLICT"
    assert get("policy-50").status == 404
    # Replacing one of the fifty is still allowed
    assert put("policy-00", STANDARD).status == 200


def test_an_unknown_query_parameter_of_the_list_is_refused(api: Api) -> None:
    answer = listed(limit="10")
    assert answer.status == 400
    assert answer.error_fields() == {"limit"}


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(STANDARD)
    target: Any = body
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    return body


BAD_POLICIES = [
    pytest.param(_with(("name",), ""), "name", id="empty-name"),
    pytest.param(
        _with(("targets",), {"SOON": {"firstResponseMinutes": 5}}), "targets.SOON", id="unknown-priority"
    ),
    pytest.param(
        _with(("targets", "URGENT", "firstResponseMinutes"), 0),
        "targets.URGENT.firstResponseMinutes",
        id="zero-minutes",
    ),
    pytest.param(
        _with(("targets", "URGENT", "resolutionMinutes"), 525_601),
        "targets.URGENT.resolutionMinutes",
        id="over-a-year",
    ),
    pytest.param(
        _with(("targets", "URGENT", "resolutionMinutes"), "60"),
        "targets.URGENT.resolutionMinutes",
        id="minutes-as-text",
    ),
    pytest.param(_with(("targets", "HIGH", "slaMinutes"), 5), "targets.HIGH.slaMinutes", id="unknown-target"),
    pytest.param(
        _with(("businessHours", "timezone"), "Mars/Olympus"), "businessHours.timezone", id="unknown-zone"
    ),
    pytest.param(_with(("businessHours", "weekly"), {}), "businessHours.weekly", id="no-opening-day"),
    pytest.param(
        _with(("businessHours", "weekly"), {"mon": []}),
        "businessHours.weekly.mon",
        id="a-day-without-windows",
    ),
    pytest.param(
        _with(("businessHours", "weekly"), {"monday": [["09:00", "17:00"]]}),
        "businessHours.weekly.monday",
        id="unknown-day",
    ),
    pytest.param(
        _with(("businessHours", "weekly"), {"mon": [["9:00", "17:00"]]}),
        "businessHours.weekly.mon.0.0",
        id="one-digit-hour",
    ),
    pytest.param(
        _with(("businessHours", "weekly"), {"mon": [["09:00", "24:30"]]}),
        "businessHours.weekly.mon.0.1",
        id="past-midnight",
    ),
    pytest.param(
        _with(("businessHours", "weekly"), {"mon": [["24:00", "06:00"]]}),
        "businessHours.weekly.mon.0.0",
        id="opening-at-midnight-s-end",
    ),
    pytest.param(
        _with(("businessHours", "weekly"), {"mon": [["09:00"]]}),
        "businessHours.weekly.mon.0.1",
        id="half-a-window",
    ),
    pytest.param(
        _with(("businessHours", "holidays"), ["2026-12-25", "2026-12-25"]),
        "businessHours.holidays",
        id="a-holiday-twice",
    ),
    pytest.param(
        _with(("businessHours", "holidays"), ["25.12.2026"]), "businessHours.holidays.0", id="not-a-date"
    ),
    pytest.param(_with(("appliesTo",), {"topic": "WEATHER"}), "appliesTo.topic", id="unknown-topic"),
    pytest.param(_with(("appliesTo",), {"agentId": "agent_n1"}), "appliesTo.agentId", id="unknown-scope"),
]


@pytest.mark.parametrize(("body", "field"), BAD_POLICIES)
def test_a_bad_policy_is_refused_naming_its_field_and_nothing_is_written(
    api: Api, body: dict[str, Any], field: str
) -> None:
    answer = put("default", body)
    assert answer.status == 400
    assert answer.error["code"] == "VALIDATION_ERROR"
    assert field in answer.error_fields()
    assert get("default").status == 404


@pytest.mark.parametrize("policy_id", ["Default", "has space", "-leading-dash", "x" * 65])
def test_a_bad_policy_id_is_refused(api: Api, policy_id: str) -> None:
    answer = put(policy_id, STANDARD)
    assert answer.status == 400
    assert answer.error_fields() == {"policyId"}


@pytest.mark.usefixtures("api")
class TestAdminCli:
    def test_put_list_and_delete_a_policy_from_a_file(self, table: str, cli: Cli, tmp_path: Path) -> None:
        # Given a policy file, as PUT takes it
        policy_file = tmp_path / "policy.json"
        policy_file.write_text(json.dumps(STANDARD))
        # When the CLI puts it, Then the API reads it back
        put_answer = cli(
            "--table",
            table,
            "put-sla-policy",
            "--tenant",
            "acme",
            "--id",
            "default",
            "--file",
            str(policy_file),
        )
        assert put_answer.output["created"] is True
        assert get("default").data["name"] == "Standard support"
        listed_ids = [
            policy["id"]
            for policy in cli("--table", table, "list-sla-policies", "--tenant", "acme").output["policies"]
        ]
        assert listed_ids == ["default"]
        # And deleted, it is gone
        assert cli("--table", table, "delete-sla-policy", "--tenant", "acme", "--id", "default").output == {
            "deleted": "default"
        }
        assert get("default").status == 404

    def test_a_bad_file_or_a_missing_policy_is_one_line_and_writes_nothing(
        self, table: str, cli: Cli, tmp_path: Path
    ) -> None:
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(_with(("businessHours", "timezone"), "Mars/Olympus")))
        refused = cli(
            "--table", table, "put-sla-policy", "--tenant", "acme", "--id", "default", "--file", str(bad)
        )
        assert refused.code == 2
        assert refused.error_line.startswith(
            "error: --file: businessHours.timezone: is not an IANA time zone"
        )
        missing_file = cli(
            "--table",
            table,
            "put-sla-policy",
            "--tenant",
            "acme",
            "--id",
            "default",
            "--file",
            str(tmp_path / "none.json"),
        )
        assert missing_file.code == 2
        assert "cannot read --file" in missing_file.error_line
        assert get("default").status == 404
        gone = cli("--table", table, "delete-sla-policy", "--tenant", "acme", "--id", "default")
        assert gone.code == 1
        assert "No SLA policy 'default'" in gone.error_line
        unknown_tenant = cli("--table", table, "list-sla-policies", "--tenant", "initech")
        assert unknown_tenant.code == 1
        assert "initech" in unknown_tenant.error_line

    def test_sla_due_shows_when_each_target_would_be_due_in_the_policys_hours(
        self, table: str, cli: Cli, tmp_path: Path
    ) -> None:
        # Given the standard policy: Monday to Friday 09:00-17:00 in Berlin, Christmas Day a holiday
        policy_file = tmp_path / "policy.json"
        policy_file.write_text(json.dumps(STANDARD))
        cli(
            "--table",
            table,
            "put-sla-policy",
            "--tenant",
            "acme",
            "--id",
            "default",
            "--file",
            str(policy_file),
        )
        # When an URGENT ticket would be opened on Christmas Eve at 16:30 in Berlin (a Thursday)
        due = cli(
            "--table", table, "sla-due", "--tenant", "acme", "--id", "default",
            "--priority", "URGENT", "--opened", "2026-12-24T15:30:00Z",
        ).output  # fmt: skip
        # Then its 30 minutes are the last half hour of Thursday, and the 60 and 480 run on into the
        # Monday after the holiday and the weekend
        assert due == {
            "policy": "default",
            "priority": "URGENT",
            "opened": "2026-12-24T15:30:00.000000Z",
            "due": {
                "firstResponse": "2026-12-24T16:00:00.000000Z",
                "nextResponse": "2026-12-28T08:30:00.000000Z",
                "resolution": "2026-12-28T15:30:00.000000Z",
            },
        }
        # And a priority without targets has none; a time without its zone is refused in one line
        high = cli(
            "--table", table, "sla-due", "--tenant", "acme", "--id", "default",
            "--priority", "LOW", "--opened", "2026-12-24T15:30:00Z",
        ).output  # fmt: skip
        assert high["due"] == {}
        naive = cli(
            "--table", table, "sla-due", "--tenant", "acme", "--id", "default",
            "--priority", "URGENT", "--opened", "2026-12-24T15:30:00",
        )  # fmt: skip
        assert naive.code == 2
        assert naive.error_line.startswith("error: --opened: ")
