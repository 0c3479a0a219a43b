"""Collection KPIs from plain amounts.

- Simple DSO: receivables / credit sales of the period x days of the period.
- Countback DSO: walk back month by month, consuming each month's sales with the
  receivables, and count the days until they are used up.
- Best possible DSO: current (not yet due) receivables / sales x days.
- Average days delinquent: DSO - best possible DSO.
- Collection effectiveness index: (opening AR + sales - closing AR) /
  (opening AR + sales - closing current AR) x 100.
"""


def simple_dso(receivable, sales, days):
    return round(receivable / sales * days, 2) if sales else 0.0


def countback_dso(receivable, monthly_sales):
    """``monthly_sales``: list of (days in month, sales), most recent month first."""
    remaining, days = receivable, 0.0
    for month_days, sales in monthly_sales:
        if remaining <= 0:
            break
        if sales <= 0:
            days += month_days
            continue
        if remaining >= sales:
            remaining -= sales
            days += month_days
        else:
            days += remaining / sales * month_days
            remaining = 0
    return round(days, 2)


def best_possible_dso(current_receivable, sales, days):
    return round(current_receivable / sales * days, 2) if sales else 0.0


def average_days_delinquent(dso, best):
    return round(dso - best, 2)


def collection_effectiveness(opening, sales, closing, closing_current):
    denominator = opening + sales - closing_current
    if not denominator:
        return 0.0
    return round((opening + sales - closing) / denominator * 100, 2)
