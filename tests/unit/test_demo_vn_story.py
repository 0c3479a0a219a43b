"""The demo story's script (addons/o2c_demo_vn/tools/story.py), checked without Odoo:
the values the builder feeds the addons are valid before a demo database is made."""

import datetime
import importlib.util
from pathlib import Path

from dateutil.relativedelta import relativedelta
from stdnum import ean
from stdnum.vn import mst

PATH = Path(__file__).resolve().parents[2] / "addons" / "o2c_demo_vn" / "tools" / "story.py"
_spec = importlib.util.spec_from_file_location("o2c_demo_vn_story", PATH)
story = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(story)


def test_company_customers_have_valid_tax_ids_but_the_one_held_for_it():
    ids = {
        ref: base and story.with_check_digit(base) for ref, _n, base, *_ in story.COMPANY_CUSTOMERS
    }
    assert all(mst.is_valid(number) for number in ids.values() if number)
    held = next(c for k, _ch, _r, c, *_ in story.TODAY if k == "hold_tax_id")
    assert ids[held["ref"]] is None


def test_barcodes_are_valid_ean13():
    for _code, _name, base, *_ in story.PRODUCTS:
        assert ean.is_valid(base + ean.calc_check_digit(base))


def test_one_held_order_per_blocking_rule_and_unique_references():
    keys = [row[0] for row in story.TODAY]
    refs = [(row[1], row[2]) for row in story.TODAY]
    assert len(set(keys)) == len(keys) and len(set(refs)) == len(refs)
    assert set(story.BLOCKING_HOLDS) <= set(keys)
    assert set(story.BLOCKING_HOLDS.values()) == {
        "customer_data",
        "tax_id",
        "payment_method",
        "credit",
        "duplicate",
    }


def test_history_fits_its_window_and_payments_follow_invoices():
    for _ref, days, _lines, payments in story.HISTORY:
        assert 0 <= days <= story.HISTORY_DAYS
        assert all(paid_days < days and 0 < share <= 1 for paid_days, share in payments)
    # The oldest month-end KPI snapshot (last day of the sixth month back) has sales
    # before it, whatever the day of the month the demo is made on.
    oldest_invoice = max(days for _ref, days, _lines, _payments in story.HISTORY)
    for today in (datetime.date(2026, 11, 30), datetime.date(2027, 3, 1)):
        oldest_snapshot = today.replace(day=1) - relativedelta(months=5) - datetime.timedelta(1)
        assert (today - oldest_snapshot).days < oldest_invoice


def test_retail_references_are_distinct():
    refs = {story.retail_ref(key) for key in story.RETAIL}
    assert len(refs) == len(story.RETAIL)
