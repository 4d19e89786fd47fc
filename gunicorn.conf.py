"""gunicorn settings for Katalog UMKM: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (GUNICORN_*), so the same file serves a 2-core
VM and a 16-core host. docs/deploy.md explains the numbers.
"""

import multiprocessing
import os
import sys

# Sync workers: bench/http.py measured them ahead of threads on template-heavy pages on 2 cores
# (Python holds the GIL while Jinja renders). One worker per core plus one keeps a core busy while
# another worker waits on PostgreSQL; a few threads each absorb slow clients and file uploads.
_cores = multiprocessing.cpu_count()
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", _cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread" if threads > 1 else "sync"

# A request that runs past `timeout` gets its worker killed and replaced (a stuck query must not
# hold a worker forever); PDF and CSV exports finish well inside 60 s. graceful_timeout lets
# in-flight requests finish on a reload or deploy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))  # nginx keeps upstream connections open

# Recycle workers now and then (with jitter, so they do not all restart at once) to bound the
# growth of a long-running Python process.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 500))

# The access log on stdout in one line per request with the request id nginx passed on (the same
# id lands in the application's JSON logs and in audit events).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s ua="%(a)s"'

# Only the proxy in front may set X-Forwarded-For/-Proto (comma-separated list of its addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's control socket (gunicornc) defaults to one path per user: two instances on one host
# would take it over from each other. Off unless an instance is given a path of its own.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
if not control_socket:
    del control_socket

# The app is built in each worker, not in the master: a worker then opens its own database
# connections (a pool must never be shared across fork).
preload_app = False


def on_starting(server):
    """Before any worker forks: refuse to serve on a missing secret, an unreachable database,
    migrations behind head or a Redis that is configured but down, with one line and exit 1."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from catalog.startup import check_or_exit

    check_or_exit()
    from catalog.observability import metrics

    metrics.prepare_multiprocess_dir()


def child_exit(server, worker):
    # Prometheus multi-process mode: forget a dead worker's live gauges.
    from catalog.observability import metrics

    metrics.mark_process_dead(worker.pid)
