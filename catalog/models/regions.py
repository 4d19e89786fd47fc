"""The region reference table of Tangerang Raya (kota/kabupaten → kecamatan → desa/kelurahan)."""

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base

LEVEL_KOTA = "kota_kabupaten"
LEVEL_KECAMATAN = "kecamatan"
LEVEL_KELURAHAN = "desa_kelurahan"


class Region(Base):
    """One administrative area with its Kepmendagri code (e.g. 36.74.01 = Serpong)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The province (36) is not in the table, so the top level has no parent row.
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)

    parent: Mapped[Optional["Region"]] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent", order_by="Region.name")

    @property
    def short_name(self) -> str:
        """"Kota Tangerang Selatan" → "Tangerang Selatan"; used where space is short."""
        for prefix in ("Kabupaten ", "Kota "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
