"""Background work: the scheduled and slow jobs (order and RFQ expiry, certificate checks,
overdue invoices, emails, Whoosh index updates) run through RQ on Redis when REDIS_URL is set,
and inline — or from cron with `flask jobs run <name>` — in the embedded default.

- tasks.py: the job functions by name (each wraps an idempotent service);
- queue.py: enqueue() and the RQ glue (retries, failure callback, worker entry point);
- schedule.py: the periodic table; failures.py: what failed after its retries;
- overdue.py: the overdue-invoice reminder; search.py: index updates through the queue.

Imports are lazy: the search hooks import this package when the app starts.
"""


def enqueue(task, *args, **kwargs):
    from catalog.jobs.queue import enqueue as _enqueue

    return _enqueue(task, *args, **kwargs)


def queue_depths() -> dict[str, int]:
    """Queue name → jobs waiting (RQ only), plus "failed": open JobFailure rows."""
    from catalog.jobs.queue import queue_depths as _depths

    return _depths()


def queue_email(to: str, subject: str, body: str) -> bool:
    """Put an email on the mail queue (RQ); False when Redis does not answer (send it now)."""
    from catalog.jobs.queue import email_job_id, enqueue_or_false

    return enqueue_or_false("mail.send", to, subject, body, job_id=email_job_id(to, subject, body))


__all__ = ["enqueue", "queue_depths", "queue_email"]
