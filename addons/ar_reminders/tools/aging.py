"""Aging buckets and the Vietnamese bad-debt provision (Circular 48/2019/TT-BTC)."""

import calendar
import datetime
from decimal import Decimal

DEFAULT_EDGES = (30, 60, 90, 120)
# (minimum months overdue, rate): over 6 months to under 1 year 30%, 1 to under 2 years 50%,
# 2 to under 3 years 70%, 3 years and more 100%.
PROVISION_RATES = (
    (36, Decimal("1.00")),
    (24, Decimal("0.70")),
    (12, Decimal("0.50")),
    (6, Decimal("0.30")),
)


def bucket_labels(edges=DEFAULT_EDGES):
    labels = ["not_due"]
    low = 1
    for edge in edges:
        labels.append(f"{low}-{edge}")
        low = edge + 1
    labels.append(f">{edges[-1]}")
    return labels


def bucket(days_overdue, edges=DEFAULT_EDGES):
    """Index of the bucket for a number of days past due (0 or less: not due)."""
    if days_overdue <= 0:
        return 0
    for index, edge in enumerate(edges, start=1):
        if days_overdue <= edge:
            return index
    return len(edges) + 1


def age(lines, as_of, edges=DEFAULT_EDGES, key=lambda line: line["partner"]):
    """Sum residual amounts per key and bucket.

    ``lines``: dicts with ``due_date``, ``residual`` and whatever ``key`` reads.
    Returns {key: [amount per bucket]}.
    """
    result = {}
    for line in lines:
        amounts = result.setdefault(key(line), [Decimal(0)] * (len(edges) + 2))
        amounts[bucket((as_of - line["due_date"]).days, edges)] += Decimal(str(line["residual"]))
    return result


def add_months(date, months):
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def provision_rate(due_date, as_of):
    """Provision rate of Circular 48/2019 for a receivable due on ``due_date``: over 6 months
    to under 1 year 30%, 1 to under 2 years 50%, 2 to under 3 years 70%, 3 years or more 100%.
    """
    if as_of >= add_months(due_date, 36):
        return Decimal("1.00")
    if as_of >= add_months(due_date, 24):
        return Decimal("0.70")
    if as_of >= add_months(due_date, 12):
        return Decimal("0.50")
    if as_of > add_months(due_date, 6):
        return Decimal("0.30")
    return Decimal(0)
