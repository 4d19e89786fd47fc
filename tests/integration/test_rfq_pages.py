"""The RFQ pages as officers and sellers use them: opening one with the form (empty rows ignored,
"Tambah baris" without JavaScript), quoting, the sealed and the opened grid, the counter-offer
and the award by form, who may see what (another agency's RFQ and an ineligible seller get 404,
a seller never sees another seller's prices), bad input answered with a message and nothing
changed, and the seller's RFQ list in a bounded number of queries."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from catalog.extensions import db
from catalog.models import AuditEvent, PurchaseRequest, Quotation, Rfq
from catalog.models.base import utcnow
from tests.factories import KEC_PAMULANG, KOTA_TANGSEL, gen_agency_team, gen_officer
from tests.integration.test_seller_dashboard import log_in, text_of
from tests.querycount import count_queries
from tests.rfq_factories import Market, open_rfq, quote


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    from catalog.models import users

    monkeypatch.setattr(users, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1"))


@pytest.fixture
def world(app):
    class World:
        pass

    w = World()
    w.agency, w.pp, w.ppk, w.bendahara = gen_agency_team(code="DISKOMINFO-TGSL", name="Dinas Kominfo Tangsel")
    w.market = Market()
    db.session.commit()
    return w


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def live_rfq(w, **kw):
    """An RFQ open now (deadline in two days), for the pages (which use the real clock)."""
    return open_rfq(w.pp, now=utcnow(), category=w.market.katering, kota=KOTA_TANGSEL, ppk=w.ppk, **kw)


def close_bidding(rfq):
    """Move the deadline an hour into the past (the pages read the real clock)."""
    rfq.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()


def new_rfq_form(**overrides):
    deadline = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT15:00")
    data = {"title": "Konsumsi rapat", "deadline": deadline, "delivery_kecamatan_code": KEC_PAMULANG,
            "delivery_address": "Jl. Maruga No. 1", "umkk_only": "y", "kota_code": KOTA_TANGSEL,
            "lines-0-description": "Nasi kotak", "lines-0-quantity": "100", "lines-0-unit": "kotak",
            "lines-0-ceiling_price": "45.000",
            # row 2 left empty on purpose
            "lines-2-description": "Air mineral", "lines-2-quantity": "10", "lines-2-unit": "dus"}
    data.update(overrides)
    return data


# --- opening an RFQ ---------------------------------------------------------------------------

def test_an_officer_opens_an_rfq_with_the_form_and_sees_who_was_told(client, world):
    log_in(client, world.pp)
    page = client.get("/pengadaan/rfq/baru")
    assert page.status_code == 200 and text_of(page.text).count("Uraian barang/jasa") == 5
    response = client.post("/pengadaan/rfq/baru", data=new_rfq_form(), follow_redirects=True)
    assert response.status_code == 200
    rfq = db.session.scalar(select(Rfq))
    assert [(line.position, line.description, line.ceiling_price) for line in rfq.lines] == [
        (1, "Nasi kotak", 45_000), (2, "Air mineral", None)]  # the empty row is ignored
    # Tangsel UMK-K sellers: Dapur Bu Sari, Katering Serpong, Koperasi Warga Pamulang, Anyaman, Katering Tutup.
    assert "5 penjual yang memenuhi syarat sudah diberi tahu" in text_of(response.text)


def test_more_rows_keeps_what_was_typed_and_creates_nothing(client, world):
    log_in(client, world.pp)
    response = client.post("/pengadaan/rfq/baru", data=new_rfq_form(more_rows="Tambah baris"))
    assert response.status_code == 200
    text = text_of(response.text)
    assert text.count("Uraian barang/jasa") == 10  # the usual 5 (two filled) + 5 more
    assert 'value="Air mineral"' in response.text and db.session.scalar(select(func.count(Rfq.id))) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"lines-2-quantity": "0"}, "Baris 2: jumlah paling sedikit 1"),
    ({"lines-0-quantity": "-4"}, "Jumlah tidak boleh negatif"),
    ({"lines-0-ceiling_price": "0"}, "Baris 1: harga tertinggi paling sedikit Rp1"),
    ({"deadline": "2020-01-01T10:00"}, "paling cepat satu jam"),
    ({"lines-0-description": "", "lines-0-quantity": "", "lines-0-unit": "", "lines-0-ceiling_price": "",
      "lines-2-description": "", "lines-2-quantity": "", "lines-2-unit": ""}, "paling sedikit satu baris"),
    ({"category_id": "999999"}, "Pilih kategori dari daftar"),
])
def test_bad_input_on_the_form_comes_back_with_a_message_and_nothing_is_made(client, world, overrides, message):
    log_in(client, world.pp)
    before = audit_count()
    response = client.post("/pengadaan/rfq/baru", data=new_rfq_form(**overrides))
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert db.session.scalar(select(func.count(PurchaseRequest.id))) == 0 and audit_count() == before


def test_a_bendahara_may_look_but_not_open_or_award(client, world):
    rfq = live_rfq(world)
    log_in(client, world.bendahara)
    assert client.get(f"/pengadaan/rfq/{rfq.id}").status_code == 200
    assert client.get("/pengadaan/rfq").status_code == 200
    assert client.get("/pengadaan/rfq/baru").status_code == 403
    assert client.post(f"/pengadaan/rfq/{rfq.id}/pemenang", data={}).status_code == 403


# --- who sees what ----------------------------------------------------------------------------

def test_another_agencys_rfq_answers_404(client, world):
    rfq = live_rfq(world)
    stranger = gen_officer(duty="pejabat_pengadaan")
    db.session.commit()
    log_in(client, stranger)
    assert client.get(f"/pengadaan/rfq/{rfq.id}").status_code == 404
    assert client.post(f"/pengadaan/rfq/{rfq.id}/pemenang", data={}).status_code == 404
    assert client.post(f"/pengadaan/rfq/{rfq.id}/batalkan", data={"reason": "x"}).status_code == 404
    assert rfq.request.title not in client.get("/pengadaan/rfq").text


def test_a_seller_sees_only_its_own_prices_and_an_ineligible_seller_gets_404(client, world):
    rfq = live_rfq(world)
    quote(rfq, world.market.kecil, {1: 37_123, 2: 11_111}, now=utcnow())
    m = world.market
    log_in(client, m.mikro.user)
    page = client.get(f"/penjual/rfq/{rfq.id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Nasi kotak rapat" in text and "37.123" not in text and "11.111" not in text
    assert "Katering Serpong" not in text
    close_bidding(rfq)
    text = text_of(client.get(f"/penjual/rfq/{rfq.id}").text)
    assert "37.123" not in text and "Katering Serpong" not in text
    for outsider in (m.kabupaten, m.menengah, m.crafts):
        log_in(client, outsider.user)
        assert client.get(f"/penjual/rfq/{rfq.id}").status_code == 404
        assert client.post(f"/penjual/rfq/{rfq.id}", data={}).status_code == 404
        assert rfq.request.title not in client.get("/penjual/rfq").text
    # The officer sees nothing of the prices before the deadline either.
    rfq.deadline = utcnow() + timedelta(hours=3)
    db.session.commit()
    log_in(client, world.pp)
    text = text_of(client.get(f"/pengadaan/rfq/{rfq.id}").text)
    assert "37.123" not in text and "Sudah masuk: 1 penawaran" in text


# --- quoting by form --------------------------------------------------------------------------

def quotation_form(rfq, *prices, days="2"):
    data = {}
    for n, line in enumerate(rfq.lines):
        data[f"lines-{n}-line_id"] = str(line.id)
        data[f"lines-{n}-unit_price"] = prices[n] if n < len(prices) else ""
        data[f"lines-{n}-delivery_days"] = days if n < len(prices) and prices[n] else ""
    return data


@pytest.mark.parametrize("prices, message", [
    (("0",), "harus lebih dari Rp0"),
    (("-5.000",), "Nominal tidak boleh negatif"),
    (("40.001",), "di atas harga tertinggi"),
    (("", ""), "paling sedikit satu baris"),
])
def test_bad_quotations_come_back_with_a_message_and_change_nothing(client, world, prices, message):
    rfq = live_rfq(world)
    log_in(client, world.market.mikro.user)
    before = audit_count()
    response = client.post(f"/penjual/rfq/{rfq.id}", data=quotation_form(rfq, *prices))
    assert response.status_code == 422 and message in text_of(response.text)
    assert db.session.scalar(select(func.count(Quotation.id))) == 0 and audit_count() == before


def test_quoting_after_the_deadline_is_refused(client, world):
    rfq = live_rfq(world)
    close_bidding(rfq)
    log_in(client, world.market.mikro.user)
    response = client.post(f"/penjual/rfq/{rfq.id}", data=quotation_form(rfq, "30.000"))
    assert response.status_code == 422 and "Batas waktu penawaran sudah lewat" in text_of(response.text)
    assert db.session.scalar(select(func.count(Quotation.id))) == 0


def test_quote_counter_offer_and_award_through_the_pages(client, world):
    rfq = live_rfq(world)
    m = world.market
    log_in(client, m.mikro.user)
    response = client.post(f"/penjual/rfq/{rfq.id}", data=quotation_form(rfq, "36.000", "15.000"),
                           follow_redirects=True)
    assert "Penawaran Anda terkirim" in text_of(response.text)
    log_in(client, m.kecil.user)
    client.post(f"/penjual/rfq/{rfq.id}", data=quotation_form(rfq, "38.000", "12.000"))
    close_bidding(rfq)

    log_in(client, world.pp)
    text = text_of(client.get(f"/pengadaan/rfq/{rfq.id}").text)
    assert "Dapur Bu Sari" in text and "Katering Serpong" in text and "★ Termurah" in text
    nasi, snack = rfq.lines
    mikro_q = db.session.scalar(select(Quotation).where(Quotation.seller_id == m.mikro.id))
    response = client.post(f"/pengadaan/rfq/{rfq.id}/tawar-balik/{mikro_q.id}",
                           data={f"counter-{snack.id}": "15.000"})
    assert response.status_code == 422 and "di bawah harga penawaran" in text_of(response.text)
    client.post(f"/pengadaan/rfq/{rfq.id}/tawar-balik/{mikro_q.id}", data={f"counter-{snack.id}": "11.000"})
    assert rfq.request.status == "negotiating"

    log_in(client, m.mikro.user)
    client.post(f"/penjual/rfq/{rfq.id}/tawar-balik", data={"jawaban": "terima"})
    db.session.expire_all()
    assert rfq.request.status == "quoting"

    log_in(client, world.pp)
    kecil_q = db.session.scalar(select(Quotation).where(Quotation.seller_id == m.kecil.id))
    forged = {f"line-{nasi.id}": str(mikro_q.lines[1].id), "route": "langsung"}  # snack price on the rice line
    before = audit_count()
    response = client.post(f"/pengadaan/rfq/{rfq.id}/pemenang", data=forged)
    assert response.status_code == 422 and "tidak sah" in text_of(response.text) and audit_count() == before
    choice = {f"line-{nasi.id}": str(kecil_q.lines[0].id), f"line-{snack.id}": str(mikro_q.lines[1].id),
              "route": "ppk", "ppk_id": str(world.ppk.id)}
    response = client.post(f"/pengadaan/rfq/{rfq.id}/pemenang", data=choice, follow_redirects=True)
    assert "dikirim ke PPK" in text_of(response.text)
    db.session.expire_all()
    assert rfq.status == "awarded" and rfq.request.status == "submitted"
    assert rfq.request.total == 100 * 38_000 + 100 * 11_000

    log_in(client, m.mikro.user)
    assert "Selamat, penawaran Anda terpilih" in text_of(client.get(f"/penjual/rfq/{rfq.id}").text)


def test_awarding_an_expired_rfq_by_form_is_refused(client, world):
    rfq = live_rfq(world)
    quotation = quote(rfq, world.market.mikro, {1: 30_000}, now=utcnow())
    rfq.deadline = utcnow() - timedelta(days=10)
    db.session.commit()
    log_in(client, world.pp)
    page = client.get(f"/pengadaan/rfq/{rfq.id}")  # the page expires it on the way
    assert "kedaluwarsa" in text_of(page.text)
    before = audit_count()
    response = client.post(f"/pengadaan/rfq/{rfq.id}/pemenang",
                           data={f"line-{rfq.lines[0].id}": str(quotation.lines[0].id), "route": "langsung"})
    assert response.status_code == 422
    assert "Permintaan penawaran ini sudah kedaluwarsa" in text_of(response.text) and audit_count() == before


# --- bounded queries --------------------------------------------------------------------------

def test_the_sellers_rfq_list_takes_the_same_number_of_queries_for_2_and_8_rfqs(app, client, world):
    seller = world.market.mikro
    log_in(client, seller.user)

    def make(n):
        for i in range(n):
            rfq = live_rfq(world, title=f"Kebutuhan {i}")
            if i % 2:
                quote(rfq, seller, {1: 30_000}, now=utcnow())

    make(2)
    client.get("/penjual/rfq")
    with count_queries(app) as two:
        assert client.get("/penjual/rfq").status_code == 200
    make(6)
    with count_queries(app) as eight:
        response = client.get("/penjual/rfq")
    assert text_of(response.text).count("Kebutuhan") == 8
    assert eight.count == two.count, (two, eight)
