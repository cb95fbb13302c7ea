"""The Microsoft 365 Agents SDK's echo agent (its Python quickstart, trimmed), for comparison.

Run in the bench's own environment, not the project's: the SDK (``microsoft-agents-hosting-aiohttp`` 1.9) is
installed there by ``agents_python()`` in ``bench/common.py``. As the quickstart (``start_server.py`` and
``app.py``) writes it: an ``AgentApplication`` with ``MemoryStorage`` and a ``CloudAdapter``, behind
``jwt_authorization_middleware``, served by aiohttp on ``127.0.0.1:PORT/api/messages``; its one handler
answers every message with ``Echo: {text}``, which ``send_activity`` sends as a reply (``replyToId`` set) to
the conversation's ``serviceUrl``. The quickstart's ``MsalConnectionManager`` with an empty configuration is
replaced by the anonymous connection the SDK's own test scenarios use (``ConnectionManager`` with
``AnonymousTokenProvider`` and ``anonymous_allowed=True``): no token is checked inbound and none is fetched
outbound, as in our bot with ``CLUSTERBOT_ALLOW_NO_AUTH=1`` and the botbuilder echo bot with an empty app id.
Two small departures, neither of which makes the agent slower: handlers typed as aiohttp wants them (``202``
when the SDK returns no response), and the warning the SDK logs on every anonymous turn ("App ID is not
provided") silenced.

Run: ``~/.cache/clusterbot-bench/agents-venv/bin/python bench/agents_echo.py --port 8113``.
"""

from __future__ import annotations

import argparse
import logging

from aiohttp.web import Application, Request, Response, run_app
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    Authorization,
    ConnectionManager,
    MemoryStorage,
    TurnContext,
    TurnState,
)


def make_app() -> Application:
    """The quickstart's app: one agent, its adapter, the JWT middleware with an anonymous configuration."""
    anonymous = AgentAuthConfiguration(anonymous_allowed=True)
    connections = ConnectionManager(
        provider_factory=lambda _config: AnonymousTokenProvider(),
        connections_configurations={"SERVICE_CONNECTION": anonymous},
    )
    storage = MemoryStorage()
    adapter = CloudAdapter(connection_manager=connections)
    agent = AgentApplication[TurnState](
        storage=storage,
        adapter=adapter,
        authorization=Authorization(storage, connections),
    )

    @agent.activity("message")
    async def on_message(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(f"Echo: {context.activity.text}")

    async def entry_point(request: Request) -> Response:
        response = await start_agent_process(request, request.app["agent_app"], request.app["adapter"])
        return response if response is not None else Response(status=202)

    async def alive(_request: Request) -> Response:
        return Response(status=200)

    app = Application(middlewares=[jwt_authorization_middleware])
    app.router.add_post("/api/messages", entry_point)
    app.router.add_get("/api/messages", alive)
    app["agent_configuration"] = connections.get_default_connection_configuration()
    app["agent_app"] = agent
    app["adapter"] = adapter
    return app


def main() -> None:
    """Serve the agent until stopped."""
    # Anonymous, the SDK warns on every turn that it has no app id (its UserTokenClient); not what we measure.
    logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    run_app(make_app(), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
