"""Dashboard figures and the weekly view counter: weeks, the upsert, bots, counts in one query."""

from datetime import date, timedelta
from threading import Barrier, Thread

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models.sellers import SellerViewWeek
from catalog.services import seller_stats
from tests.factories import gen_category, gen_product, gen_seller
from tests.querycount import count_queries


def stored_views(seller_id):
    db.session.rollback()
    return [(row.week_start, row.views) for row in db.session.scalars(
        select(SellerViewWeek).where(SellerViewWeek.seller_id == seller_id).order_by(SellerViewWeek.week_start))]


@pytest.mark.parametrize(
    ("day", "monday"),
    [(date(2026, 11, 23), date(2026, 11, 23)),  # a Monday
     (date(2026, 11, 29), date(2026, 11, 23)),  # the Sunday after
     (date(2027, 1, 1), date(2026, 12, 28))],  # across the new year (ISO week 53)
)
def test_week_start_is_the_monday_of_the_iso_week(day, monday):
    assert seller_stats.week_start(day) == monday


def test_record_view_inserts_then_increments_one_row_per_week(app):
    seller = gen_seller()
    db.session.commit()
    for day in (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 29), date(2026, 11, 30)):
        assert seller_stats.record_view(seller.id, today=day) is True
    assert stored_views(seller.id) == [(date(2026, 11, 23), 3), (date(2026, 11, 30), 1)]


def test_record_view_is_one_statement(app):
    seller = gen_seller()
    db.session.commit()
    seller_id = seller.id
    seller_stats.record_view(seller_id, today=date(2026, 11, 23))
    with count_queries(app) as q:
        seller_stats.record_view(seller_id, today=date(2026, 11, 23))
    assert q.count == 1, q
    assert "ON CONFLICT" in q.statements[0].upper()


def test_record_view_for_a_missing_seller_logs_and_returns_false(app, caplog):
    # The foreign key refuses the row; the page that counted must not notice.
    assert seller_stats.record_view(999_999, today=date(2026, 11, 23)) is False
    assert "could not record a view" in caplog.text
    db.session.execute(select(1))  # the session is usable again


def test_parallel_views_are_all_counted(make_app):
    app = make_app()
    with app.app_context():
        seller = gen_seller()
        db.session.commit()
        seller_id = seller.id
    workers, each = 4, 10
    barrier = Barrier(workers)

    def visit():
        with app.app_context():
            barrier.wait()
            for _ in range(each):
                seller_stats.record_view(seller_id, today=date(2026, 11, 24))
            db.session.remove()

    threads = [Thread(target=visit) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert stored_views(seller_id) == [(date(2026, 11, 23), workers * each)]


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        ("Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36", False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari", False),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0)", True),
        ("Sogou web spider/4.0", True),
        ("SomeCrawler/1.0", True),
        ("WhatsApp/2.23.20.0", True),
        ("facebookexternalhit/1.1", True),
        ("", True),
        (None, True),
    ],
)
def test_looks_like_bot(agent, bot):
    assert seller_stats.looks_like_bot(agent) is bot


def test_weekly_views_fills_missing_weeks_with_zero_oldest_first(app):
    seller = gen_seller()
    db.session.commit()
    today = date(2026, 11, 26)  # Thursday; this week starts 23 November
    seller_stats.record_view(seller.id, today=today)
    seller_stats.record_view(seller.id, today=date(2026, 11, 2))
    seller_stats.record_view(seller.id, today=date(2026, 9, 1))  # older than 8 weeks
    weeks = seller_stats.weekly_views(seller.id, today=today)
    assert [w.week_start for w in weeks] == [date(2026, 11, 23) - timedelta(weeks=n) for n in range(7, -1, -1)]
    assert [w.views for w in weeks] == [0, 0, 0, 0, 1, 0, 0, 1]
    assert weeks[-1].week_end == date(2026, 11, 29)


def test_product_counts_in_one_grouped_query(app):
    seller = gen_seller(low_stock_threshold=3)
    category = gen_category()
    gen_product(seller=seller, category=category, stock=3)
    gen_product(seller=seller, category=category, stock=4)
    gen_product(seller=seller, category=category, stock=0, made_to_order=True)
    gen_product(seller=seller, category=category, stock=0, status="draft")
    gen_product(seller=seller, category=category, stock=0, status="archived")
    gen_product(category=category, stock=0)  # someone else's
    db.session.commit()
    db.session.refresh(seller)  # loaded before counting: the test counts the figures' statement only
    with count_queries(app) as q:
        counts = seller_stats.product_counts(seller)
    assert q.count == 1
    assert (counts.active, counts.draft, counts.archived, counts.low_stock, counts.total) == (3, 1, 1, 1, 5)


def test_expiring_documents_are_soonest_first(app):
    from catalog.models import SellerDocument

    seller = gen_seller()
    today = date(2026, 11, 23)
    db.session.add_all([
        SellerDocument(seller=seller, kind="halal", number="A", expires_on=today + timedelta(days=30)),
        SellerDocument(seller=seller, kind="pirt", number="B", expires_on=today + timedelta(days=31)),
        SellerDocument(seller=seller, kind="sni", number="C", expires_on=today - timedelta(days=10)),
        SellerDocument(seller=seller, kind="bpom", number="D", expired=True),
    ])
    db.session.commit()
    assert [d.number for d in seller_stats.expiring_documents(seller, today)] == ["C", "A", "D"]
