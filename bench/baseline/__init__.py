"""Baselines for bench/bench_pages.py, served only by the benchmark.

A bare Django view that answers a small JSON, and a bare DRF view that inserts one row
with the project's token authentication (knox): what the pages' figures are set against,
served by the same gunicorn, through the same middleware and settings, in the same run.

They exist only under the benchmark's own settings (``bench.baseline.settings``, which
adds this app and swaps in ``bench.baseline.urls``). Production's settings do not list
this app and ``frontdoor.urls`` does not route to it (tests/benchmarks/test_bench_pages.py
checks both, and import-linter forbids the apps to import ``bench``).
"""
