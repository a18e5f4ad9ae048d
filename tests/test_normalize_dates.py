"""Dates as the outlets print them, read into ISO 8601 with Beijing time where the page
gives a time and no zone."""

import pytest

from pipelines.normalize import parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # China Daily's publishdate meta in Buddhist-era years (docs/EVIDENCE.md §3a).
        ("2569-05-17", "2026-05-17"),
        ("2569-05-17 20:43", "2026-05-17T20:43:00+08:00"),
        # CGTN's div.news-section-date (cn_cgtn.py, docs/EVIDENCE.md §2a).
        ("World 12:34, 25-Sep-2026", "2026-09-25T12:34:00+08:00"),
        # ECNS div.downinfo first span (the 2026 captured page).
        ("2026-10-03 09:34:32", "2026-10-03T09:34:32+08:00"),
        ("2019年09月08日 00:20", "2019-09-08T00:20:00+08:00"),
        ("Updated: 2026-05-17 20:43", "2026-05-17T20:43:00+08:00"),
    ],
)
def test_dates_in_the_forms_the_outlets_print(text, expected):
    assert parse_datetime(text) == expected


def test_a_day_only_date_stays_a_day():
    assert parse_datetime("2026-08-14") == "2026-08-14"
