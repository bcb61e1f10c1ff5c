"""What the running application holds for its whole life."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from server.access.enforcer import PolicyEnforcer
from server.config import Settings
from server.db.driver import DriverConnections
from server.db.engine import SessionFactory
from server.inbox.runtime import NotificationRuntime
from server.sso.client import ProviderClient


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    token_check: DriverConnections  # the connections every signed-in request's token check runs on
    sessions: SessionFactory
    enforcer: PolicyEnforcer
    schema: strawberry.Schema
    notifications: NotificationRuntime
    sso_clients: dict[str, ProviderClient]  # by provider id: one client (and its caches) per provider
