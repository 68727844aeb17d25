"""/v1/sla-policies (admin keys): a tenant's SLA policies, created or replaced by id, read, listed and
deleted."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from tickets.api.request import IdempotencyKey, caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import enveloped, no_content, no_content_documented, success
from tickets.api.services import sla_policy_service
from tickets.models.responses import SuccessEnvelope
from tickets.models.sla import ListSlaPoliciesQuery, PutSlaPolicyRequest, SlaPolicy, SlaPolicyId

app = build_resolver()
PathPolicyId = Annotated[SlaPolicyId, Path()]


@app.put(
    "/v1/sla-policies/<policyId>",
    summary="Create or replace an SLA policy (`default` applies to the tickets no other matches)",
    responses={200: enveloped(SlaPolicy, "Replaced"), 201: enveloped(SlaPolicy, "Created")},
)
def put_sla_policy(
    policyId: PathPolicyId,
    request: Annotated[PutSlaPolicyRequest, Body(embed=False)],
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    policy, created = sla_policy_service().put(caller(app), policyId, request)
    return success(policy, HTTPStatus.CREATED if created else HTTPStatus.OK)


@app.get(
    "/v1/sla-policies/<policyId>",
    summary="Get an SLA policy",
    responses={200: enveloped(SlaPolicy, "The policy")},
)
def get_sla_policy(policyId: PathPolicyId) -> Response[str]:
    return success(sla_policy_service().get(caller(app), policyId))


@app.delete(
    "/v1/sla-policies/<policyId>",
    summary="Delete an SLA policy",
    responses={204: no_content_documented("Deleted")},
)
def delete_sla_policy(policyId: PathPolicyId, _idempotency_key: IdempotencyKey = None) -> Response[str]:
    sla_policy_service().delete(caller(app), policyId)
    return no_content()


@app.get(
    "/v1/sla-policies",
    summary="List the SLA policies",
    responses={
        200: {
            "description": "Every policy of the tenant, by id",
            "content": {"application/json": {"model": SuccessEnvelope[list[SlaPolicy]]}},
        }
    },
)
def list_sla_policies() -> Response[str]:
    reject_unknown_query(app, ListSlaPoliciesQuery)
    return success(sla_policy_service().list(caller(app)))
