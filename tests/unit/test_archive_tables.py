"""Every table is either in a framework export or left out on purpose, with the reason named."""

from __future__ import annotations

from tracker.db.models import Base
from tracker.services.archive_format import NOT_EXPORTED, TABLES


def test_every_table_is_exported_or_left_out_with_a_reason() -> None:
    assert set(TABLES).isdisjoint(NOT_EXPORTED)
    assert set(TABLES) | set(NOT_EXPORTED) == set(Base.metadata.tables), "add the new table to one of them"
    assert all(reason.strip() for reason in NOT_EXPORTED.values())


def test_credentials_never_travel_in_an_export() -> None:
    assert "api_token" in NOT_EXPORTED and "api_token" not in TABLES
    assert "sign_in_lock" in NOT_EXPORTED
