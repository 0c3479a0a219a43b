import datetime

import pytest
from o2c_pipeline import sla
from o2c_pipeline.sla import Peak, ProfileRule

D = datetime.datetime
UTC_OFFSET = datetime.timedelta(hours=7)  # Asia/Ho_Chi_Minh


def office_intervals(first_day, days, holidays=(), shifts=((8, 12), (13, 17))):
    """Work intervals in naive UTC of a Vietnamese office open Monday to Friday
    (local hours ``shifts``), closed on ``holidays`` (local dates)."""
    intervals = []
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        if day.weekday() >= 5 or day in holidays:
            continue
        for begin, end in shifts:
            local = D.combine(day, datetime.time())
            intervals.append(
                (
                    local + datetime.timedelta(hours=begin) - UTC_OFFSET,
                    local + datetime.timedelta(hours=end) - UTC_OFFSET,
                )
            )
    return intervals


def local(*args):
    """A local Vietnamese time as naive UTC."""
    return D(*args) - UTC_OFFSET


# Friday 2026-11-27 to mid-December
NOV = office_intervals(datetime.date(2026, 11, 23), 30)


def test_hours_within_a_day():
    assert sla.add_working_hours(local(2026, 11, 27, 9), 2, NOV) == local(2026, 11, 27, 11)


def test_lunch_break_is_skipped():
    assert sla.add_working_hours(local(2026, 11, 27, 11), 2, NOV) == local(2026, 11, 27, 14)


def test_weekend_is_skipped():
    # Friday 15:00 + 4 h: 2 h on Friday, then Monday 08:00 + 2 h.
    assert sla.add_working_hours(local(2026, 11, 27, 15), 4, NOV) == local(2026, 11, 30, 10)


def test_start_outside_working_hours():
    # Saturday evening: the clock starts on Monday 08:00.
    assert sla.add_working_hours(local(2026, 11, 28, 20), 1, NOV) == local(2026, 11, 30, 9)
    # Before opening on a working day.
    assert sla.add_working_hours(local(2026, 11, 27, 6), 1, NOV) == local(2026, 11, 27, 9)


def test_holiday_is_skipped():
    # Tết 2026: 14-22 Feb (Saturday to Sunday); Friday 13 Feb 16:00 + 2 h -> Monday 23 Feb 09:00.
    tet = {datetime.date(2026, 2, 14) + datetime.timedelta(days=n) for n in range(9)}
    intervals = office_intervals(datetime.date(2026, 2, 9), 20, holidays=tet)
    assert sla.add_working_hours(local(2026, 2, 13, 16), 2, intervals) == local(2026, 2, 23, 9)
    # Without the holiday it would be Monday 16 Feb 09:00.
    plain = office_intervals(datetime.date(2026, 2, 9), 20)
    assert sla.add_working_hours(local(2026, 2, 13, 16), 2, plain) == local(2026, 2, 16, 9)


def test_crossing_midnight():
    # A warehouse working 22:00-06:00 local (15:00-23:00 UTC, one interval across midnight).
    night = [
        (D(2026, 11, 26, 15), D(2026, 11, 26, 23)),
        (D(2026, 11, 27, 15), D(2026, 11, 27, 23)),
    ]
    # Local 23:00 + 3 h = local 02:00 the next day.
    assert sla.add_working_hours(local(2026, 11, 26, 23), 3, night) == local(2026, 11, 27, 2)
    # 8 h from local 04:00: 2 h that night, 6 h the next (ends local 04:00 the day after).
    assert sla.add_working_hours(local(2026, 11, 27, 4), 8, night) == local(2026, 11, 28, 4)


def test_not_enough_intervals():
    with pytest.raises(sla.NotEnoughWorkTime):
        sla.add_working_hours(local(2026, 11, 27, 9), 1000, NOV)
    with pytest.raises(ValueError):
        sla.add_working_hours(local(2026, 11, 27, 9), -1, NOV)


def test_working_hours_between():
    assert sla.working_hours_between(local(2026, 11, 27, 15), local(2026, 11, 30, 10), NOV) == 4


def test_peak_stretch():
    tet = Peak(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), {"shipped": 2.0})
    black_friday = Peak(datetime.date(2026, 2, 10), datetime.date(2026, 2, 12), {"shipped": 1.5})
    assert sla.stretch_factor([tet], datetime.date(2026, 2, 10), "shipped") == 2.0
    assert sla.stretch_factor([tet, black_friday], datetime.date(2026, 2, 11), "shipped") == 2.0
    assert sla.stretch_factor([tet], datetime.date(2026, 2, 10), "packed") == 1.0
    assert sla.stretch_factor([tet], datetime.date(2026, 3, 1), "shipped") == 1.0
    # 12 h stretched x2 from Monday 8:00: 24 working hours = three full days.
    intervals = office_intervals(datetime.date(2026, 2, 2), 14)
    start = local(2026, 2, 2, 8)
    due = sla.due("shipped", start, 12, 2.0, intervals)
    assert due.deadline == local(2026, 2, 4, 17)
    assert due.budget_hours == 24


def test_status_at_risk_at_80_percent():
    start = local(2026, 11, 30, 8)  # Monday
    due = sla.due("verified", start, 10, 1.0, NOV)
    # 10 h: Monday 8 h + Tuesday 2 h; 80 % = 8 h = Monday 17:00.
    assert due.deadline == local(2026, 12, 1, 10)
    assert due.risk_date == local(2026, 11, 30, 17)
    assert sla.status(local(2026, 11, 30, 16, 59), due.deadline, due.risk_date) == "on_track"
    assert sla.status(local(2026, 11, 30, 17), due.deadline, due.risk_date) == "at_risk"
    assert sla.status(local(2026, 12, 1, 10), due.deadline, due.risk_date) == "breached"
    assert sla.status(local(2026, 12, 1, 10), False, False) == "none"


def test_alert_deduplication():
    assert sla.needs_alert(False, "verified", "at_risk")
    assert not sla.needs_alert("verified:at_risk", "verified", "at_risk")
    assert sla.needs_alert("verified:at_risk", "verified", "breached")
    assert not sla.needs_alert("verified:breached", "verified", "at_risk")
    assert not sla.needs_alert("verified:breached", "verified", "breached")
    assert sla.needs_alert("verified:breached", "packed", "at_risk")
    assert not sla.needs_alert(False, "verified", "on_track")


def test_open_transition_and_start():
    t0, t1 = D(2026, 11, 27, 1), D(2026, 11, 27, 5)
    assert sla.open_transition({}) is None
    assert sla.open_transition({"accepted": t0}) == "verified"
    assert sla.open_transition({"accepted": t0, "verified": t1}) == "packed"
    assert sla.transition_start({"accepted": t0, "verified": t1}, "packed") == t1
    # Packing skipped (one-step delivery): no shipping deadline from packing.
    assert sla.transition_start({"accepted": t0, "verified": t1}, "shipped") is None
    assert sla.open_transition({"accepted": t0, "shipped": t1}) == "delivered"
    assert sla.open_transition({"accepted": t0, "delivered": t1}) is None


def test_profile_matching_specific_first():
    generic = ProfileRule(1, sequence=1)
    shopee = ProfileRule(2, sequence=20, channel_ids=frozenset({7}))
    shopee_vip = ProfileRule(3, sequence=30, channel_ids=frozenset({7}), tag_ids=frozenset({9}))
    rules = [generic, shopee, shopee_vip]
    assert sla.match_profile(rules, 7, [9]) == 3
    assert sla.match_profile(rules, 7, [8]) == 2
    assert sla.match_profile(rules, 5, [9]) == 1
    assert sla.match_profile([shopee], 5, []) is None


def test_zone_hours():
    lines = [((), 48.0), ((1, 2), 24.0)]
    assert sla.pick_zone_hours(lines, 2) == 24.0
    assert sla.pick_zone_hours(lines, 3) == 48.0
    assert sla.pick_zone_hours([((1,), 24.0)], 3) is None


def test_caps():
    tet = Peak(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert sla.peak_cap([(tet, 30)], datetime.date(2026, 2, 5)) == 30
    assert sla.peak_cap([(tet, 30)], datetime.date(2026, 3, 5)) == 0
    assert sla.smallest_cap(50, 30) == 30
    assert sla.smallest_cap(0, 30) == 30
    assert sla.smallest_cap(50, 0) == 50


def test_delivery_end():
    shipped, paid, delivered = (datetime.datetime(2026, 11, 30, h) for h in (9, 10, 11))
    assert sla.delivery_end({"shipped": shipped}, carrier_tracked=True) is None
    assert sla.delivery_end({"shipped": shipped}, carrier_tracked=False) == shipped
    assert sla.delivery_end({"shipped": shipped, "paid": paid}, carrier_tracked=True) == paid
    assert sla.delivery_end({"shipped": shipped, "closed": paid}, carrier_tracked=True) == paid
    both = {"shipped": shipped, "paid": paid, "delivered": delivered}
    assert sla.delivery_end(both, carrier_tracked=True) == delivered
    assert sla.delivery_end({}, carrier_tracked=False) is None


def test_in_scope():
    assert sla.in_scope("sale", False, False)
    assert not sla.in_scope("cancel", True, True)
    assert not sla.in_scope("draft", False, False)
    assert sla.in_scope("sent", True, False)
    assert sla.in_scope("draft", False, True)
