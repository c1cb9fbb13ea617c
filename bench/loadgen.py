"""Load generation for bench/bench_pages.py: wrk for the closed loop and the maximum
throughput, bench/openloop.py for a fixed offered rate; and the pure parts of both (the
wrk script, parsing what it prints, percentiles, ratios), which the tests check.

Why these (docs/PERFORMANCE.md, "How it measures"): the machine has two cores that the
server under test needs, so the generator must cost little CPU a request. wrk (Debian's
package, C, epoll) costs a few microseconds of CPU a request, but it is a closed loop: a
connection sends its next request only when the last one has come back, so under load it
sends less and never sees the requests a stall held back (coordinated omission). Its
open-loop fork wrk2, and vegeta, are not in Debian; locust is a closed loop as well and
costs far more CPU a request (Python). So the offered-rate runs use bench/openloop.py:
requests start on a fixed schedule whatever the server is doing, and each latency is
counted from the time the request was due to start, not from when it was sent.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "BENCH_JSON "
PLACEHOLDER = "{{n}}"


# --- Figures ----------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between the closest ranks; NaN for
    no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value / baseline, or None when either is missing or the baseline is not positive."""
    if value is None or baseline is None or baseline <= 0 or math.isnan(baseline):
        return None
    if math.isnan(value):
        return None
    return value / baseline


def per_request_ms(cpu_seconds: float, requests: int) -> float | None:
    """Milliseconds of CPU a request, or None when no request completed."""
    if requests <= 0:
        return None
    return cpu_seconds * 1000 / requests


def letters(n: int) -> str:
    """A non-negative number as lower-case letters (0 -> "a", 25 -> "z", 26 -> "ba"):
    names in request bodies vary without digits, which name fields refuse. The wrk
    script's Lua function of the same name gives the same answers."""
    if n < 0:
        raise ValueError("n must not be negative")
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
        if n == 0:
            return out


def fill(template: str | None, n: int) -> str | None:
    """A request body with the placeholder replaced by ``letters(n)``."""
    return None if template is None else template.replace(PLACEHOLDER, letters(n))


@dataclass
class Result:
    """One load run, whichever generator made it. Latencies in milliseconds."""

    mode: str  # "closed" (one client), "open" (fixed offered rate) or "max"
    requests: int  # completed with an HTTP answer
    duration_s: float
    p50: float = math.nan
    p90: float = math.nan
    p95: float = math.nan
    p99: float = math.nan
    max: float = math.nan
    mean: float = math.nan
    errors: int = 0  # no HTTP answer: refused, reset, timed out, dropped
    statuses: dict[str, int] = field(default_factory=dict)
    offered_rate: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    def unexpected(self, expected: int) -> int:
        """Answers with another status than ``expected``, and errors."""
        return self.errors + sum(n for s, n in self.statuses.items() if int(s) != expected)


# --- wrk --------------------------------------------------------------------------------


def lua_string(text: str) -> str:
    """A Lua string literal of ``text``."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def wrk_script(
    *,
    method: str,
    paths: list[str],
    headers: dict[str, str],
    bodies: list[str] | None = None,
    number_base: int = 0,
) -> str:
    """A wrk script that cycles through ``paths`` (and ``bodies`` with them, the
    placeholder filled with letters for a number unique to the request, from
    ``number_base`` up), counts the answers by status
    and prints the summary as one JSON line after MARKER."""
    if not paths:
        raise ValueError("at least one path")
    header_items = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
    body_items = ", ".join(lua_string(b) for b in bodies) if bodies else ""
    return f"""-- Written by bench/loadgen.py for one run of bench/bench_pages.py.
paths = {{ {", ".join(lua_string(p) for p in paths)} }}
bodies = {{ {body_items} }}
method = {lua_string(method)}
headers = {{ {header_items} }}
thread_index = 0
number_base = {int(number_base)}
counter = 0
statuses = {{}}
threads = {{}}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function letters(n)
  local s = ""
  repeat
    s = string.char(97 + n % 26) .. s
    n = math.floor(n / 26)
  until n == 0
  return s
end

function request()
  counter = counter + 1
  local i = (counter - 1) % #paths + 1
  local body = nil
  if #bodies > 0 then
    local name = letters(number_base + thread_index * 100000000 + counter)
    body = string.gsub(bodies[(counter - 1) % #bodies + 1], "{{{{n}}}}", name)
  end
  return wrk.format(method, paths[i], headers, body)
end

function response(status, response_headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {{}}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    if seen then
      for code, n in pairs(seen) do counts[code] = (counts[code] or 0) + n end
    end
  end
  local parts = {{}}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    '{MARKER}{{"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"errors": {{"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}, '
    .. '"latency_us": {{"min": %d, "max": %d, "mean": %.1f, "stdev": %.1f, '
    .. '"p50": %d, "p90": %d, "p95": %d, "p99": %d}}, "statuses": {{%s}}}}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), table.concat(parts, ", ")))
end
"""


def parse_wrk_output(text: str, *, mode: str) -> Result:
    """The Result in what wrk printed with a script from wrk_script (ValueError if it
    printed none). wrk's own error counts include answers that were not 2xx or 3xx; those
    are counted here by status instead, so ``errors`` is answers that never came."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise ValueError("wrk printed no summary line: " + text[-500:])
    errors = data["errors"]
    latency = data["latency_us"]
    requests = data["requests"]
    answered = requests > 0

    def ms(key: str) -> float:
        return latency[key] / 1000 if answered else math.nan

    return Result(
        mode=mode,
        requests=requests,
        duration_s=data["duration_us"] / 1_000_000,
        p50=ms("p50"),
        p90=ms("p90"),
        p95=ms("p95"),
        p99=ms("p99"),
        max=ms("max"),
        mean=ms("mean"),
        errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        statuses={str(k): v for k, v in data["statuses"].items()},
        extra={"bytes": data["bytes"]},
    )


def run_wrk(
    *,
    url: str,
    script: str,
    workdir: Path,
    connections: int,
    seconds: float,
    mode: str,
    timeout_s: int = 60,
) -> Result:
    path = workdir / "wrk.lua"
    path.write_text(script)
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        f"{timeout_s}s",
        "--script",
        str(path),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-500:]}")
    return parse_wrk_output(done.stdout, mode=mode)


# --- bench/openloop.py ------------------------------------------------------------------


def parse_openloop_output(text: str) -> Result:
    """The Result in the JSON bench/openloop.py printed."""
    data = json.loads(text.strip().splitlines()[-1])
    latency = data["latency_ms"]
    return Result(
        mode="open",
        requests=data["answered"],
        duration_s=data["duration_s"],
        p50=latency["p50"],
        p90=latency["p90"],
        p95=latency["p95"],
        p99=latency["p99"],
        max=latency["max"],
        mean=latency["mean"],
        errors=sum(data["errors"].values()) + data["dropped"],
        statuses=data["statuses"],
        offered_rate=data["rate"],
        extra={
            "scheduled": data["scheduled"],
            "dropped": data["dropped"],
            "start_lag_ms": data["start_lag_ms"],
            "errors": data["errors"],
            "service_ms": data.get("service_ms"),
            "generator_self_cpu_ms": data.get("cpu_ms_per_request"),
        },
    )
