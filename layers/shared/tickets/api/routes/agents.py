"""/v1/agents: create or replace an agent, change some of its fields, list the team with its load."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import TypeAdapter

from tickets.api.http import (
    agent_service,
    build_resolver,
    caller,
    enveloped,
    path_value,
    reject_unknown_query,
    success,
)
from tickets.models.domain import Agent
from tickets.models.requests import ListAgentsQuery, PatchAgentRequest, PutAgentRequest
from tickets.models.responses import SuccessEnvelope
from tickets.models.types import AgentId

app = build_resolver()
# The route sees the raw path segment (an "@" arrives as %40); the id is checked once decoded.
RawAgentId = Annotated[str, Path(min_length=1, max_length=3 * 128)]
AGENT_ID: TypeAdapter[str] = TypeAdapter(AgentId)


def _agent_id(raw: str) -> str:
    return path_value(raw, AGENT_ID, "agentId")


@app.put(
    "/v1/agents/<agentId>",
    summary="Create or replace an agent",
    responses={200: enveloped(Agent, "Replaced"), 201: enveloped(Agent, "Created")},
)
def put_agent(
    agentId: RawAgentId,
    request: Annotated[PutAgentRequest, Body(embed=False)],
) -> Response[str]:
    agent, created = agent_service().put(caller(app), _agent_id(agentId), request)
    return success(agent, HTTPStatus.CREATED if created else HTTPStatus.OK)


@app.patch(
    "/v1/agents/<agentId>",
    summary="Change some of an agent's fields (e.g. availability)",
    responses={200: enveloped(Agent, "The changed agent")},
)
def patch_agent(
    agentId: RawAgentId,
    request: Annotated[PatchAgentRequest, Body(embed=False)],
) -> Response[str]:
    return success(agent_service().patch(caller(app), _agent_id(agentId), request))


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
