"""/v1/agents: create or replace an agent, change some of its fields, list the team with its load."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from tickets.api.request import IdempotencyKey, caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import enveloped, success
from tickets.api.services import agent_service
from tickets.models.domain import Agent
from tickets.models.requests import ListAgentsQuery, PatchAgentRequest, PutAgentRequest
from tickets.models.responses import SuccessEnvelope
from tickets.models.types import AgentId

app = build_resolver()
# Percent-encoded in the path by the client (an "@" arrives as %40; the resolver decodes it).
PathAgentId = Annotated[AgentId, Path()]


@app.put(
    "/v1/agents/<agentId>",
    summary="Create or replace an agent",
    responses={200: enveloped(Agent, "Replaced"), 201: enveloped(Agent, "Created")},
)
def put_agent(
    agentId: PathAgentId,
    request: Annotated[PutAgentRequest, Body(embed=False)],
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    agent, created = agent_service().put(caller(app), agentId, request)
    return success(agent, HTTPStatus.CREATED if created else HTTPStatus.OK)


@app.patch(
    "/v1/agents/<agentId>",
    summary="Change some of an agent's fields (e.g. availability)",
    responses={200: enveloped(Agent, "The changed agent")},
)
def patch_agent(
    agentId: PathAgentId,
    request: Annotated[PatchAgentRequest, Body(embed=False)],
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    return success(agent_service().patch(caller(app), agentId, request))


@app.get(
    "/v1/agents",
    summary="List the agents with their current load",
    responses={
        200: {
            "description": "Every agent of the tenant, by id",
            "content": {"application/json": {"model": SuccessEnvelope[list[Agent]]}},
        }
    },
)
def list_agents() -> Response[str]:
    reject_unknown_query(app, ListAgentsQuery)
    return success(agent_service().list(caller(app)))
