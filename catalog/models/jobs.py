"""Background jobs that failed after their retries (RQ or inline), for the Dinas console."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, UTCDateTime, utcnow


class JobFailure(Base):
    """One open failure per task and arguments: a scheduled job that keeps failing bumps
    `attempts` and `last_failed_at` of its open row instead of adding one every five minutes."""

    __tablename__ = "job_failure"
    __table_args__ = (Index("ix_job_failure_open", "resolved_at", "task"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(80))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    args_key: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical JSON of args
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(300))  # "rerun succeeded" or the admin's reason

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
