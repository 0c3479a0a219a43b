import datetime

import pytest
from o2c_pipeline import invoicing
from o2c_pipeline.invoicing import MONTHLY, WEEKLY

D = datetime.date


@pytest.mark.parametrize(
    ("period", "day", "bounds"),
    [
        # 2026-11-27 is a Friday: its Vietnamese week runs Monday 23 to Sunday 29.
        (WEEKLY, D(2026, 11, 27), (D(2026, 11, 23), D(2026, 11, 30))),
        (WEEKLY, D(2026, 11, 23), (D(2026, 11, 23), D(2026, 11, 30))),
        (WEEKLY, D(2026, 11, 29), (D(2026, 11, 23), D(2026, 11, 30))),
        (WEEKLY, D(2026, 12, 31), (D(2026, 12, 28), D(2027, 1, 4))),
        (MONTHLY, D(2026, 11, 27), (D(2026, 11, 1), D(2026, 12, 1))),
        (MONTHLY, D(2026, 12, 31), (D(2026, 12, 1), D(2027, 1, 1))),
        (MONTHLY, D(2028, 2, 29), (D(2028, 2, 1), D(2028, 3, 1))),
    ],
)
def test_period_bounds(period, day, bounds):
    assert invoicing.period_bounds(period, day) == bounds


@pytest.mark.parametrize(
    ("period", "run_day", "today", "expected"),
    [
        (WEEKLY, 1, D(2026, 11, 27), D(2026, 11, 23)),
        (WEEKLY, 1, D(2026, 11, 23), D(2026, 11, 23)),
        (WEEKLY, 5, D(2026, 11, 26), D(2026, 11, 20)),  # Friday not reached yet
        (WEEKLY, 7, D(2026, 11, 29), D(2026, 11, 29)),
        (MONTHLY, 5, D(2026, 11, 4), D(2026, 10, 5)),
        (MONTHLY, 5, D(2026, 11, 5), D(2026, 11, 5)),
        (MONTHLY, 28, D(2026, 1, 10), D(2025, 12, 28)),  # across the year
    ],
)
def test_last_run_date(period, run_day, today, expected):
    assert invoicing.last_run_date(period, run_day, today) == expected


@pytest.mark.parametrize(
    ("period", "run_day", "today", "expected"),
    [
        (WEEKLY, 1, D(2026, 11, 23), D(2026, 11, 30)),
        (WEEKLY, 1, D(2026, 11, 22), D(2026, 11, 23)),
        (WEEKLY, 3, D(2026, 12, 31), D(2027, 1, 6)),
        (MONTHLY, 1, D(2026, 12, 1), D(2027, 1, 1)),
        (MONTHLY, 28, D(2027, 2, 1), D(2027, 2, 28)),
    ],
)
def test_next_run_date(period, run_day, today, expected):
    assert invoicing.next_run_date(period, run_day, today) == expected


def test_due_cutoff_weekly_invoices_the_week_before_on_its_day():
    # Monday 30 November: the week 23-29 November (and anything older) is due.
    assert invoicing.due_cutoff(WEEKLY, 1, D(2026, 11, 30)) == (D(2026, 11, 30), D(2026, 11, 30))
    # Later in that week the same run is due until it has been recorded.
    assert invoicing.due_cutoff(WEEKLY, 1, D(2026, 12, 2)) == (D(2026, 11, 30), D(2026, 11, 30))
    assert invoicing.due_cutoff(WEEKLY, 1, D(2026, 12, 2), last_run=D(2026, 11, 30)) is None
    # Run day on Wednesday: on Monday and Tuesday the previous week's run is the latest.
    assert invoicing.due_cutoff(WEEKLY, 3, D(2026, 11, 30), last_run=D(2026, 11, 25)) is None
    assert invoicing.due_cutoff(WEEKLY, 3, D(2026, 12, 2), last_run=D(2026, 11, 25)) == (
        D(2026, 12, 2),
        D(2026, 11, 30),
    )


def test_due_cutoff_monthly_invoices_the_month_before():
    assert invoicing.due_cutoff(MONTHLY, 5, D(2026, 12, 5)) == (D(2026, 12, 5), D(2026, 12, 1))
    assert invoicing.due_cutoff(MONTHLY, 5, D(2026, 12, 4), last_run=D(2026, 11, 5)) is None


@pytest.mark.parametrize(
    ("period", "day", "field"),
    [
        (WEEKLY, 0, "invoicing_day"),
        (WEEKLY, 8, "invoicing_day"),
        (MONTHLY, 29, "invoicing_day"),
        (MONTHLY, True, "invoicing_day"),
        ("yearly", 1, "invoicing_period"),
    ],
)
def test_check_schedule_names_field_and_value(period, day, field):
    with pytest.raises(invoicing.ScheduleError) as caught:
        invoicing.check_schedule(period, day)
    assert caught.value.field == field
    assert caught.value.value == (period if field == "invoicing_period" else day)
