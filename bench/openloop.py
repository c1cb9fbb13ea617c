"""An open-loop HTTP load generator: requests start at a fixed offered rate, whatever the
server is doing, and each latency is counted from the moment its request was due to
start (so a stall is charged to every request it held back: no coordinated omission).

    python bench/openloop.py --url http://127.0.0.1:8000 --rate 20 --duration 30 \\
        --path /triage/ --header 'Cookie: ...' [--method POST --body '{"x": "{{n}}"}']

Each request is a new connection with ``Connection: close`` (gunicorn's sync workers
close every connection after one answer anyway), read to the end. At most
--max-in-flight are open at once; a request due when that many are open is not sent and
is counted as dropped (never sent late in a burst). Prints one JSON line: the schedule,
answers by status, errors, and the latency percentiles in milliseconds, and how late the
generator itself started requests (start_lag_ms: if that is large, the generator was
starved of CPU and its figures overstate the server's latency).

Used by bench/bench_pages.py; only the standard library.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import fill, quantile  # noqa: E402

SPIN = 0.001  # seconds before a request is due that the generator stops sleeping


def schedule(rate: float, duration: float) -> list[float]:
    """Offsets in seconds from the start at which each request is due: evenly spaced at
    ``rate`` a second over ``duration`` seconds."""
    if rate <= 0 or duration <= 0:
        raise ValueError("rate and duration must be positive")
    return [i / rate for i in range(int(rate * duration))]


def request_bytes(
    *, method: str, host: str, path: str, headers: list[tuple[str, str]], body: str | None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers]
    payload = (body or "").encode()
    if body is not None:
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def status_of(answer: bytes) -> int | None:
    """The status code on an HTTP/1.x answer's first line, or None."""
    first = answer.split(b"\r\n", 1)[0].split()
    if len(first) >= 2 and first[0].startswith(b"HTTP/") and first[1].isdigit():
        return int(first[1])
    return None


def summarise(
    *,
    rate: float,
    duration: float,
    scheduled: int,
    latencies_ms: list[float],
    statuses: dict[int, int],
    errors: dict[str, int],
    dropped: int,
    lags_ms: list[float],
    service_ms: list[float] | None = None,
    cpu_s: float | None = None,
) -> dict:
    def figures(values: list[float]) -> dict:
        return {
            "p50": quantile(values, 0.5),
            "p90": quantile(values, 0.9),
            "p95": quantile(values, 0.95),
            "p99": quantile(values, 0.99),
            "max": max(values) if values else float("nan"),
            "mean": sum(values) / len(values) if values else float("nan"),
        }

    return {
        "rate": rate,
        "duration_s": duration,
        "scheduled": scheduled,
        "answered": len(latencies_ms),
        "dropped": dropped,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors,
        "latency_ms": figures(latencies_ms),
        # From the moment each request was sent (not when it was due): what a closed
        # loop would have seen of the same requests.
        "service_ms": figures(service_ms or []),
        # The generator's own CPU over the schedule (not its start-up), a request sent.
        "cpu_ms_per_request": (
            cpu_s * 1000 / scheduled if cpu_s is not None and scheduled else None
        ),
        "start_lag_ms": {
            "p50": quantile(lags_ms, 0.5),
            "p99": quantile(lags_ms, 0.99),
            "max": max(lags_ms) if lags_ms else float("nan"),
        },
    }


async def run(args) -> dict:  # noqa: C901, PLR0915 - one loop, kept together
    target = urlsplit(args.url)
    host, port = target.hostname, target.port or 80
    headers = [tuple(h.split(": ", 1)) for h in args.header]
    paths = args.path
    bodies = args.body or [None]
    loop = asyncio.get_running_loop()
    offsets = schedule(args.rate, args.duration)
    latencies: list[float] = []
    service: list[float] = []
    lags: list[float] = []
    statuses: dict[int, int] = {}
    errors: dict[str, int] = {}
    dropped = 0
    in_flight = 0
    tasks: set[asyncio.Task] = set()

    async def one(n: int, due: float) -> None:
        nonlocal in_flight
        payload = request_bytes(
            method=args.method,
            host=f"{host}:{port}",
            path=paths[n % len(paths)],
            headers=headers,
            body=fill(bodies[n % len(bodies)], args.number_base + n),
        )
        writer = None
        sent = loop.time()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), args.timeout
            )
            writer.write(payload)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), args.timeout)
            finished = loop.time()
            status = status_of(answer)
            if status is None:
                errors["no_status"] = errors.get("no_status", 0) + 1
            else:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append((finished - due) * 1000)
                service.append((finished - sent) * 1000)
        except TimeoutError:
            errors["timeout"] = errors.get("timeout", 0) + 1
        except OSError as exc:
            kind = type(exc).__name__
            errors[kind] = errors.get(kind, 0) + 1
        finally:
            in_flight -= 1
            if writer is not None:
                writer.close()

    cpu_start = _cpu()
    start = loop.time() + 0.05
    for n, offset in enumerate(offsets):
        due = start + offset
        delay = due - loop.time()
        if delay > SPIN:
            await asyncio.sleep(delay - SPIN)
        # The event loop's timer wakes up to a millisecond late: wait out the rest here,
        # so that the request starts on time and its latency is the server's.
        while loop.time() < due:
            pass
        lags.append(max(0.0, loop.time() - due) * 1000)
        if in_flight >= args.max_in_flight:
            dropped += 1
            continue
        in_flight += 1
        task = asyncio.create_task(one(n, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(list(tasks))
    cpu = _cpu() - cpu_start
    return summarise(
        rate=args.rate,
        duration=args.duration,
        scheduled=len(offsets),
        latencies_ms=latencies,
        statuses=statuses,
        errors=errors,
        dropped=dropped,
        lags_ms=lags,
        service_ms=service,
        cpu_s=cpu,
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="http://host:port")
    parser.add_argument("--rate", type=float, required=True, help="requests a second")
    parser.add_argument("--duration", type=float, required=True, help="seconds")
    parser.add_argument("--path", action="append", required=True, help="cycled in turn")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument(
        "--body", action="append", help="cycled in turn; {{n}} becomes letters unique to it"
    )
    parser.add_argument("--number-base", type=int, default=0, help="first {{n}} number")
    parser.add_argument("--max-in-flight", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a request")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
