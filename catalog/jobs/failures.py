"""Jobs that failed after their retries: one open JobFailure per task and arguments, which the
Dinas runs again or closes with a reason on /admin/tugas (both audited)."""

import hashlib
import json
import logging

from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models.base import utcnow
from catalog.models.jobs import JobFailure
from catalog.services import audit

log = logging.getLogger(__name__)

ERROR_KEPT = 8000  # characters of the traceback kept (its end: where it failed)
RERUN_SUCCEEDED = "rerun succeeded"
SHOWN = 200


def args_key(args: list) -> str:
    return hashlib.sha256(json.dumps(args, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def record(task: str, args: list, error: str, attempts: int, *, failure_id: int | None = None) -> JobFailure:
    """Add the failed attempts to the open failure of this task and arguments (the one being run
    again, if any), or open one. Commits (the caller has rolled the failed attempt back)."""
    failure = db.session.get(JobFailure, failure_id) if failure_id is not None else None
    key = args_key(args)
    if failure is None or failure.resolved_at is not None:
        failure = db.session.scalar(select(JobFailure).where(
            JobFailure.task == task, JobFailure.args_key == key, JobFailure.resolved_at.is_(None)
        ).order_by(JobFailure.id).limit(1))
    now = utcnow()
    if failure is None:
        failure = JobFailure(task=task, args=args, args_key=key, attempts=0, first_failed_at=now)
        db.session.add(failure)
    failure.attempts += attempts
    failure.last_failed_at = now
    failure.error = error[-ERROR_KEPT:]
    db.session.commit()
    log.error("job %s failed after %d attempts (failure %d): %s", task, attempts, failure.id,
              error.strip().splitlines()[-1] if error.strip() else "")
    return failure


def resolve_after_rerun(failure_id: int, rerun_by: int | None) -> None:
    """A run again from the console succeeded: the failure is closed. Commits."""
    failure = db.session.get(JobFailure, failure_id)
    if failure is None or failure.resolved_at is not None:
        return
    _close(failure, rerun_by, RERUN_SUCCEEDED)
    audit.record("job_failure.rerun_succeeded", failure, actor_id=rerun_by, after={"task": failure.task})
    db.session.commit()


def resolve(failure: JobFailure, actor_id: int, reason: str) -> None:
    """The Dinas closes a failure by hand (fixed outside, or no longer needed). Commits."""
    _close(failure, actor_id, reason)
    audit.record("job_failure.resolved", failure, actor_id=actor_id, reason=reason,
                 after={"task": failure.task, "attempts": failure.attempts})
    db.session.commit()


def note_rerun(failure: JobFailure, actor_id: int) -> None:
    """The Dinas asked to run the failed job again (audited before it runs). Commits."""
    audit.record("job_failure.rerun", failure, actor_id=actor_id, after={"task": failure.task})
    db.session.commit()


def _close(failure: JobFailure, actor_id: int | None, resolution: str) -> None:
    failure.resolved_at = utcnow()
    failure.resolved_by_id = actor_id
    failure.resolution = resolution[:300]


def open_failures(limit: int = SHOWN) -> list[JobFailure]:
    """Open failures, the most recent first."""
    return list(db.session.scalars(select(JobFailure).where(JobFailure.resolved_at.is_(None))
                                   .order_by(JobFailure.last_failed_at.desc(), JobFailure.id.desc()).limit(limit)))


def open_count() -> int:
    return db.session.scalar(select(func.count(JobFailure.id)).where(JobFailure.resolved_at.is_(None))) or 0


def summary(failure: JobFailure) -> str:
    """What the console shows of the arguments: an email's recipient and subject only (its body
    may hold a password-reset link), other jobs' arguments as they are."""
    if failure.task == "mail.send" and len(failure.args) >= 2:
        return f"{failure.args[0]} · {failure.args[1]}"
    return ", ".join(json.dumps(arg, default=str) for arg in failure.args)
