"""The pure parts of bench/bench_pages.py, its load generators and its report: what it
parses, computes and writes, and that its baselines never reach production. The load
generators and the page check against a local server are in
test_bench_load_generators.py. No timing is asserted here; the benchmark itself is
`make bench`."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.urls import Resolver404, get_resolver, resolve

from bench import loadgen, openloop, pages_report, procstat
from bench.bench_pages import QUEUE_TARGET, SCALES
from bench.pages_measure import Scenario, durations, open_loop_skip

WRK_OUTPUT = """Running 6s test @ http://127.0.0.1:8790
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.20ms  40.11ms   80.00%
  1900 requests in 6.00s, 1.20MB read
BENCH_JSON {"requests": 1900, "duration_us": 6000000, "bytes": 1258291, "errors": {"connect": 0, "read": 1, "write": 0, "status": 7, "timeout": 2}, "latency_us": {"min": 900, "max": 40110, "mean": 12310.5, "stdev": 3200.0, "p50": 12000, "p90": 15000, "p95": 17500, "p99": 30250}, "statuses": {"200": 1893, "500": 7}}
Requests/sec:    316.66
"""  # noqa: E501 - wrk's line as it prints it


# --- Parsing what the generators print ----------------------------------------------


def test_wrk_summary_is_parsed_into_milliseconds():
    result = loadgen.parse_wrk_output(WRK_OUTPUT, mode="max")

    assert result.mode == "max"
    assert result.requests == 1900
    assert result.duration_s == 6.0
    assert result.throughput == pytest.approx(1900 / 6)
    assert (result.p50, result.p95, result.p99, result.max) == (12.0, 17.5, 30.25, 40.11)
    assert result.mean == pytest.approx(12.3105)
    assert result.statuses == {"200": 1893, "500": 7}


def test_wrk_errors_are_answers_that_never_came_and_statuses_are_counted_apart():
    result = loadgen.parse_wrk_output(WRK_OUTPUT, mode="closed")

    # read 1 + timeout 2; the 7 answers with a 500 are not errors but unexpected answers.
    assert result.errors == 3
    assert result.unexpected(200) == 3 + 7
    assert result.unexpected(500) == 3 + 1893


def test_wrk_output_without_the_summary_line_is_refused():
    with pytest.raises(ValueError, match="no summary line"):
        loadgen.parse_wrk_output("unable to connect to 127.0.0.1:8790", mode="closed")


def test_wrk_run_with_nothing_answered_has_no_percentiles():
    line = WRK_OUTPUT.splitlines()[5].replace('"requests": 1900', '"requests": 0')
    result = loadgen.parse_wrk_output(line, mode="closed")

    assert result.requests == 0
    assert math.isnan(result.p95)
    assert result.throughput == 0


def test_openloop_summary_is_parsed():
    summary = openloop.summarise(
        rate=20,
        duration=2,
        scheduled=40,
        latencies_ms=[float(v) for v in range(1, 39)],
        statuses={200: 37, 302: 1},
        errors={"timeout": 1},
        dropped=1,
        lags_ms=[0.0] * 40,
        service_ms=[1.0] * 38,
        cpu_s=0.02,
    )
    text = "some start-up noise\n" + __import__("json").dumps(summary)

    result = loadgen.parse_openloop_output(text)

    assert result.mode == "open"
    assert result.offered_rate == 20
    assert result.requests == 38
    assert result.errors == 2  # the timeout and the dropped request
    assert result.unexpected(200) == 3
    assert result.p50 == pytest.approx(19.5)
    assert result.max == 38
    assert result.extra["scheduled"] == 40
    assert result.extra["generator_self_cpu_ms"] == pytest.approx(0.5)


# --- Arithmetic ------------------------------------------------------------------------


def test_quantile_interpolates_between_ranks():
    values = [10.0, 20.0, 30.0, 40.0]
    assert loadgen.quantile(values, 0.5) == 25
    assert loadgen.quantile(values, 0) == 10
    assert loadgen.quantile(values, 1) == 40
    assert loadgen.quantile([5.0], 0.99) == 5
    assert math.isnan(loadgen.quantile([], 0.5))


def test_ratio_of_throughputs():
    assert loadgen.ratio(37, 5000) == pytest.approx(0.0074)
    assert loadgen.ratio(40, 50) == pytest.approx(0.8)
    assert loadgen.ratio(1, 0) is None
    assert loadgen.ratio(None, 10) is None
    assert loadgen.ratio(1, math.nan) is None


def test_cpu_per_request():
    assert loadgen.per_request_ms(2.8, 100) == pytest.approx(28)
    assert loadgen.per_request_ms(1.0, 0) is None


def test_baselines_are_the_mean_of_the_runs_at_the_start_and_the_end():
    def scenario(key, throughput, app, db):
        result = loadgen.Result(mode="max", requests=int(throughput * 10), duration_s=10)
        result.extra.update(app_cpu_ms=app, db_cpu_ms=db)
        return SimpleNamespace(key=key, results={"max": result})

    scenarios = [
        scenario("baseline-json", 1000, 0.6, 0.0),
        scenario("queue", 10, 28.0, 4.0),
        scenario("baseline-json-end", 1200, 0.8, 0.0),
    ]

    assert pages_report.baseline_throughput(scenarios, "json") == pytest.approx(1100)
    assert pages_report.baseline_cpu(scenarios, "json") == pytest.approx(0.7)
    assert pages_report.baseline_throughput(scenarios, "drf") is None
    # The page's CPU ratio: the baseline's CPU a request over the page's (app + database).
    page = pages_report.cpu_per_request(scenarios[1].results["max"])
    assert loadgen.ratio(0.7, page) == pytest.approx(0.7 / 32)


def test_letters_name_numbers_without_digits():
    assert [loadgen.letters(n) for n in (0, 1, 25, 26, 27, 26 * 26)] == [
        "a",
        "b",
        "z",
        "ba",
        "bb",
        "baa",
    ]
    assert len({loadgen.letters(n) for n in range(5000)}) == 5000
    assert loadgen.fill('{"name": "Child{{n}}"}', 27) == '{"name": "Childbb"}'
    assert loadgen.fill(None, 3) is None


def test_verdicts_compare_in_the_right_direction():
    assert pages_report.verdict(40, 50) == "within"
    assert pages_report.verdict(60, 50) == "**over**"
    assert pages_report.verdict(0.9, 0.8, at_least=True) == "within"
    assert pages_report.verdict(0.5, 0.8, at_least=True) == "**under**"
    assert pages_report.verdict(None, 50) == ""
    assert pages_report.verdict(10, None) == ""


def test_a_slow_page_gets_longer_runs_but_never_more_than_four_times_the_scale():
    demo = SCALES["demo"]
    quick = durations(demo, first_s=0.01)
    slow = durations(demo, first_s=5)

    assert quick["closed"] == demo.closed_s
    assert slow["closed"] == 4 * demo.closed_s
    assert slow["warm"] == 4 * demo.warm_s
    assert slow["open"] == demo.open_s


def test_an_offered_rate_two_workers_cannot_serve_is_not_run():
    closed = loadgen.Result(mode="closed", requests=10, duration_s=10, mean=1000.0)
    assert "at most 2.0 a second" in open_loop_skip(20, closed)
    quick = loadgen.Result(mode="closed", requests=1000, duration_s=10, mean=10.0)
    assert open_loop_skip(20, quick) is None
    nothing = loadgen.Result(mode="closed", requests=0, duration_s=10)
    assert open_loop_skip(20, nothing)


def test_the_open_loop_schedule_is_even_and_bounded():
    assert openloop.schedule(4, 1) == [0, 0.25, 0.5, 0.75]
    assert len(openloop.schedule(20, 30)) == 600
    with pytest.raises(ValueError):
        openloop.schedule(0, 10)


def test_the_open_loop_reads_status_lines_and_writes_requests():
    assert openloop.status_of(b"HTTP/1.1 201 Created\r\nA: b\r\n\r\n") == 201
    assert openloop.status_of(b"garbage") is None
    assert openloop.status_of(b"") is None
    request = openloop.request_bytes(
        method="POST", host="127.0.0.1:1", path="/x/", headers=[("A", "b")], body="{}"
    )
    assert request.startswith(b"POST /x/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n")
    assert request.endswith(b"A: b\r\nContent-Length: 2\r\n\r\n{}")


# --- /proc ----------------------------------------------------------------------------


def test_proc_stat_line_with_spaces_and_parentheses_in_the_name():
    line = "4242 (gunicorn: (worker) x) S 4240 4240 4240 0 -1 4194560 9 0 0 0 150 25 0 0 20 0"
    assert procstat.parse_stat(line) == (4242, 4240, 175)


def test_machine_line_counts_idle_and_iowait_as_not_busy():
    text = "cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
    assert procstat.parse_machine(text) == (160, 1000)


def test_proc_stat_line_gives_the_cpu_of_the_children_waited_for():
    line = "4242 (postgres) S 1 4242 4242 0 -1 4194560 9 0 0 0 150 25 300 45 20 0"
    assert procstat.parse_reaped(line) == 345


def test_a_backend_that_ended_between_snapshots_is_counted_through_its_parent():
    before = procstat.Snapshot(
        workers={}, backends={10: 4.0, 11: 1.0}, machine_busy=0, machine_total=1,
        postmaster=9, reaped=100.0, postmaster_children={10: 4.0, 11: 1.0, 12: 7.0},
    )  # fmt: skip
    # 10 ended having spent 4.5 in all (0.5 in between); 13 started in between and is
    # still there; 14 started and ended in between, spending 0.25; 12 (autovacuum,
    # say) spent 1.0 and is still there.
    after = procstat.Snapshot(
        workers={}, backends={11: 1.5, 13: 0.75}, machine_busy=0, machine_total=1,
        postmaster=9, reaped=100.0 + 4.5 + 0.25, postmaster_children={11: 1.5, 12: 8.0, 13: 0.75},
    )  # fmt: skip
    assert procstat.ended_spent(before, after) == pytest.approx(0.75)
    assert procstat.database_spent(before, after) == pytest.approx(0.5 + 0.75 + 0.75)
    other_server = procstat.Snapshot(**{**after.__dict__, "postmaster": 8})
    assert procstat.ended_spent(before, other_server) == 0.0


def test_a_child_that_ends_is_counted_in_its_parents_reaped_cpu():
    """The kernel's own accounting, which database_spent relies on: this process plays
    the postmaster and a child that burns CPU and exits plays a replaced backend."""
    me = os.getpid()
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", "import time\nt = time.process_time()\n"
         "while time.process_time() - t < 0.3: pass\ninput()"],
        stdin=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(200):
            seconds = procstat.cpu_seconds(child.pid)
            if seconds and seconds >= 0.3:
                break
            time.sleep(0.02)
        before = procstat.take([], [child.pid], postmaster=me)
        assert child.pid in before.postmaster_children
        assert procstat.parent_of(child.pid) == me
    finally:
        child.communicate(b"\n", timeout=30)
    after = procstat.take([], [], postmaster=me)

    assert child.pid not in after.postmaster_children
    # It spent almost nothing between the snapshots (it was waiting on input).
    assert 0.0 <= procstat.ended_spent(before, after) < 0.2
    assert after.reaped - before.reaped >= 0.29


def test_cpu_spent_between_snapshots():
    before = {1: 2.0, 2: 5.0}
    after = {1: 2.5, 2: 5.25, 3: 0.5}  # 3 started in between
    assert procstat.spent(before, after) == pytest.approx(1.25)


# --- The report -----------------------------------------------------------------------


def test_a_run_replaces_only_its_own_scales_section():
    document = pages_report.replace_section("# Performance\n\nHand-written.\n", "demo", "old")
    document = pages_report.replace_section(document, "national", "national figures")
    document = pages_report.replace_section(document, "demo", "## new demo figures")

    assert document.startswith("# Performance\n\nHand-written.\n")
    assert "old" not in document
    assert document.count("## new demo figures") == 1
    assert "national figures" in document
    assert document.index("new demo figures") < document.index("national figures")


def test_long_select_lists_are_shortened_but_subqueries_kept():
    sql = (
        'SELECT "t"."a", "t"."b", "t"."c", "t"."d", "t"."e", (SELECT COUNT(*) FROM "u" '
        'WHERE "u"."t_id" = "t"."id") AS "n", "v"."x", "v"."y" FROM "t"'
    )
    short = pages_report.shorten_sql(sql)
    assert short.startswith('SELECT "t".<5 columns>, (SELECT COUNT(*) FROM "u"')
    assert '"v"."x", "v"."y" FROM "t"' in short


def test_long_plans_keep_their_summary():
    plan = [f"node {n}" for n in range(100)] + ["Planning Time: 1 ms", "Execution Time: 9 ms"]
    cut = pages_report.cut_plan(plan, keep=10)
    assert cut[:10] == plan[:10]
    assert cut[10] == "... (90 more lines of the plan)"
    assert cut[-2:] == ["Planning Time: 1 ms", "Execution Time: 9 ms"]


def test_the_queue_target_is_the_issues():
    assert (QUEUE_TARGET.closed_p95, QUEUE_TARGET.open_p95, QUEUE_TARGET.min_ratio) == (
        50,
        100,
        0.05,
    )
    scenario = Scenario("queue", "queue", "GET", ["/triage/"], "screener")
    assert scenario.modes == ("closed", "open", "max")


# --- The baselines never reach production ----------------------------------------------


def test_the_baselines_are_not_in_productions_urlconf():
    for path in ("/bench-baseline/json/", "/bench-baseline/insert/", "/bench-baseline/floor/"):
        with pytest.raises(Resolver404):
            resolve(path, urlconf="frontdoor.urls")
    assert resolve("/bench-baseline/json/", urlconf="bench.baseline.urls").url_name == (
        "bench-baseline-json"
    )
    assert resolve("/bench-baseline/floor/", urlconf="bench.baseline.urls").url_name == (
        "bench-baseline-floor"
    )


def test_no_view_of_productions_urlconf_comes_from_the_benchmarks():
    def views(resolver):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern)
            else:
                yield pattern.callback

    modules = {
        getattr(view, "__module__", "") or "" for view in views(get_resolver("frontdoor.urls"))
    }
    assert modules
    assert not [m for m in modules if m == "bench" or m.startswith("bench.")]


def test_the_benchmarks_settings_are_productions_with_the_baselines_added():
    from django.conf import settings as live

    import bench.baseline.settings as bench_settings
    import frontdoor.settings as production

    names = {n for n in dir(production) if n.isupper()}
    # A module-level helper in upper case with a leading underscore is read by Django as
    # a setting (Django asks only isupper()) but not copied by `import *`: none may exist.
    assert not [n for n in names if n.startswith("_")]
    differing = {n for n in names if getattr(production, n) != getattr(bench_settings, n)}

    assert differing == {"INSTALLED_APPS", "ROOT_URLCONF"}
    added = [app for app in bench_settings.INSTALLED_APPS if app not in production.INSTALLED_APPS]
    assert added == ["bench.baseline.apps.BaselineConfig"]
    assert not [app for app in live.INSTALLED_APPS if app.startswith("bench")]
    assert live.ROOT_URLCONF == "frontdoor.urls"
