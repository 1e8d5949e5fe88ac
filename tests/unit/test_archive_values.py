"""Column values in an export: a time stored without a zone keeps its clock time; a UTC one stays UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.services.archive_format import decode_value, encode_value, table_of


def test_a_session_start_keeps_its_clock_time_whatever_the_machine_zone() -> None:
    column = table_of("event_session").c.starts_at
    start = datetime(2021, 3, 8, 9, 30)
    assert encode_value(start) == "2021-03-08T09:30:00.000000"
    assert decode_value(column, encode_value(start)) == start
    assert decode_value(column, None) is None


@pytest.mark.parametrize("value", ["2021-03-08T09:30:00.000000Z", "2021-03-08 09:30", 20210308])
def test_a_session_start_in_another_form_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="a time without a zone"):
        decode_value(table_of("event_session").c.starts_at, value)


def test_a_load_time_stays_utc() -> None:
    column = table_of("event_load").c.loaded_at
    loaded = datetime(2021, 3, 8, 9, 30, 1, 5, tzinfo=UTC)
    assert encode_value(loaded) == "2021-03-08T09:30:01.000005Z"
    assert decode_value(column, encode_value(loaded)) == loaded
    with pytest.raises(ValueError, match="UTC time"):
        decode_value(column, "2021-03-08T09:30:01.000005")
