"""What the running application holds for its whole life."""

from __future__ import annotations

from dataclasses import dataclass

import casbin
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from server.config import Settings
from server.db.engine import SessionFactory
from server.notification.runtime import NotificationRuntime


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    enforcer: casbin.Enforcer
    schema: strawberry.Schema
    notifications: NotificationRuntime
