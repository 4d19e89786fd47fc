"""Running a job: on RQ when REDIS_URL is set, inline (right now, in the current app context)
otherwise. Both modes retry a failing job JOB_RETRIES times and then record one JobFailure
(catalog/jobs/failures.py) that the Dinas sees on /admin/tugas.

RQ jobs are stored as JSON (never pickle from Redis) and call `perform`, which runs the task in
an app context of its own, so each job gets a fresh database session.
"""

import hashlib
import logging
import traceback
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from catalog.extensions import db
from catalog.jobs import failures
from catalog.jobs.tasks import QUEUES, TASKS, Task
from catalog.models.base import utcnow

log = logging.getLogger(__name__)

# Seconds before the 1st, 2nd, 3rd retry on RQ (a worker started with its scheduler moves them
# back to the queue). Inline retries run at once: the next cron run is the real second chance.
RETRY_INTERVALS = [30, 300, 1800]
FAILURE_TTL = 7 * 24 * 3600  # RQ's own failed registry; the JobFailure row is what the Dinas reads


@dataclass
class InlineResult:
    ok: bool
    value: Any = None
    attempts: int = 0
    failure_id: int | None = None


def uses_rq() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def connection(*, for_worker: bool = False) -> Redis:
    """The app's Redis client for queues. Web requests get short timeouts (an unreachable Redis
    must not hang a checkout); a worker blocks on the queue and needs none."""
    key = "jobs_redis_worker" if for_worker else "jobs_redis"
    client = current_app.extensions.get(key)
    if client is None:
        url = current_app.config["REDIS_URL"]
        client = Redis.from_url(url) if for_worker else Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        current_app.extensions[key] = client
    return client


def get_queue(name: str, conn: Redis | None = None) -> Queue:
    return Queue(name, connection=conn or connection(), serializer=JSONSerializer,
                 default_timeout=current_app.config.get("JOB_TIMEOUT_SECONDS", 600))


def task_of(task: str | Task) -> Task:
    found = TASKS.get(task.name if isinstance(task, Task) else task)
    if found is None:
        raise KeyError(f"unknown job task {task!r}")
    return found


def enqueue(task: str | Task, *args, job_id: str | None = None, failure_id: int | None = None,
            rerun_by: int | None = None):
    """Run `task(*args)` in the background: an RQ job when REDIS_URL is set (returns the Job, or
    None when a job of the same `job_id` is already queued), else now, inline (returns an
    InlineResult). `failure_id`: this run retries that JobFailure, which it resolves on success."""
    found = task_of(task)
    if not uses_rq():
        return run_inline(found.name, list(args), failure_id=failure_id, rerun_by=rerun_by)
    retries = current_app.config.get("JOB_RETRIES", 3)
    options = {"job_timeout": current_app.config.get("JOB_TIMEOUT_SECONDS", 600), "failure_ttl": FAILURE_TTL,
               "on_failure": Callback(on_failure), "meta": {"task": found.name, "retries": retries}}
    if retries > 0:
        options["retry"] = Retry(max=retries, interval=RETRY_INTERVALS[:retries] or 0)
    if job_id:
        options.update(job_id=job_id, unique=True)
    try:
        return get_queue(found.queue).enqueue(perform, found.name, list(args), failure_id, rerun_by, **options)
    except DuplicateJobError:
        log.info("job %s is already queued; not queued again", job_id)
        return None


def enqueue_or_false(task: str, *args, job_id: str | None = None) -> bool:
    """For callers with a path of their own when Redis is down (send the email now, index in
    process): True when queued (or already queued), False when Redis did not answer."""
    try:
        enqueue(task, *args, job_id=job_id)
    except RedisError:
        log.warning("Redis unreachable: %s runs in process instead of on the queue", task, exc_info=True)
        return False
    return True


def email_job_id(to: str, subject: str, body: str) -> str:
    """The same message to the same person within the same minute is one job: enqueueing it
    twice (a retried request, a double click) sends it once."""
    minute = utcnow().strftime("%Y%m%d%H%M")
    digest = hashlib.sha256("\x1f".join((to, subject, body, minute)).encode()).hexdigest()[:40]
    return f"mail-{digest}"


def run_inline(name: str, args: list, *, failure_id: int | None = None, rerun_by: int | None = None) -> InlineResult:
    """Run the task now in the current app context, retrying up to JOB_RETRIES times; after the
    last attempt the failure is recorded (not raised)."""
    found = task_of(name)
    attempts = current_app.config.get("JOB_RETRIES", 3) + 1
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            value = found.func(*args)
        except Exception:  # noqa: BLE001 (any error of a job is retried, then shown to the Dinas)
            db.session.rollback()
            error = traceback.format_exc()
            log.warning("job %s failed (attempt %d of %d)", name, attempt, attempts, exc_info=True)
            continue
        if failure_id is not None:
            failures.resolve_after_rerun(failure_id, rerun_by)
        return InlineResult(ok=True, value=value, attempts=attempt)
    failure = failures.record(name, args, error, attempts, failure_id=failure_id)
    return InlineResult(ok=False, attempts=attempts, failure_id=failure.id)


# --- the RQ side: what a worker process calls -----------------------------------------------------

_worker_app: Flask | None = None


def set_worker_app(app: Flask | None) -> None:
    """`flask jobs worker` hands its app over, so jobs run with its configuration."""
    global _worker_app  # noqa: PLW0603 (one app per worker process)
    _worker_app = app


def _app() -> Flask:
    if _worker_app is not None:
        return _worker_app
    if has_app_context():
        return current_app._get_current_object()
    from catalog import create_app

    app = create_app()
    set_worker_app(app)
    return app


def perform(name: str, args: list, failure_id: int | None = None, rerun_by: int | None = None):
    """The function every RQ job calls: the task in a fresh app context (its own session,
    removed afterwards whatever happens)."""
    with _app().app_context():
        value = task_of(name).func(*args)
        if failure_id is not None:
            failures.resolve_after_rerun(failure_id, rerun_by)
        return value


def on_failure(job, _connection, exc_type, exc_value, tb) -> None:
    """RQ calls this after every failed attempt, before it schedules the retry: only when no
    retry is left does the failure become a JobFailure row."""
    if job.retries_left:
        log.warning("job %s (%s) failed; %d retries left", job.id, job.meta.get("task"), job.retries_left)
        return
    name, args, failure_id = job.args[0], job.args[1], job.args[2]
    error = "".join(traceback.format_exception(exc_type, exc_value, tb))
    with _app().app_context():
        failures.record(name, args, error, int(job.meta.get("retries") or 0) + 1, failure_id=failure_id)


def queue_depths() -> dict[str, int]:
    """Jobs waiting per RQ queue (none in inline mode, or when Redis does not answer) and the
    open failures under "failed", for /metrics."""
    depths: dict[str, int] = {}
    if uses_rq():
        try:
            conn = connection()
            for name in QUEUES:
                depths[name] = get_queue(name, conn).count
        except RedisError:
            log.warning("Redis unreachable: no queue depths", exc_info=True)
            depths = {}
    depths["failed"] = failures.open_count()
    return depths
