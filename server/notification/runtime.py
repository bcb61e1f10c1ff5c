"""The notification machinery of one server process: the LISTEN bus, the dispatcher and the timer loop,
started and stopped with the application (server/app.py lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from notifications import digest, outbox, timers
from notifications.bus import Bus
from notifications.dispatcher import Dispatcher
from notifications.timers import Clock, system_clock
from server.access.enforcer import PolicyEnforcer
from server.config import Settings
from server.db.engine import SessionFactory
from server.notification import audience
from server.notification import service as notification_service
from server.notification.sockets import SignedInSockets


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as a plain libpq-style DSN for the bus's own asyncpg connection."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class NotificationRuntime:
    def __init__(
        self,
        settings: Settings,
        database_url: str,
        sessions: SessionFactory,
        enforcer: PolicyEnforcer,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.enforcer = enforcer
        self.digest_schedule = digest.Schedule(settings.digest_time, ZoneInfo(settings.digest_timezone))
        self.dispatcher = Dispatcher(
            sessions,
            recipients=audience.recipients,
            payloads=audience.payload_filter(enforcer),
            prepare=audience.batch_preparer(enforcer),
        )
        self.sockets = SignedInSockets(sessions)
        self.bus = Bus(
            asyncpg_dsn(database_url),
            on_outbox=self._outbox_notice,
            on_revoked=self.sockets.revoked,
            on_listening=self.sockets.sweep,
            admit=notification_service.fan_out_check(enforcer, sessions, self.sockets),
            queue_size=settings.notification_queue_size,
            probe_interval=settings.notification_probe_seconds,
        )
        self._tasks: list[asyncio.Task] = []

    def _outbox_notice(self, notice: str | None) -> None:
        if notice is None or outbox.sent_here(notice):
            self.dispatcher.woken()
        else:
            self.dispatcher.woken_elsewhere()

    async def start(self) -> None:
        await self.bus.start()
        self._tasks = [
            asyncio.create_task(
                self.dispatcher.run(poll_interval=self.settings.notification_poll_seconds),
                name="notification-dispatcher",
            ),
            asyncio.create_task(
                timers.run(self.sessions, clock=self.clock, interval=self.settings.timer_interval_seconds),
                name="notification-timers",
            ),
            asyncio.create_task(
                digest.run(
                    self.sessions,
                    schedule=self.digest_schedule,
                    visible=audience.digest_filter(self.enforcer),
                    clock=self.clock,
                    interval=self.settings.digest_check_seconds,
                ),
                name="notification-digest",
            ),
            asyncio.create_task(
                self.sockets.run(interval=self.settings.notification_probe_seconds), name="notification-sign-ins"
            ),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.bus.stop()
