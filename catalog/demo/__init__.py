"""Deterministic demo data for Tangerang Raya: word lists, product templates, placeholder photos,
the planner (plan.py, no database) and the writer (builder.py) behind `flask seed-demo`."""
