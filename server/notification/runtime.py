"""The notification machinery of one server process: the LISTEN bus, the dispatcher and the timer loop,
started and stopped with the application (server/app.py lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from notifications import digest, outbox, timers
from notifications.bus import Bus
from notifications.dispatcher import Dispatcher, Fanout
from notifications.timers import Clock, system_clock
from server.access.enforcer import PolicyEnforcer
from server.config import Settings
from server.db.engine import SessionFactory, create_engine, create_session_factory
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
        # Who must know of an event and who may be told: used by mutations, which dispatch their own events
        # before they commit, and by the background dispatcher, which takes every other event.
        fanout = self.fanout = Fanout(
            recipients=audience.recipients,
            told=audience.told(enforcer),
            prepare=audience.batch_preparer(enforcer),
        )
        self.dispatch = DispatchThread(
            database_url,
            lambda dispatch_sessions: Dispatcher(
                dispatch_sessions, recipients=fanout.recipients, told=fanout.told, prepare=fanout.prepare
            ),
            poll_interval=settings.notification_poll_seconds,
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


class DispatchThread:
    """The dispatcher on an event loop of its own, in a thread of its own, with its own small pool.

    Why: on an instance busy serving requests, each of the dispatcher's awaits (about ten statements per
    batch) waited behind every request callback queued on the shared loop. In a burst of mutations that
    wait was most of the time from a commit to its notifications (measured: about 80 of 100 ms at the
    median). On its own loop, PostgreSQL's answer resumes the dispatcher as soon as the interpreter lock
    is free, whatever the request loop has queued. The policy checks it runs read the shared enforcer,
    which no request writes to.
    """

    def __init__(
        self, database_url: str, build: Callable[[SessionFactory], Dispatcher], *, poll_interval: float
    ) -> None:
        self.database_url = database_url
        self.build = build
        self.poll_interval = poll_interval
        self.dispatcher: Dispatcher | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), name="taf-dispatcher", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)

    def call(self, method: Callable[[Dispatcher], None]) -> None:
        """Run a (non-blocking) Dispatcher method on the dispatcher's loop; safe from any thread."""
        if self._loop is not None and self.dispatcher is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: stopping
                self._loop.call_soon_threadsafe(method, self.dispatcher)

    def stop(self) -> None:
        if self._loop is not None and self._task is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not None:
            self._thread.join(timeout=30)

    async def _run(self) -> None:
        engine = create_engine(self.database_url, pool_size=2)
        self.dispatcher = self.build(create_session_factory(engine))
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        self._ready.set()
        try:
            await self.dispatcher.run(poll_interval=self.poll_interval)
        except asyncio.CancelledError:
            pass
        finally:
            await engine.dispose()
