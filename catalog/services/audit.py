"""The tamper-evident audit trail: every state change of money, stock, verification or
procurement appends one hash-chained event in the caller's transaction."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import g, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.models.audit import AuditEvent, AuditHead
from catalog.models.base import utcnow

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe form used both when writing and when verifying (dates as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    created = event.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    payload = {
        "prev": prev_hash,
        "at": created.astimezone(timezone.utc).isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "agency": event.agency_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def record(
    action: str,
    obj: Any = None,
    *,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    agency_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain in the current transaction (the caller commits)."""
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else obj.id
    # Take the chain's head first: this serialises concurrent writers until they commit.
    # synchronize_session=False: the head row is never loaded as an object, so there is nothing to
    # sync, and the default would scan every object in the session on each event.
    prev_hash = db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
                                   .returning(AuditHead.last_hash)
                                   .execution_options(synchronize_session=False)).scalar_one()
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=actor_id,
        action=action,
        object_type=object_type or "system",
        object_id=str(object_id if object_id is not None else ""),
        agency_id=agency_id,
        before=_canonical(before) if before is not None else None,
        after=_canonical(after) if after is not None else None,
        reason=reason,
        request_id=g.get("request_id") if has_app_context() else None,
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(prev_hash, event)
    db.session.add(event)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=event.hash)
                       .execution_options(synchronize_session=False))
    return event


def recent(*criteria, limit: int) -> list[AuditEvent]:
    """The newest `limit` events that match all the criteria, newest first, with their actors
    loaded (the history panels of the console's detail pages)."""
    return list(db.session.scalars(
        select(AuditEvent).where(*criteria)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc()).limit(limit)
    ))


def history(object_type: str, object_id: Any, limit: int, *, actions: Iterable[str] | None = None) -> list[AuditEvent]:
    """One object's newest `limit` events, newest first; only the given `actions` if named."""
    criteria = [AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)]
    if actions is not None:
        criteria.append(AuditEvent.action.in_(tuple(actions)))
    return recent(*criteria, limit=limit)


@dataclass
class ChainReport:
    checked: int
    first_bad_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in id order; name the first row whose content or link was changed."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev_hash:
                return ChainReport(checked, event.id, "prev_hash does not match the previous row")
            if compute_hash(prev_hash, event) != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash")
            prev_hash = event.hash
            checked += 1
            last_id = event.id
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and checked and head.last_hash != prev_hash:
        return ChainReport(checked, last_id, "the newest rows were removed")
    return ChainReport(checked, None)
