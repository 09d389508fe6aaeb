"""Benchmarks (not tests). ``python -m bench [NAME ...]`` or ``make bench``.

Each benchmark is a module ``bench/bench_<name>.py`` with ``run() -> dict``; the runner writes
its figures, with the machine and commit they were measured on, to
``bench/results/<name>.json``. Goals live here, never in timed tests.
"""
