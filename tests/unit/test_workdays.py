"""Working days: Monday–Friday without the national holidays of services/data/holidays.csv."""

from datetime import date, datetime, timezone

import pytest

from catalog.formatting import JAKARTA
from catalog.services import workdays


def test_weekends_do_not_count():
    friday = date(2026, 12, 4)
    assert workdays.add_working_days(friday, 1) == date(2026, 12, 7)  # Monday
    assert workdays.add_working_days(friday, 3) == date(2026, 12, 9)  # Wednesday
    assert workdays.add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # from a Saturday
    assert workdays.add_working_days(friday, 0) == friday


def test_national_holidays_do_not_count():
    assert not workdays.is_working_day(date(2026, 12, 25))  # Natal, a Friday
    assert not workdays.is_working_day(date(2026, 8, 17))  # Hari Kemerdekaan, a Monday
    # Thursday 24 December + 3: Friday 25 is Christmas, then the weekend: Mon 28, Tue 29, Wed 30.
    assert workdays.add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 30)
    # Across the new year: Thursday 31 December 2026 + 1 skips 1 January 2027 (a Friday).
    assert workdays.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_the_file_covers_2026_and_2027():
    days = workdays.holidays()
    assert {d.year for d in days} == {2026, 2027}
    assert date(2026, 1, 1) in days and date(2027, 12, 25) in days


def test_a_moment_keeps_its_jakarta_wall_clock_time():
    friday_3pm = datetime(2026, 12, 4, 15, 0, tzinfo=JAKARTA)
    result = workdays.after_working_days(friday_3pm, 3)
    assert result == datetime(2026, 12, 9, 15, 0, tzinfo=JAKARTA)
    assert result.tzinfo == timezone.utc
    # 23.30 WIB on Friday is still Friday in Jakarta although it is 16.30 UTC.
    late = datetime(2026, 12, 4, 16, 30, tzinfo=timezone.utc)
    assert workdays.after_working_days(late, 1) == datetime(2026, 12, 7, 23, 30, tzinfo=JAKARTA)


def test_an_admin_may_point_the_setting_at_another_file(app, tmp_path):
    custom = tmp_path / "libur.csv"
    custom.write_text("# cuti bersama included\ndate,name\n2026-12-07,Cuti bersama contoh\n", encoding="utf-8")
    app.config["HOLIDAYS_CSV"] = str(custom)
    assert workdays.holidays() == frozenset({date(2026, 12, 7)})
    assert workdays.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)


def test_negative_counts_are_a_programming_error():
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2026, 12, 4), -1)
