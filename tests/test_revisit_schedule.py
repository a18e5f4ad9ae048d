"""The revisit schedule: an archived article is fetched again as each point of the
schedule (an age since its first capture) comes, once per point, and never after the
schedule ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsarchive.state import DEFAULT_REVISIT_SCHEDULE, PageState, horizon, parse_schedule

FIRST = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
SCHEDULE = parse_schedule(DEFAULT_REVISIT_SCHEDULE)


def page(last_fetch: timedelta, status: str = "live") -> PageState:
    """An article first captured at FIRST and last fetched ``last_fetch`` after it."""
    iso = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
    return PageState(
        "https://www.ecns.cn/a.shtml", "a", status, iso(FIRST), iso(FIRST + last_fetch),
        "c", 1, None, None, None, None, None,
    )  # fmt: skip


def due_at(age: timedelta, last_fetch: timedelta = timedelta(0), status: str = "live") -> bool:
    return page(last_fetch, status).due(FIRST + age, SCHEDULE)


def test_the_default_schedule_is_dense_in_the_first_day():
    assert [p.total_seconds() / 3600 for p in SCHEDULE] == [1, 3, 12, 24, 72, 168]


def test_nothing_is_due_before_the_first_point():
    assert not due_at(timedelta(minutes=59))


def test_the_first_point_makes_the_article_due():
    assert due_at(timedelta(hours=1))


def test_a_point_checked_is_not_due_again_until_the_next():
    assert not due_at(timedelta(hours=2), last_fetch=timedelta(hours=1, minutes=5))
    assert due_at(timedelta(hours=3), last_fetch=timedelta(hours=1, minutes=5))


def test_one_revisit_makes_up_for_points_a_run_missed():
    assert due_at(timedelta(hours=30))
    assert not due_at(timedelta(hours=30), last_fetch=timedelta(hours=25))


def test_a_deleted_article_stays_on_the_schedule_so_its_return_is_seen():
    assert due_at(timedelta(hours=3), last_fetch=timedelta(hours=1), status="deleted")


def test_the_last_point_stays_open_for_the_gap_before_it_then_nothing_is_due():
    assert horizon(SCHEDULE) == timedelta(days=11)
    assert due_at(timedelta(days=10), last_fetch=timedelta(days=3))
    assert not due_at(timedelta(days=11), last_fetch=timedelta(days=3))


def test_a_point_at_0s_makes_the_next_run_revisit_once():
    schedule = parse_schedule("0s,7d")
    assert page(timedelta(0)).due(FIRST + timedelta(seconds=5), schedule)
    assert not page(timedelta(seconds=5)).due(FIRST + timedelta(seconds=9), schedule)


def test_durations_in_seconds_minutes_hours_and_days_are_sorted():
    assert parse_schedule("1d, 30m,90s,2h") == (
        timedelta(seconds=90),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(days=1),
    )


@pytest.mark.parametrize("bad", ["", "1h,,3h", "3 hours", "1w", "-1h"])
def test_a_schedule_that_is_not_durations_is_refused_with_the_part_named(bad):
    with pytest.raises(ValueError, match="is not a duration such as 30m, 3h or 7d"):
        parse_schedule(bad)
