"""The notification machinery (notifications/) of one server process, wired with TAF's answers: who
must know of an event and who may be told (audience.py), what each subscriber may receive (live.py) and
which sockets a sign-out closes (sockets.py). The LISTEN bus, the dispatcher on its own thread, the timer
loop and the digest start and stop with the application (server/app.py lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from notifications import digest, outbox, timers
from notifications.bus import Bus
from notifications.dispatcher import Dispatcher, DispatchThread, Fanout
from notifications.timers import Clock, system_clock
from server.access.enforcer import PolicyEnforcer
from server.config import Settings
from server.db.engine import SessionFactory, create_engine, create_session_factory
from server.inbox import audience, live
from server.inbox.sockets import SignedInSockets


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
        # Who must know of an event and who may be told: used by mutations, which dispatch their own events
        # before they commit, and by the background dispatcher, which takes every other event.
        fanout = self.fanout = Fanout(
            recipients=audience.recipients,
            told=audience.told(enforcer),
            prepare=audience.batch_preparer(enforcer),
        )

        def build_dispatcher() -> tuple[Dispatcher, Callable[[], Awaitable[None]]]:
            engine = create_engine(database_url, pool_size=2)
            dispatcher = Dispatcher(
                create_session_factory(engine), recipients=fanout.recipients, told=fanout.told, prepare=fanout.prepare
            )
            return dispatcher, engine.dispose

        self.dispatch = DispatchThread(build_dispatcher, poll_interval=settings.notification_poll_seconds)
        self.sockets = SignedInSockets(sessions)
        self.bus = Bus(
            asyncpg_dsn(database_url),
            on_outbox=self._outbox_notice,
            on_revoked=self.sockets.revoked,
            on_listening=self.sockets.sweep,
            admit=live.fan_out_check(enforcer, sessions, self.sockets),
            queue_size=settings.notification_queue_size,
            probe_interval=settings.notification_probe_seconds,
        )
        self._tasks: list[asyncio.Task] = []

    def _outbox_notice(self, notice: str | None) -> None:
        if notice is None or outbox.sent_here(notice):
            self.dispatch.call(Dispatcher.woken)
        else:
            self.dispatch.call(Dispatcher.woken_elsewhere)

    async def start(self) -> None:
        await asyncio.to_thread(self.dispatch.start)
        await self.bus.start()
        self._tasks = [
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
        await asyncio.to_thread(self.dispatch.stop)
