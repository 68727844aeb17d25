"""/v1/me (any role): who the key is, as the authorizer resolved it; no table read. The console asks
it to know whose queue to show."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from tickets.api.request import caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import enveloped, success
from tickets.models.responses import KeyIdentity

app = build_resolver()


@app.get(
    "/v1/me",
    summary="The calling key: its tenant, role and agent",
    responses={200: enveloped(KeyIdentity, "The key")},
)
def get_me() -> Response[str]:
    key = caller(app)
    return success(
        KeyIdentity(tenant_id=key.tenant_id, role=key.role, key_id=key.key_id, agent_id=key.agent_id)
    )
