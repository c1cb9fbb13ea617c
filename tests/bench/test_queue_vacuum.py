"""bench/queue_vacuum.py: the heap fetches it reports are the whole plan's (a count's
index-only scan sits under its Aggregate), and it refuses a database not named for
benchmarks, as it writes."""

from __future__ import annotations

import sys

import pytest

from bench import queue_vacuum


def test_heap_fetches_are_summed_over_the_whole_plan():
    plan = {
        "Node Type": "Aggregate",
        "Plans": [
            {"Node Type": "Index Only Scan", "Heap Fetches": 905, "Plans": []},
            {
                "Node Type": "Limit",
                "Plans": [{"Node Type": "Index Only Scan", "Heap Fetches": 7}],
            },
        ],
    }

    assert queue_vacuum.heap_fetches(plan) == 912
    assert queue_vacuum.heap_fetches({"Node Type": "Seq Scan"}) == 0


def test_a_database_not_named_for_benchmarks_is_refused(monkeypatch, capsys):
    url = "postgres://postgres@127.0.0.1:5432/frontdoor"
    monkeypatch.setattr(sys, "argv", ["queue_vacuum.py", "--database", url])

    with pytest.raises(SystemExit):
        queue_vacuum.arguments()

    assert "bench" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["queue_vacuum.py", "--database", url + "_bench_x"])
    assert queue_vacuum.arguments().database.endswith("frontdoor_bench_x")
