"""/admin/audit: the trail newest first, each filter narrowing it, bad dates named (never a
500), keyset pages, the filtered CSV, the chain check (whole, and a tampered row found), CSRF,
and nobody but an admin."""

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import audit, audit_browse
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, gen_officer, gen_seller, gen_user

UTC = timezone.utc


def _login(client, user):
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 302


@pytest.fixture
def trail(app):
    """Five events by two admins on two sellers, on known Jakarta days."""
    siti = gen_user(role="admin", name="Siti Auditor", email="siti.audit@dinas.id")
    budi = gen_user(role="admin", name="Budi Pemeriksa", email="budi@dinas.id")
    one, two = gen_seller(status="pending"), gen_seller(status="pending")
    specs = [
        ("seller.verify", siti, one, datetime(2026, 3, 1, 2, 0, tzinfo=UTC)),  # 1 March 09.00 WIB
        ("seller.reject", budi, two, datetime(2026, 3, 2, 18, 0, tzinfo=UTC)),  # 3 March 01.00 WIB
        ("seller.suspend", siti, two, datetime(2026, 3, 5, 2, 0, tzinfo=UTC)),
        ("product.hide", budi, one, datetime(2026, 3, 6, 2, 0, tzinfo=UTC)),
        ("payment.confirm", None, one, datetime(2026, 3, 7, 2, 0, tzinfo=UTC)),
    ]
    events = {}
    for action, actor, seller, at in specs:
        event = audit.record(action, seller, actor_id=actor.id if actor else None, before={"status": "pending"},
                             after={"status": action.split(".")[1]}, reason=f"alasan {action}",
                             object_type="product" if action.startswith("product") else None)
        event.created_at = at
        event.hash = audit.compute_hash(event.prev_hash, event)  # keep the chain whole for the check
        db.session.flush()
        db.session.execute(sa.text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": event.hash})
        events[action] = event
    db.session.commit()
    _fix_links()
    return {"siti": siti, "budi": budi, "one": one, "two": two, "events": events}


def _fix_links():
    """Re-chain after the test moved created_at (each hash covers the time)."""
    prev = audit.GENESIS_HASH
    for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)):
        event.prev_hash = prev
        event.hash = audit.compute_hash(prev, event)
        prev = event.hash
    db.session.execute(sa.text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})
    db.session.commit()


def _actions(html):
    return [a for a in ("seller.verify", "seller.reject", "seller.suspend", "product.hide", "payment.confirm")
            if f">{a}<" in html]


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
@pytest.mark.parametrize("method,url", [("get", "/admin/audit"), ("get", "/admin/audit.csv"),
                                        ("post", "/admin/audit/periksa-rantai")])
def test_only_admins_see_the_trail(app, client, role, method, url):
    user = gen_officer() if role == "officer" else gen_user(role=role)
    db.session.commit()
    _login(client, user)
    assert getattr(client, method)(url).status_code == 403


def test_the_trail_lists_every_event_newest_first_with_before_and_after(app, client, trail):
    _login(client, trail["siti"])
    html = client.get("/admin/audit").get_data(as_text=True)
    assert _actions(html) == ["seller.verify", "seller.reject", "seller.suspend", "product.hide", "payment.confirm"]
    assert html.index(">payment.confirm<") < html.index(">seller.verify<")
    assert "<del>pending</del> → <ins>verify</ins>" in html
    assert "Siti Auditor &lt;siti.audit@dinas.id&gt;" in html and "Sistem" in html
    assert "alasan seller.reject" in html


@pytest.mark.parametrize("query,expected", [
    ("pelaku=SITI.AUDIT", ["seller.verify", "seller.suspend"]),
    ("pelaku=Pemeriksa", ["seller.reject", "product.hide"]),
    ("jenis=product", ["product.hide"]),
    ("aksi=seller.", ["seller.verify", "seller.reject", "seller.suspend"]),
    ("aksi=seller.re", ["seller.reject"]),
    ("dari=2026-03-03&sampai=2026-03-05", ["seller.reject", "seller.suspend"]),
    ("sampai=2026-03-02", ["seller.verify"]),
    ("dari=2026-03-07", ["payment.confirm"]),
    ("pelaku=siti&aksi=seller.s", ["seller.suspend"]),
    ("pelaku=%25", []),  # a "%" is a character, not a wildcard
])
def test_each_filter_narrows_the_trail(app, client, trail, query, expected):
    _login(client, trail["siti"])
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert _actions(response.get_data(as_text=True)) == expected


def test_object_id_filter(app, client, trail):
    _login(client, trail["siti"])
    html = client.get(f"/admin/audit?jenis=seller&objek={trail['two'].id}").get_data(as_text=True)
    assert _actions(html) == ["seller.reject", "seller.suspend"]


@pytest.mark.parametrize("query", ["dari=kemarin", "sampai=2026-02-30", "dari=2026-03-05&sampai=2026-03-01",
                                   "sebelum=abc"])
def test_a_bad_date_or_page_is_named_not_a_500(app, client, trail, query):
    _login(client, trail["siti"])
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "tidak terbaca" in html or "Tanggal awal harus" in html
    assert len(_actions(html)) == 5  # the bad part is left out, the trail still shows


def test_pages_go_back_in_time_by_keyset(app, client, trail):
    filters = audit_browse.AuditFilters()
    first = audit_browse.browse(filters, per_page=2)
    assert [r.action for r in first.rows] == ["payment.confirm", "product.hide"] and first.is_first
    second = audit_browse.browse(filters, str(first.next_before), per_page=2)
    assert [r.action for r in second.rows] == ["seller.suspend", "seller.reject"]
    last = audit_browse.browse(filters, str(second.next_before), per_page=2)
    assert [r.action for r in last.rows] == ["seller.verify"] and last.next_before is None
    _login(client, trail["siti"])
    html = client.get(f"/admin/audit?sebelum={first.next_before}&aksi=seller.").get_data(as_text=True)
    assert _actions(html) == ["seller.verify", "seller.reject", "seller.suspend"]


def test_the_csv_holds_the_filtered_trail(app, client, trail):
    _login(client, trail["siti"])
    response = client.get("/admin/audit.csv?aksi=seller.&pelaku=siti", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("No.;Waktu (WIB);Pelaku;Aksi;Jenis objek;ID objek;Sebelum;Sesudah;Alasan;Hash")
    assert len(lines) == 3
    assert ";seller.suspend;" in lines[1] and ";seller.verify;" in lines[2]
    assert "2026-03-01 09:00:00" in lines[2]


def test_the_csv_is_capped(app, trail):
    rows = list(audit_browse.export_rows(audit_browse.AuditFilters(), cap=3))
    assert [r[3] for r in rows] == ["payment.confirm", "product.hide", "seller.suspend"]


def test_csv_cells_cannot_run_as_formulas(app, client, trail):
    audit.record("seller.note", trail["one"], actor_id=trail["siti"].id, reason="=cmd|' /C calc'!A0")
    db.session.commit()
    _login(client, trail["siti"])
    text = client.get("/admin/audit.csv?aksi=seller.note", buffered=True).get_data(as_text=True)
    assert "'=cmd" in text and ";=cmd" not in text


def test_the_chain_check_reports_a_whole_chain(app, client, trail):
    _login(client, trail["siti"])
    response = client.post("/admin/audit/periksa-rantai")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rantai audit utuh: 5 kejadian diperiksa" in html


def test_the_chain_check_names_a_tampered_row(app, client, trail):
    bad = trail["events"]["seller.suspend"]
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == bad.id).values(reason="diubah diam-diam"))
    db.session.commit()
    _login(client, trail["siti"])
    response = client.post("/admin/audit/periksa-rantai", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Rantai audit rusak mulai kejadian #{bad.id}" in html
    assert "isi baris tidak cocok dengan hash-nya" in html
    assert "2 kejadian sebelumnya cocok" in html


def test_the_chain_check_without_csrf_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        db.session.commit()
        client = app.test_client()
        page = client.get("/masuk").get_data(as_text=True)
        client.post("/masuk", data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)})
        response = client.post("/admin/audit/periksa-rantai")
        assert response.status_code == 400
        assert "Rantai audit" not in response.get_data(as_text=True)
        page = client.get("/admin/audit").get_data(as_text=True)
        ok = client.post("/admin/audit/periksa-rantai", data={"csrf_token": csrf_token_from(page)})
        assert ok.status_code == 302
