"""The periodic jobs, in Jakarta time: `flask jobs scheduler` enqueues them on RQ when
REDIS_URL is set; in the embedded default, cron runs `flask jobs run <name>` at the same times
(README, Background jobs, has the crontab)."""

from dataclasses import dataclass
from datetime import datetime

from croniter import croniter
from redis import Redis

from catalog.formatting import JAKARTA
from catalog.models.base import utcnow


@dataclass(frozen=True)
class Entry:
    name: str  # `flask jobs run <name>`
    cron: str  # minute hour day month weekday, WIB
    task: str  # a name in catalog.jobs.tasks.TASKS
    what: str  # for the operator (`flask jobs run --help`, the README)


SCHEDULE = (
    Entry("orders-expire", "*/5 * * * *", "orders.expire",
          "batalkan checkout yang lewat batas bayar, stok kembali"),
    Entry("procurement-expire", "0 * * * *", "procurement.expire",
          "kedaluwarsakan permintaan penawaran dan penawaran balik yang macet 3 hari kerja"),
    Entry("certificates", "30 0 * * *", "sellers.check_certificates",
          "pengingat sertifikat yang segera berakhir, tandai yang sudah berakhir"),
    Entry("orders-complete", "15 1 * * *", "orders.complete",
          "selesaikan pesanan terkirim yang tidak dikonfirmasi pembeli"),
    Entry("overdue-invoices", "0 8 * * *", "invoices.notify_overdue",
          "beri tahu Bendahara tentang tagihan pemerintah yang lewat jatuh tempo"),
)
BY_NAME = {entry.name: entry for entry in SCHEDULE}
SLOT_KEY = "katalog:jobs:slot:{name}:{slot}"
SLOT_KEPT = 2 * 24 * 3600  # longer than the longest period (daily), so a slot is claimed once


def last_slot(entry: Entry, now: datetime) -> datetime:
    """The latest time at or before `now` the entry is due (Jakarta time)."""
    local = now.astimezone(JAKARTA)
    iterator = croniter(entry.cron, local)
    if croniter.match(entry.cron, local.replace(second=0, microsecond=0)):
        return local.replace(second=0, microsecond=0)
    return iterator.get_prev(datetime)


def claim(conn: Redis, entry: Entry, slot: datetime) -> bool:
    """SET NX on a key per entry and slot: of several schedulers (one per server, or a restart
    mid-slot) exactly one enqueues each run."""
    key = SLOT_KEY.format(name=entry.name, slot=slot.strftime("%Y%m%dT%H%M"))
    return bool(conn.set(key, "1", nx=True, ex=SLOT_KEPT))


def enqueue_due(conn: Redis, now: datetime | None = None) -> list[str]:
    """Enqueue every entry whose latest slot nobody has claimed yet; returns their names. A
    scheduler that starts (or was down) runs each job's latest missed slot once."""
    from catalog.jobs.queue import enqueue

    now = now or utcnow()
    started = []
    for entry in SCHEDULE:
        slot = last_slot(entry, now)
        if claim(conn, entry, slot):
            enqueue(entry.task, job_id=f"cron-{entry.name}-{slot.strftime('%Y%m%dT%H%M')}")
            started.append(entry.name)
    return started
