"""The seller's payout bank account: which banks, whose name, and what a change costs.

Money leaves the platform to this account, so it is the first thing someone who took over a
seller's login would change. Three defences: the account must be in the name of the business or
its owner; a change (not the first setting) holds payouts to the new account for 24 hours
(`bank_account_changed_at`; services/payouts.py refuses within the hold); and the seller is told
by email and notification at once, with the account number masked. The change is audited with
masked numbers too: the audit trail is read by more people than the seller.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from catalog.extensions import db
from catalog.models.base import utcnow
from catalog.models.sellers import Seller
from catalog.services import audit
from catalog.services.errors import ValidationFailed
from catalog.services.notifications import notify

# The banks sellers are paid through (the ones a Dinas in Tangerang Raya bulk-transfers to).
# A seller whose stored bank is not here (set before this list) keeps it until they change it.
BANKS = ("BRI", "BNI", "Mandiri", "BCA", "BSI", "BTN", "CIMB Niaga", "Danamon", "Permata", "Bank DKI",
         "bank bjb", "Bank Banten", "OCBC", "Panin", "Maybank")

CHANGE_HOLD = timedelta(hours=24)
ACCOUNT_DIGITS_MIN, ACCOUNT_DIGITS_MAX = 6, 20
SHOWN_DIGITS = 4
HOLDER_MAX = 120

# Words that say what a name is, not whose: legal forms and forms of address. "Siti Aminah" may
# hold "Ibu Siti Aminah"'s account, and "CV Maju Jaya" "Maju Jaya"'s.
_NOT_A_NAME = frozenset({
    "pt", "cv", "ud", "pd", "fa", "tbk", "persero", "koperasi", "kop", "kopkar", "ksp", "ksu",
    "bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "sdra", "saudara", "saudari", "tn", "ny", "nn",
    "tuan", "nyonya", "nona", "h", "hj", "haji", "hajjah",
})
_NOT_LETTERS = re.compile(r"[^\w]+")

MSG_BANK = _l("Pilih bank dari daftar.")
MSG_NUMBER_REQUIRED = _l("Nomor rekening wajib diisi.")
MSG_NUMBER = _l("Nomor rekening harus 6–20 digit angka.")


def normalise_name(name: str | None) -> str:
    """"Ibu Siti Aminah, S.E." → "siti aminah"; "CV. Maju-Jaya" → "maju jaya": case, punctuation,
    legal forms and forms of address do not count, nor degrees written after a comma."""
    head = (name or "").split(",")[0]
    words = _NOT_LETTERS.sub(" ", head.casefold().replace("_", " ")).split()
    return " ".join(word for word in words if word not in _NOT_A_NAME)


def holder_matches(holder: str | None, *names: str | None) -> bool:
    wanted = normalise_name(holder)
    return bool(wanted) and any(wanted == normalise_name(name) for name in names if name)


def clean_number(raw: str | None) -> str:
    """Spaces, dots and dashes as people type them are dropped; what is left must be 6–20 digits."""
    compact = re.sub(r"[\s.\-]", "", raw or "")
    if not compact:
        raise ValidationFailed(MSG_NUMBER_REQUIRED, field="account_number")
    if not (compact.isascii() and compact.isdigit()) or not ACCOUNT_DIGITS_MIN <= len(compact) <= ACCOUNT_DIGITS_MAX:
        raise ValidationFailed(MSG_NUMBER, field="account_number")
    return compact


def canonical_bank(raw: str | None) -> str | None:
    """The list's spelling of a bank typed in any case ("Bank BJB" → "bank bjb"); None if not listed."""
    key = " ".join((raw or "").split()).casefold()
    return next((bank for bank in BANKS if bank.casefold() == key), None)


def clean_bank(raw: str | None, stored: str | None = None) -> str:
    """One of BANKS, or the bank the seller already has (kept from before the list)."""
    bank = canonical_bank(raw)
    if bank:
        return bank
    if raw and stored and raw == stored:
        return stored
    raise ValidationFailed(MSG_BANK, field="bank")


def bank_choices(stored: str | None) -> list[tuple[str, str]]:
    """The select's options: the list, plus the seller's own unlisted bank so it can stay."""
    choices = [(bank, bank) for bank in BANKS]
    if stored and not canonical_bank(stored):
        choices.append((stored, stored))
    return choices


def selected_bank(stored: str | None) -> str:
    return canonical_bank(stored) or stored or ""


def mask(number: str | None) -> str:
    """"0123456789" → "******6789": enough for the owner to recognise, useless to anyone else."""
    if not number:
        return ""
    return "*" * max(len(number) - SHOWN_DIGITS, 0) + number[-SHOWN_DIGITS:]


@dataclass(frozen=True)
class Account:
    bank: str
    number: str
    holder: str

    def masked(self) -> dict:
        return {"bank_name": self.bank, "bank_account_number": mask(self.number), "bank_account_name": self.holder}


def current(seller: Seller) -> Account | None:
    if not seller.bank_account_number:
        return None
    return Account(seller.bank_name or "", seller.bank_account_number, seller.bank_account_name or "")


def _same(a: Account, b: Account) -> bool:
    """A new spelling of the same account is not a change (no hold for fixing a name's case)."""
    return (a.number == b.number and (canonical_bank(a.bank) or a.bank) == (canonical_bank(b.bank) or b.bank)
            and normalise_name(a.holder) == normalise_name(b.holder))


def check_holder(holder: str, *, business_name: str | None, owner_name: str | None, seller: Seller) -> None:
    """The name check, skipped for the account already stored (set before the rule existed)."""
    stored = current(seller)
    if stored is not None and normalise_name(stored.holder) == normalise_name(holder):
        return
    if not holder_matches(holder, business_name, owner_name):
        raise ValidationFailed(_l("Nama pemilik rekening harus sama dengan nama usaha (%(business)s) atau nama "
                                  "pemilik (%(owner)s). Pencairan hanya dikirim ke rekening atas nama usaha atau "
                                  "pemiliknya.", business=business_name or "–", owner=owner_name or "–"),
                               field="account_name")


def apply(seller: Seller, new: Account, *, actor_id: int | None, now: datetime | None = None) -> bool:
    """Write the account on the seller in the caller's transaction. A change of an account that
    was set starts the 24-hour hold, is audited (masked) and announced to the seller's user by
    notification and email (sent after the commit). Returns whether it was such a change."""
    before = current(seller)
    seller.bank_name, seller.bank_account_number, seller.bank_account_name = new.bank, new.number, new.holder
    if before is None or _same(before, new):
        return False
    now = now or utcnow()
    seller.bank_account_changed_at = now
    audit.record("seller.bank_account_changed", seller, actor_id=actor_id, before=before.masked(), after=new.masked())
    from catalog.formatting import tanggal_waktu  # needs Babel: imported when used

    notify(seller.user, "bank_account_changed", _l("Rekening pencairan diubah"),
           _l("Rekening pencairan %(business)s diubah menjadi %(bank)s %(number)s a.n. %(holder)s. "
              "Pencairan berikutnya ke rekening baru mulai %(start)s. "
              "Bila bukan Anda yang mengubahnya, segera hubungi Dinas Koperasi dan UMKM.",
              business=seller.business_name, bank=new.bank, number=mask(new.number), holder=new.holder,
              start=tanggal_waktu(now + CHANGE_HOLD)),
           link="/penjual/saldo")
    return True


def held_until(seller: Seller, now: datetime | None = None) -> datetime | None:
    """When payouts to a just-changed account may start; None when they may already."""
    if seller.bank_account_changed_at is None:
        return None
    until = seller.bank_account_changed_at + CHANGE_HOLD
    return until if until > (now or utcnow()) else None


def set_account(seller: Seller, *, bank: str | None, number: str | None, holder: str | None,
                actor_id: int | None, now: datetime | None = None) -> bool:
    """The "Rekening pencairan" form: check everything, then write (see `apply`). Commits.
    Raises ValidationFailed naming the field at fault; nothing is written then."""
    clean_bank_name = clean_bank(bank, seller.bank_name)
    clean_digits = clean_number(number)
    name = " ".join((holder or "").split())
    if not name:
        raise ValidationFailed(_l("Nama pemilik rekening wajib diisi."), field="account_name")
    if len(name) > HOLDER_MAX:
        raise ValidationFailed(_l("Paling banyak %(max)d karakter.", max=HOLDER_MAX), field="account_name")
    check_holder(name, business_name=seller.business_name, owner_name=seller.owner_name, seller=seller)
    changed = apply(seller, Account(clean_bank_name, clean_digits, name), actor_id=actor_id, now=now)
    db.session.commit()
    return changed
