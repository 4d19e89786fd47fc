"""Seeing a running instance from outside: Prometheus metrics and structured (JSON) logs."""
