"""Synthetic demo data and the ``seed_demo`` command: never in production."""
