"""User accounts: one role each (shopper, seller, officer, admin)."""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from catalog.models.base import Base, TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from catalog.models.agencies import OfficerMembership
    from catalog.models.sellers import Seller

ROLE_SHOPPER = "shopper"
ROLE_SELLER = "seller"
ROLE_OFFICER = "officer"
ROLE_ADMIN = "admin"
ROLES = (ROLE_SHOPPER, ROLE_SELLER, ROLE_OFFICER, ROLE_ADMIN)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index makes addresses unique case-insensitively.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=ROLE_SHOPPER, index=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie's id: changing the password rotates it, which logs out every
    # other session and invalidates "remember me" cookies.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    seller: Mapped[Optional["Seller"]] = relationship(
        back_populates="user", uselist=False, foreign_keys="Seller.user_id"
    )
    membership: Mapped[Optional["OfficerMembership"]] = relationship(
        back_populates="user", uselist=False, foreign_keys="OfficerMembership.user_id"
    )

    @staticmethod
    def normalise_email(email: str) -> str:
        return (email or "").strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Flask-Login
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
