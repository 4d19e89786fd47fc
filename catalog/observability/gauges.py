"""Figures read at scrape time rather than counted by each process: orders and payments by status
(one GROUP BY each, so every instance reports the same numbers) and the background queues.

A source that fails is left out of that scrape and reported as katalog_metrics_source_up 0;
/metrics itself still answers, so the request metrics stay visible while the database is down.
"""

import logging

from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models.orders import ORDER_STATUSES, PAYMENT_STATUSES, Order, Payment

log = logging.getLogger(__name__)


def counts_by_status(model, known: tuple[str, ...]) -> dict[str, int]:
    """Rows of `model` per status; every known status is present (0 when none), so a series does
    not vanish when its last order moves on."""
    counts = dict.fromkeys(known, 0)
    counts.update((status, count) for status, count in db.session.execute(
        select(model.status, func.count()).group_by(model.status)))
    return counts


def queue_depths() -> dict[str, int] | None:
    """Jobs waiting per queue (and "failed") from catalog.jobs; None when that module is absent."""
    try:
        from catalog.jobs import queue_depths as read_depths
    except ImportError:
        return None
    return {str(name): int(depth) for name, depth in read_depths().items()}


class ScrapeTimeCollector:
    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("katalog_metrics_source_up",
                               "1 when this scrape could read the source, 0 when it failed", labels=["source"])
        try:
            orders = counts_by_status(Order, ORDER_STATUSES)
            payments = counts_by_status(Payment, PAYMENT_STATUSES)
        except Exception:  # noqa: BLE001  (the database down: report it, keep the rest of the scrape)
            db.session.rollback()
            log.warning("metrics: could not count orders and payments", exc_info=True)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield _by_label("katalog_orders", "Shop orders (one per seller per checkout) by status", "status", orders)
            yield _by_label("katalog_payments", "Checkout payments by status", "status", payments)

        try:
            depths = queue_depths()
        except Exception:  # noqa: BLE001  (Redis or the job store down)
            db.session.rollback()
            log.warning("metrics: could not read the queue depths", exc_info=True)
            up.add_metric(["queue"], 0)
        else:
            if depths is not None:
                up.add_metric(["queue"], 1)
                yield _by_label("katalog_queue_jobs", "Background jobs waiting per queue (\"failed\": failed jobs)",
                                "queue", depths)
        yield up


def _by_label(name: str, documentation: str, label: str, values: dict[str, int]):
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family
