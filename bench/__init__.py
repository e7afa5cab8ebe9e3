"""Benchmarks of Journease on the production stack (PostgreSQL, Redis, gunicorn, Celery).

Each figure is measured beside a reference for the layer underneath, in the same run on the same
machine, so that a ratio means something on a noisy shared machine. ``make bench`` runs it all;
``make bench-smoke`` runs the same code at the smallest size to prove it still works.
"""
