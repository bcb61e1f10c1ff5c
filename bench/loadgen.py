"""A small asyncio load generator: HTTP/1.1 keep-alive connections over raw asyncio streams.

Deliberately thin (no HTTP library): on a 2-core machine the client shares the CPU with the server and
PostgreSQL, so every microsecond it spends is taken from what it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class HttpError(RuntimeError):
    pass


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
            self.writer = None

    async def post(self, path: str, body: bytes, token: str | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(body)}\r\n"
        )
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise HttpError("connection closed")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(parts)
        else:
            data = await self.reader.readexactly(length or 0)
        if close:
            await self.close()
        return status, data


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds per iteration
    errors: int = 0
    first_error: str | None = None
    load_before: float = 0.0
    load_after: float = 0.0

    def summary(self) -> dict[str, Any]:
        ms = [value * 1000 for value in self.latencies] or [float("nan")]
        return {
            "concurrency": self.concurrency,
            "iterations": len(self.latencies),
            "errors": self.errors,
            "first_error": self.first_error,
            "seconds": round(self.seconds, 2),
            "throughput_per_s": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(ms, 0.50), 2),
            "p95_ms": round(percentile(ms, 0.95), 2),
            "p99_ms": round(percentile(ms, 0.99), 2),
            "mean_ms": round(statistics.fmean(ms), 2),
            "loadavg_1min": [round(self.load_before, 2), round(self.load_after, 2)],
        }


Iteration = Callable[[Connection, int], Awaitable[None]]


async def run_load(
    host: str, port: int, iteration: Iteration, *, concurrency: int, duration: float, warmup: float = 0.5
) -> LoadResult:
    """`concurrency` clients, each on its own keep-alive connection, run `iteration` back to back for
    `warmup` + `duration` seconds (closed loop); iterations that complete after the warm-up are counted, and
    each client goes on until it has completed at least one (on a loaded machine a point takes longer)."""
    result = LoadResult(concurrency=concurrency, seconds=duration, load_before=os.getloadavg()[0])
    started = time.perf_counter()
    measure_from = started + warmup
    stop_at = measure_from + duration

    async def client(number: int) -> None:
        connection = Connection(host, port)
        counter = number * 1_000_000
        counted = 0
        try:
            while True:
                begin = time.perf_counter()
                if begin >= stop_at and counted:
                    return  # every client contributes at least one iteration, however slow the machine
                counter += 1
                try:
                    await iteration(connection, counter)
                except Exception as error:  # counted and reported, never hidden
                    result.errors += 1
                    result.first_error = result.first_error or f"{type(error).__name__}: {str(error)[:300]}"
                    await connection.close()
                    if time.perf_counter() >= stop_at:
                        return
                    continue
                end = time.perf_counter()
                if end >= measure_from:  # completed in the measured window (it may have started in the warm-up)
                    result.latencies.append(end - begin)
                    counted += 1
                    finished[0] = max(finished[0], end)
        finally:
            await connection.close()

    finished = [measure_from]
    await asyncio.gather(*(client(number) for number in range(concurrency)))
    # Throughput: iterations completed from the end of the warm-up to the last completion.
    result.seconds = max(finished[0] - measure_from, 1e-9)
    result.load_after = os.getloadavg()[0]
    return result
