"""Periodic invoicing calendar of a channel: pure date arithmetic, no Odoo.

A periodic channel invoices each calendar period (a week from Monday to Sunday,
as weeks are counted in Vietnam, or a calendar month) once it is over, on the
channel's invoicing day of the following period: weekly on Monday invoices the
week before; monthly on the 5th invoices the month before on the 5th.

Dates here are local calendar dates (the company's time zone); the model turns
the bounds into UTC datetimes to compare with ``date_order``.
"""

import datetime

WEEKLY = "weekly"
MONTHLY = "monthly"
PERIODS = (WEEKLY, MONTHLY)
#: Monthly invoicing days stop at 28 so that every month has the day.
MAX_MONTH_DAY = 28


class ScheduleError(ValueError):
    """A periodic schedule that cannot be run; names the field and the value."""

    def __init__(self, field, value, message):
        super().__init__(message)
        self.field = field
        self.value = value


def check_schedule(period, day):
    """Validate a schedule: ``day`` is 1 (Monday) to 7 (Sunday) for a weekly
    period, 1 to ``MAX_MONTH_DAY`` for a monthly one."""
    if period not in PERIODS:
        raise ScheduleError("invoicing_period", period, f"Unknown invoicing period {period!r}.")
    top = 7 if period == WEEKLY else MAX_MONTH_DAY
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= top:
        raise ScheduleError(
            "invoicing_day",
            day,
            f"The {period} invoicing day must be from 1 to {top}, not {day!r}.",
        )


def period_bounds(period, day_in_period):
    """``(start, end)`` of the calendar period holding ``day_in_period``; the end
    is excluded (the first day of the next period)."""
    if period == WEEKLY:
        start = day_in_period - datetime.timedelta(days=day_in_period.weekday())
        return start, start + datetime.timedelta(days=7)
    if period == MONTHLY:
        start = day_in_period.replace(day=1)
        return start, _add_months(start, 1)
    raise ScheduleError("invoicing_period", period, f"Unknown invoicing period {period!r}.")


def run_date_in_period(period, day, day_in_period):
    """The invoicing day that falls in the period holding ``day_in_period``."""
    check_schedule(period, day)
    start, _end = period_bounds(period, day_in_period)
    return start + datetime.timedelta(days=day - 1)


def last_run_date(period, day, today):
    """The latest invoicing day on or before ``today``."""
    run = run_date_in_period(period, day, today)
    if run <= today:
        return run
    start, _end = period_bounds(period, today)
    return run_date_in_period(period, day, start - datetime.timedelta(days=1))


def next_run_date(period, day, today):
    """The first invoicing day after ``today``."""
    run = run_date_in_period(period, day, today)
    if run > today:
        return run
    _start, end = period_bounds(period, today)
    return run_date_in_period(period, day, end)


def due_cutoff(period, day, today, last_run=None):
    """What a run on ``today`` must invoice, as ``(run_date, cutoff)``: orders
    dated before ``cutoff`` (the start of the period holding the latest invoicing
    day) are due. ``None`` when that invoicing day was already run (``last_run``
    is the invoicing day recorded by the last complete run)."""
    run = last_run_date(period, day, today)
    if last_run is not None and last_run >= run:
        return None
    start, _end = period_bounds(period, run)
    return run, start


def _add_months(date, months):
    month = date.month - 1 + months
    return date.replace(year=date.year + month // 12, month=month % 12 + 1)
