"""Reading the audit trail in the Dinas console: filters (actor, object type and id, action
prefix, Jakarta dates), pages newest first by keyset (?sebelum=<id>), the compact before/after
of each event, the CSV export of a filtered trail (capped) and the chain check's report in words.

Nothing here writes the trail: services/audit.py appends and verifies it."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import AuditEvent, User
from catalog.services import audit
from catalog.services.errors import ValidationFailed

PER_PAGE = 50
EXPORT_CAP = 50_000
EXPORT_BATCH = 1_000
VALUE_MAX = 80  # characters of one before/after value shown in the table
TEXT_MAX = 60  # characters of a filter field

MSG_BAD_DATE = _l("Tanggal %(what)s tidak terbaca. Tulis seperti 2026-12-31.")
MSG_DATE_ORDER = _l("Tanggal awal harus sebelum atau sama dengan tanggal akhir.")
MSG_BAD_ID = _l("Nomor halaman tidak terbaca; ditampilkan dari yang terbaru.")


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # part of the actor's e-mail or name
    object_type: str = ""
    object_id: str = ""
    action: str = ""  # a prefix: "seller." or "seller.verify"
    date_from: date | None = None  # Jakarta dates, both ends included
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any((self.actor, self.object_type, self.object_id, self.action, self.date_from, self.date_to))

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links to the next page and the CSV)."""
        args = {"pelaku": self.actor, "jenis": self.object_type, "objek": self.object_id, "aksi": self.action,
                "dari": self.date_from.isoformat() if self.date_from else "",
                "sampai": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in args.items() if v}


@dataclass(frozen=True)
class Change:
    key: str
    before: str | None  # None: the key was not there
    after: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor_label: str  # "Nama <email>", or "Sistem"
    action: str
    object_type: str
    object_id: str
    reason: str
    changes: list[Change]


@dataclass
class AuditPage:
    filters: AuditFilters
    rows: list[AuditRow]
    next_before: int | None  # ?sebelum= for the next (older) page; None on the last page
    is_first: bool
    errors: list[str] = field(default_factory=list)


def _text(args, name: str) -> str:
    return str(args.get(name) or "").strip()[:TEXT_MAX]


def _date(args, name: str, what: str) -> date | None:
    raw = _text(args, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(MSG_BAD_DATE % {"what": what}, field=name) from None


def parse_filters(args) -> tuple[AuditFilters, list[str]]:
    """The filters from the query string and the messages for what could not be read; a bad
    date is left out (and named), so the page still shows the rest."""
    errors = []
    dates = {}
    for name, what in (("dari", _("awal")), ("sampai", _("akhir"))):
        try:
            dates[name] = _date(args, name, what)
        except ValidationFailed as error:
            errors.append(str(error.message))
            dates[name] = None
    if dates["dari"] and dates["sampai"] and dates["dari"] > dates["sampai"]:
        errors.append(str(MSG_DATE_ORDER))
        dates["dari"] = dates["sampai"] = None
    filters = AuditFilters(actor=_text(args, "pelaku"), object_type=_text(args, "jenis"),
                           object_id=_text(args, "objek"), action=_text(args, "aksi"),
                           date_from=dates["dari"], date_to=dates["sampai"])
    return filters, errors


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JAKARTA).astimezone(timezone.utc)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(filters: AuditFilters):
    query = select(AuditEvent)
    if filters.actor:
        needle = f"%{_like_escape(filters.actor.lower())}%"
        actors = select(User.id).where(or_(func.lower(User.email).like(needle, escape="\\"),
                                           func.lower(User.name).like(needle, escape="\\")))
        query = query.where(AuditEvent.actor_id.in_(actors))
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.action:
        query = query.where(AuditEvent.action.like(f"{_like_escape(filters.action)}%", escape="\\"))
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.created_at < _day_start(filters.date_to + timedelta(days=1)))
    return query


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX - 1] + "…"


def changes(before: dict | None, after: dict | None) -> list[Change]:
    """What an event changed, key by key: the keys whose value differs (or every key of a
    one-sided event), values shortened for a table cell."""
    before, after = before or {}, after or {}
    found = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        found.append(Change(str(key), _short(old) if key in before else None, _short(new) if key in after else None))
    return found


def _actor_label(event: AuditEvent) -> str:
    if event.actor is None:
        return _("Sistem") if event.actor_id is None else f"#{event.actor_id}"
    return f"{event.actor.name} <{event.actor.email}>"


def _row(event: AuditEvent) -> AuditRow:
    return AuditRow(id=event.id, created_at=event.created_at, actor_label=_actor_label(event), action=event.action,
                    object_type=event.object_type, object_id=event.object_id, reason=event.reason or "",
                    changes=changes(event.before, event.after))


def _before_id(raw) -> tuple[int | None, bool]:
    if raw in (None, ""):
        return None, True
    try:
        value = int(str(raw))
    except ValueError:
        return None, False
    return (value, True) if value > 0 else (None, False)


def browse(filters: AuditFilters, before: str | None = None, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the filtered trail, newest first, older than event `before` (keyset: the
    same cost on page 1 and page 1000). Two statements: the events, with their actors joined."""
    before_id, readable = _before_id(before)
    query = _filtered(filters).options(joinedload(AuditEvent.actor))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    events = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(per_page + 1)))
    more = len(events) > per_page
    events = events[:per_page]
    return AuditPage(filters=filters, rows=[_row(e) for e in events],
                     next_before=events[-1].id if more and events else None, is_first=before_id is None,
                     errors=[] if readable else [str(MSG_BAD_ID)])


def object_types() -> list[str]:
    """The object types in the trail, for the filter's list (one grouped statement)."""
    return list(db.session.scalars(select(AuditEvent.object_type).group_by(AuditEvent.object_type)
                                   .order_by(AuditEvent.object_type)))


# --- CSV ---------------------------------------------------------------------------------------------

def export_header() -> list[str]:
    return [_("No."), _("Waktu (WIB)"), _("Pelaku"), _("Aksi"), _("Jenis objek"), _("ID objek"), _("Sebelum"),
            _("Sesudah"), _("Alasan"), _("Hash")]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def export_rows(filters: AuditFilters, cap: int = EXPORT_CAP) -> Iterator[list]:
    """The filtered trail, newest first, at most `cap` events, read in batches by keyset so the
    export never holds the whole trail in memory."""
    sent = 0
    before_id = None
    while sent < cap:
        query = _filtered(filters).options(joinedload(AuditEvent.actor))
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        batch = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(min(EXPORT_BATCH, cap - sent))))
        if not batch:
            return
        for event in batch:
            local = event.created_at.astimezone(JAKARTA)
            yield [event.id, f"{local:%Y-%m-%d %H:%M:%S}", _actor_label(event), event.action, event.object_type,
                   event.object_id, _json(event.before), _json(event.after), event.reason or "", event.hash]
        sent += len(batch)
        before_id = batch[-1].id
        db.session.expunge_all()


# --- the chain check -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainResult:
    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str


_PROBLEMS = {
    "prev_hash does not match the previous row": _l("tautan ke baris sebelumnya tidak cocok (ada baris yang "
                                                    "dihapus atau disisipkan)"),
    "content does not match its hash": _l("isi baris tidak cocok dengan hash-nya (baris ini diubah)"),
    "the newest rows were removed": _l("baris-baris terbaru hilang dari rantai"),
}


def check_chain() -> ChainResult:
    """Run audit.verify_chain() and put its answer in words an official reads."""
    report = audit.verify_chain()
    problem = str(_PROBLEMS.get(report.problem, report.problem)) if report.problem else ""
    return ChainResult(ok=report.ok, checked=report.checked, first_bad_id=report.first_bad_id, problem=problem)
