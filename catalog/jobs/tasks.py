"""The job functions, by name. Each wraps a service that is already safe to run twice (every
cron service here locks or marks what it has done), so a retried or doubly-enqueued job changes
nothing the second time. Arguments are plain JSON values: RQ stores them as JSON and a failure
keeps them to run the job again from /admin/tugas."""

from collections.abc import Callable
from dataclasses import dataclass

QUEUE_DEFAULT = "default"
QUEUE_MAIL = "mail"
# Whoosh allows one writer: one worker process consumes this queue (README, Background jobs).
QUEUE_SEARCH = "search"
QUEUES = (QUEUE_DEFAULT, QUEUE_MAIL, QUEUE_SEARCH)


@dataclass(frozen=True)
class Task:
    name: str
    func: Callable
    queue: str = QUEUE_DEFAULT


TASKS: dict[str, Task] = {}


def task(name: str, queue: str = QUEUE_DEFAULT):
    def register(func: Callable) -> Callable:
        TASKS[name] = Task(name, func, queue)
        return func

    return register


class JobFailed(RuntimeError):
    """A task whose service reports failure without raising (an SMTP refusal): raised so the
    job is retried and, in the end, recorded."""


@task("orders.expire")
def expire_payments() -> int:
    """Unpaid checkouts past their deadline are cancelled, their stock returned."""
    from catalog.cli import _in_batches
    from catalog.services.payments import expire_due

    return _in_batches(expire_due)


@task("orders.complete")
def complete_orders() -> int:
    """Shipped orders nobody confirmed within AUTO_COMPLETE_DAYS complete."""
    from catalog.cli import _in_batches
    from catalog.services.orders import complete_due

    return _in_batches(complete_due)


@task("procurement.expire")
def expire_rfqs() -> dict:
    """Stalled requests for quotation and counter-offers expire (3 working days)."""
    from catalog.services.procurement.rfq import expire_due

    counts = expire_due(None)
    return {"rfqs": counts.rfqs, "counter_offers": counts.counter_offers}


@task("sellers.check_certificates")
def check_certificates(day: str | None = None) -> dict:
    """Certificates expiring within 30 days are announced once; expired ones are marked."""
    from datetime import date

    from catalog.services.certificates import check_certificates as check
    from catalog.services.certificates import jakarta_today

    report = check(date.fromisoformat(day) if day else jakarta_today())
    return {"warned": report.warned, "expired": report.expired}


@task("invoices.notify_overdue")
def notify_overdue_invoices(day: str | None = None) -> int:
    """The Bendahara of each agency is told once about each invoice past its due date."""
    from datetime import date

    from catalog.jobs.overdue import notify_overdue
    from catalog.services.certificates import jakarta_today

    return notify_overdue(date.fromisoformat(day) if day else jakarta_today())


@task("mail.send", queue=QUEUE_MAIL)
def send_mail(to: str, subject: str, body: str) -> bool:
    from catalog.services.mail import deliver

    if not deliver(to, subject, body):
        raise JobFailed(f"the mail server refused the email {subject!r} to {to}")
    return True


@task("search.index", queue=QUEUE_SEARCH)
def index_products(product_ids: list[int], seller_ids: list[int]) -> int:
    """Send the products' (and the sellers' products') documents to the search backend."""
    from catalog.search.hooks import index_now

    return index_now(set(product_ids), set(seller_ids))
