"""Prometheus metrics. Under gunicorn every worker is its own process, so the client library's
multi-process mode (files in PROMETHEUS_MULTIPROC_DIR) adds their counts up for /metrics.

prometheus_client decides at import time whether values live in memory or in those files, so
nothing here imports it at module level: gunicorn's master builds an app (catalog/startup.py)
before on_starting sets the directory, and a worker forked from a master that had imported the
library would count in memory that no scrape ever reads.
"""

import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, g, request

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Requests no URL rule matched (404s, 405s): one label for all of them, so a scanner trying
# random paths cannot create unbounded series.
UNMATCHED = "unmatched"

log = logging.getLogger(__name__)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def prepare_multiprocess_dir() -> None:
    """In gunicorn's master before workers fork: give the workers an empty directory to share
    (a default one under /tmp when the operator set none). Left-over files of an earlier run would
    add its counts to this one's, so the directory is emptied first."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        path = tempfile.mkdtemp(prefix="katalog-metrics-")
        os.environ[MULTIPROC_ENV] = path
    directory = Path(path)
    if directory.exists():
        for entry in directory.glob("*.db"):
            entry.unlink()
    else:
        directory.mkdir(parents=True)


def mark_process_dead(pid: int) -> None:
    """A worker exited: drop its live gauges (counters stay, as Prometheus expects)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def remove_multiprocess_dir() -> None:
    """For tests that made a directory of their own."""
    path = os.environ.get(MULTIPROC_ENV)
    if path and Path(path).name.startswith("katalog-metrics-"):
        shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class Instruments:
    requests: object  # Counter http_requests_total{endpoint,method,status}
    duration: object  # Histogram http_request_duration_seconds{endpoint}


_instruments: Instruments | None = None
_lock = threading.Lock()


def instruments() -> Instruments:
    """The request counter and histogram, made once per process on first use (see the module
    docstring for why not at import)."""
    global _instruments
    if _instruments is None:
        with _lock:
            if _instruments is None:
                from prometheus_client import Counter, Histogram, values

                if multiprocess_mode() and values.ValueClass is values.MutexValue:
                    # Imported before the directory was set (a hook or library of the master):
                    # choose again, or this worker's counts would never reach a scrape.
                    values.ValueClass = values.get_value_class()
                _instruments = Instruments(
                    requests=Counter("http_requests", "HTTP requests answered, by Flask endpoint, method and status",
                                     ["endpoint", "method", "status"]),
                    duration=Histogram("http_request_duration_seconds", "Time to answer a request, by Flask endpoint",
                                       ["endpoint"]),
                )
    return _instruments


def init_app(app: Flask) -> None:
    """Count and time every request (the app's own hooks, so 404s and 500s count too)."""
    app.before_request(_start_timer)
    app.after_request(_observe)


def _start_timer() -> None:
    g._metrics_started = time.perf_counter()


def _observe(response):
    try:
        endpoint = request.endpoint or UNMATCHED
        found = instruments()
        found.requests.labels(endpoint, request.method, str(response.status_code)).inc()
        started = g.get("_metrics_started")
        if started is not None:
            found.duration.labels(endpoint).observe(time.perf_counter() - started)
    except Exception:  # noqa: BLE001  (a metric that cannot be written must not cost the user the page)
        log.warning("could not record request metrics", exc_info=True)
    return response


class _Together:
    """Several collectors exposed as one (generate_latest only calls .collect())."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def exposition() -> tuple[bytes, str]:
    """The text /metrics answers and its content type: the request metrics of this process, or of
    every worker in multi-process mode, and the figures read from the database and queues now."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    from catalog.observability.gauges import ScrapeTimeCollector

    instruments()  # the series' HELP and TYPE lines exist before the first request is counted
    if multiprocess_mode():
        from prometheus_client import multiprocess

        # A fresh registry per scrape, as the library asks: the process registry holds this
        # worker's own values only.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(_Together(registry, ScrapeTimeCollector())), CONTENT_TYPE_LATEST
