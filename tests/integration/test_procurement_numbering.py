"""Surat Pesanan numbers per agency and fiscal year: consecutive, never shared — also when
several officers issue at the same moment (threads, each its own connection)."""

import threading

from catalog.extensions import db
from catalog.models import Agency
from catalog.services.procurement import numbering
from tests.factories import gen_agency


def test_numbers_count_up_per_agency_year_and_kind(app):
    tangsel = gen_agency(code="DISKOMINFO-TGSL")
    other = gen_agency(code="BAPPEDA-KOTA")
    assert numbering.next_number(tangsel, 2026, "SP") == (1, "SP/DISKOMINFO-TGSL/2026/0001")
    assert numbering.next_number(tangsel, 2026, "SP") == (2, "SP/DISKOMINFO-TGSL/2026/0002")
    assert numbering.next_number(tangsel, 2027, "SP") == (1, "SP/DISKOMINFO-TGSL/2027/0001")  # a new year
    assert numbering.next_number(tangsel, 2026, "PR") == (1, "PR/DISKOMINFO-TGSL/2026/0001")  # its own count
    assert numbering.next_number(other, 2026, "SP") == (1, "SP/BAPPEDA-KOTA/2026/0001")  # its own agency


def test_officers_issuing_at_once_never_share_a_number(app):
    agency_id = gen_agency(code="DINKES-TGSL").id
    db.session.commit()
    workers = 12
    barrier = threading.Barrier(workers)
    got: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def issue() -> None:
        with app.app_context():
            barrier.wait(timeout=60)
            try:
                sequence, _number = numbering.next_number(db.session.get(Agency, agency_id), 2026, "SP")
                db.session.commit()
                with lock:
                    got.append(sequence)
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(got) == list(range(1, workers + 1))
