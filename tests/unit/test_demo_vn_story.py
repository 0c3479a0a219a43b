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


def test_every_order_of_today_has_a_timeline_ending_at_its_stage():
    last_stage = {
        "accepted": "accepted",
        "verified": "verified",
        "packed": "packed",
        "shipped": "shipped",
        "delivered": "delivered",
        "invoiced": "delivered",
        "paid": "paid",
        # own van: shipped is delivered; returned after it was paid
        "adjusted": "shipped",
        "returned": "paid",
    }
    assert set(story.STAGE_TIMELINE) == {row[0] for row in story.TODAY}
    for key, _channel, _ref, _customer, _lines, _method, stage in story.TODAY:
        steps, _anchor = story.STAGE_TIMELINE[key]
        assert steps[-1][0] == last_stage[stage], key


def test_stage_times_end_at_the_last_stage_and_never_go_back():
    last = datetime.datetime(2026, 11, 27, 9, 0)
    for key, (steps, _anchor) in story.STAGE_TIMELINE.items():
        times = story.stage_times(steps, last)
        assert times[steps[-1][0]] == last
        moments = [times[stage] for stage, _hours in steps]
        assert moments == sorted(moments), key
        assert all(hours > 0 for _stage, hours in steps[1:]), key


def test_the_late_delivery_the_customer_complained_about_is_late():
    promise = datetime.timedelta(days=story.PROMISED_DAYS)
    times = story.stage_times(story.STAGE_TIMELINE["delivered"][0], datetime.datetime(2026, 1, 1))
    assert times["delivered"] - times["accepted"] > promise
    times = story.stage_times(story.STAGE_TIMELINE["paid"][0], datetime.datetime(2026, 1, 1))
    assert times["delivered"] - times["accepted"] <= promise


def test_sla_anchors_put_orders_on_track_at_risk_and_past_due():
    shares = {
        key: anchor[2]
        for key, (_steps, anchor) in story.STAGE_TIMELINE.items()
        if anchor[0] == "sla"
    }
    assert any(share < 0.8 for share in shares.values())
    assert any(0.8 <= share < 1 for share in shares.values())
    assert any(share >= 1 for share in shares.values())


def test_start_before_counts_working_hours_back():
    day1, day2 = datetime.date(2026, 11, 26), datetime.date(2026, 11, 27)

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour))

    intervals = [
        (at(day, start), at(day, stop)) for day in (day1, day2) for start, stop in ((1, 5), (6, 10))
    ]
    assert story.start_before(at(day2, 3), 1.5, intervals) == at(day2, 1) + datetime.timedelta(
        minutes=30
    )
    # 2 hours on day 2, then 1 hour back from the end of day 1
    assert story.start_before(at(day2, 3), 3, intervals) == at(day1, 9)
    # after the working day: counted from its end
    assert story.start_before(at(day2, 12), 1, intervals) == at(day2, 9)
    try:
        story.start_before(at(day2, 3), 20, intervals)
    except ValueError:
        pass
    else:
        raise AssertionError("not enough working time must raise")


def test_translatable_demo_names_have_an_english_name():
    names = [name for _code, name, *_ in story.PRODUCTS]
    names += [name for _xmlid, name, *_ in story.SLA_PROFILES]
    assert set(names) <= set(story.ENGLISH)
    # what is written in Vietnamese has an English name of its own
    assert all(en != vi for vi, en in story.ENGLISH.items() if not vi.isascii())
