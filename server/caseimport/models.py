"""The record of each import: which file (by its SHA-256), by whom, when and how many families, so that
the same file is not loaded twice by mistake."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class CaseImport(SQLModel, table=True):
    __tablename__ = "case_import"

    id: uuid.UUID = id_field()
    sha256: str = Field(max_length=64, unique=True)
    imported_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    families: int
    imported_at: datetime = created_at_field()
