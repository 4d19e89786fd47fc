"""/notifikasi: a user's own notifications, newest first, unread ones marked; "mark all as
read"; the bell's unread count in the header."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Notification
from catalog.models.base import utcnow
from tests.conftest import csrf_token_from
from tests.factories import gen_seller, gen_user
from tests.querycount import count_queries


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def add_note(user, title, *, minutes_ago=0, read=False, link=None, body="") -> Notification:
    created = utcnow() - timedelta(minutes=minutes_ago)
    note = Notification(user_id=user.id, kind="test", title=title, body=body, link=link, created_at=created,
                        read_at=created if read else None)
    db.session.add(note)
    db.session.flush()
    return note


def unread_of(user) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(
        select(Notification.title).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ))


def test_anonymous_visitors_are_sent_to_log_in(client):
    for response in (client.get("/notifikasi"), client.post("/notifikasi/baca-semua")):
        assert response.status_code == 302
        assert urlsplit(response.location).path == "/masuk"


def test_the_page_lists_the_users_notifications_newest_first_with_unread_ones_marked(client):
    user = gen_user()
    add_note(user, "Pesanan lama sudah selesai", minutes_ago=60 * 24 * 3, read=True)
    add_note(user, "Toko Anda sudah terverifikasi", minutes_ago=5, link="/toko/keripik-bu-sari",
             body="Selamat! Produk aktif Anda kini tampil.")
    db.session.commit()
    log_in(client, user)

    html = client.get("/notifikasi").get_data(as_text=True)
    text = text_of(html)

    assert text.index("Toko Anda sudah terverifikasi") < text.index("Pesanan lama sudah selesai")
    assert "Selamat! Produk aktif Anda kini tampil." in text
    assert '<a href="/toko/keripik-bu-sari">Toko Anda sudah terverifikasi</a>' in html
    assert html.count("notification-unread") == 1
    assert "Belum dibaca: Toko Anda sudah terverifikasi" in text
    assert "1 belum dibaca" in text
    assert "Tandai semua sudah dibaca" in text


def test_a_user_never_sees_another_users_notifications(client):
    me, other = gen_user(), gen_user()
    add_note(me, "Catatan untuk saya")
    add_note(other, "Rahasia pengguna lain")
    db.session.commit()
    log_in(client, me)

    text = text_of(client.get("/notifikasi").get_data(as_text=True))

    assert "Catatan untuk saya" in text
    assert "Rahasia pengguna lain" not in text


def test_mark_all_read_marks_only_the_users_own(client):
    me, other = gen_user(), gen_user()
    add_note(me, "Satu")
    add_note(me, "Dua")
    add_note(other, "Punya orang lain")
    db.session.commit()
    log_in(client, me)

    response = client.post("/notifikasi/baca-semua")

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/notifikasi"
    assert unread_of(me) == []
    assert unread_of(other) == ["Punya orang lain"]
    text = text_of(client.get("/notifikasi").get_data(as_text=True))
    assert "Semua pemberitahuan sudah ditandai dibaca." in text
    assert "Semua sudah dibaca." in text
    assert "Tandai semua sudah dibaca" not in text


def test_empty_page_says_what_will_appear(client):
    user = gen_user()
    db.session.commit()
    log_in(client, user)
    text = text_of(client.get("/notifikasi").get_data(as_text=True))
    assert "Belum ada pemberitahuan." in text


def test_a_link_that_is_not_a_site_path_is_not_made_clickable(client):
    user = gen_user()
    add_note(user, "Tautan aneh", link="javascript:alert(1)")
    add_note(user, "Tautan luar", link="//contoh.com/jebakan")
    db.session.commit()
    log_in(client, user)
    html = client.get("/notifikasi").get_data(as_text=True)
    assert "javascript:" not in html and "contoh.com" not in html
    assert "Tautan aneh" in html


def test_the_bell_shows_the_unread_count_with_one_query(app, client):
    seller = gen_seller()
    for n in range(3):
        add_note(seller.user, f"Baru {n}")
    add_note(seller.user, "Sudah dibaca", read=True)
    db.session.commit()
    log_in(client, seller.user)

    with count_queries(app) as q:
        html = client.get("/").get_data(as_text=True)

    assert re.search(r'href="/notifikasi"[^>]*>.*?<span class="bell-count">3<span class="visually-hidden"> belum dibaca',
                     html, flags=re.S)
    counts = [s for s in q.statements if "notification" in s.lower()]
    assert len(counts) == 1, counts


def test_the_bell_shows_no_number_when_everything_is_read(client):
    user = gen_user()
    add_note(user, "Sudah dibaca", read=True)
    db.session.commit()
    log_in(client, user)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifikasi"' in html
    assert "bell-count" not in html


def test_the_bell_caps_large_numbers(client):
    user = gen_user()
    for n in range(120):
        add_note(user, f"Pemberitahuan {n}")
    db.session.commit()
    log_in(client, user)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="bell-count">99+' in html


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.fixture
def csrf_client(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = gen_user()
        add_note(user, "Belum dibaca")
        db.session.commit()
        client = app.test_client()
        log_in(client, user)
        user_id = user.id
    return app, client, user_id


def test_mark_all_read_without_the_csrf_token_is_refused(csrf_client):
    app, client, user_id = csrf_client
    response = client.post("/notifikasi/baca-semua")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == user_id)) is None


def test_mark_all_read_with_the_pages_token_works(csrf_client):
    app, client, user_id = csrf_client
    page = client.get("/notifikasi").get_data(as_text=True)
    token = csrf_token_from(page[page.index("notifications-head"):])
    response = client.post("/notifikasi/baca-semua", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == user_id)) is not None
