"""bench/crosscheck, the independent measurement (issue 14): its percentiles agree with
loadgen.quantile's definition (the same definition, computed by sort and awk instead), it
reads what ``bench_pages.py --serve`` writes for it as written (labels with spaces, the
POST's body), and the script is valid bash (shellcheck-clean where shellcheck is
installed)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import bench_pages, loadgen, pages_serve, pages_subjects
from triage.screening_views import QUEUE_PAGE_SIZE

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crosscheck"


def crosscheck(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("count", [1, 2, 3, 10, 101, 997])
def test_its_percentiles_are_loadgens_quantiles(count):
    rng = random.Random(count)
    values = [round(rng.lognormvariate(3, 0.6), 3) for _ in range(count)]
    done = crosscheck("percentiles", stdin="".join(f"{v}\n" for v in values))
    assert done.returncode == 0, done.stderr
    p50, p95, p99 = (float(x) for x in done.stdout.split())
    for got, q in ((p50, 0.50), (p95, 0.95), (p99, 0.99)):
        assert got == pytest.approx(loadgen.quantile(values, q), abs=0.0005)


def test_percentiles_sort_numerically_not_as_text():
    done = crosscheck("percentiles", stdin="9\n10\n100\n2\n")
    assert done.stdout.split()[0] == "9.500"


def test_no_numbers_give_no_percentiles():
    assert crosscheck("percentiles", stdin="").stdout.split() == ["nan"] * 3


def subjects():
    def user(pk, username):
        return SimpleNamespace(pk=pk, username=username)

    return SimpleNamespace(
        users={
            "screener": user(7, "screener-7"),
            "manager": user(8, "bench-pages-manager"),
            "lead": user(9, "bench-pages-lead"),
            "referrer": user(10, "bench-pages-referrer"),
        },
        device_key=bytes(range(20)),
        busiest_agency=SimpleNamespace(pk=3, n=1000),
        concern="neglect",
        queue_count=1234,
        child_id=42,
        child_events=500,
        match_bodies=['{"first_name": "A"}'],
        referral_body=json.dumps(pages_subjects.REFERRAL_BODY),
        history_cursor="abc",
    )


def test_it_reads_the_scenarios_bench_pages_serves_it(tmp_path):
    people = subjects()
    conf = tmp_path / "crosscheck.conf"
    conf.write_text(
        pages_serve.crosscheck_conf(
            bench_pages.build_scenarios(people), people, "pass=word", "http://127.0.0.1:8651"
        )
    )
    done = crosscheck("--list", str(conf))
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert tuple(listed) == pages_serve.CROSSCHECK_KEYS
    pages = -(-people.queue_count // QUEUE_PAGE_SIZE)
    assert listed["queue-deep"].startswith(
        f"queue-deep GET screener 200 /triage/?page={pages} | queue, last page (page {pages}) |"
    )
    assert listed["queue-concern"].startswith("queue-concern GET screener 200 /triage/?concern=")
    assert listed["dashboard"].startswith("dashboard GET manager 200 /dashboard/ |")
    assert listed["chronology"].startswith("chronology GET screener 200 /children/42/ |")
    assert listed["queue"].endswith('| data-testid="queue" |  | json 0.05')
    # the queue's three pages are measured for throughput against the bare JSON view
    for key in ("queue", "queue-deep", "queue-concern"):
        assert listed[key].endswith("| json 0.05"), key
    for key in ("api-screener", "mine-lead", "chronology", "baseline-json", "baseline-drf"):
        assert listed[key].endswith("| "), key
    submit, label, marker, body, ratio = listed["submit"].split(" | ")
    assert marker == ""
    assert ratio == "drf 0.8"
    assert submit == "submit POST referrer-token 201 /api/v1/referrals/"
    assert label == "POST /api/v1/referrals/ (referrer, token)"
    sent = json.loads(body)
    assert loadgen.PLACEHOLDER not in body
    assert sent["child_last_name"].startswith("Child") and sent["concerns"]
    assert listed["baseline-drf"].startswith(
        "baseline-drf POST referrer-token 201 /bench-baseline/insert/"
    )


def test_it_measures_only_the_keys_asked_and_refuses_unknown_ones(tmp_path):
    people = subjects()
    conf = tmp_path / "crosscheck.conf"
    conf.write_text(
        pages_serve.crosscheck_conf(
            bench_pages.build_scenarios(people), people, "pw", "http://127.0.0.1:8651"
        )
    )
    done = crosscheck("--list", str(conf), "queue", "submit")
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["queue", "submit"]
    refused = crosscheck("--list", str(conf), "queue", "nonsense")
    assert refused.returncode == 2
    assert "no scenario nonsense" in refused.stderr


@pytest.mark.parametrize(
    ("rps", "base", "share", "bad", "expected"),
    [
        ("100", "2000", "0.05", "0", "met"),
        ("99.9", "2000", "0.05", "0", "missed"),
        ("300", "400", "0.8", "0", "missed"),
        ("320", "400", "0.8", "0", "met"),
        ("320", "400", "0.8", "3", "answers not as expected"),
        ("320", "0", "0.8", "0", "no baseline"),
    ],
)
def test_the_verdict_is_the_share_of_the_baseline(rps, base, share, bad, expected):
    done = crosscheck("verdict", rps, base, share, bad)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_a_ratio_line_it_cannot_read_is_refused(tmp_path):
    conf = tmp_path / "crosscheck.conf"
    conf.write_text(
        "base_url=http://127.0.0.1:1\npassword=x\n"
        "scenario=queue GET screener 200 /triage/ queue\nratio=json half\n"
    )
    refused = crosscheck("--list", str(conf))
    assert refused.returncode == 2
    assert "ratio 'json half'" in refused.stderr


def test_the_script_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0  # noqa: S607


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_script_is_shellcheck_clean():
    done = subprocess.run(  # noqa: S603
        [shutil.which("shellcheck"), str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout
