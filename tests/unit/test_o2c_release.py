import datetime

import pytest
from o2c_pipeline import release
from o2c_pipeline.release import Candidate, Caps, Mismatch

DAY = datetime.datetime(2026, 11, 27, 8, 0)


def later(hours):
    return DAY + datetime.timedelta(hours=hours)


def ids(candidates):
    return [c.picking_id for c in release.order_candidates(candidates)]


def test_channel_priority_comes_first():
    low = Candidate(1, channel_priority=0, promised=DAY, vip=True, ordered=DAY)
    high = Candidate(2, channel_priority=5, promised=later(48), ordered=later(10))
    assert ids([low, high]) == [2, 1]


def test_promised_date_then_no_date_last():
    undated = Candidate(1, ordered=DAY)
    late = Candidate(2, promised=later(24), ordered=later(1))
    soon = Candidate(3, promised=later(2), ordered=later(2))
    assert ids([undated, late, soon]) == [3, 2, 1]


def test_vip_before_others_at_equal_promise():
    plain = Candidate(1, promised=DAY, ordered=DAY)
    vip = Candidate(2, promised=DAY, vip=True, ordered=later(5))
    assert ids([plain, vip]) == [2, 1]


def test_vip_beats_an_earlier_hour_of_the_same_promised_day():
    plain = Candidate(1, promised=DAY, ordered=DAY)
    vip = Candidate(2, promised=later(6), vip=True, ordered=later(6))
    next_day = Candidate(3, promised=later(24), vip=True, ordered=DAY)
    assert ids([next_day, plain, vip]) == [2, 1, 3]


def test_oldest_then_lowest_id():
    newer = Candidate(1, ordered=later(3))
    older = Candidate(2, ordered=DAY)
    tie_a = Candidate(4, ordered=later(4))
    tie_b = Candidate(3, ordered=later(4))
    assert ids([newer, older, tie_a, tie_b]) == [2, 1, 3, 4]


def test_waves_respect_order_cap():
    candidates = [Candidate(i, ordered=later(i)) for i in range(1, 8)]
    assert release.build_waves(candidates, Caps(max_orders=3)) == [[1, 2, 3], [4, 5, 6], [7]]


def test_waves_respect_line_cap_next_fit():
    candidates = [
        Candidate(1, lines=3, ordered=later(1)),
        Candidate(2, lines=3, ordered=later(2)),
        Candidate(3, lines=1, ordered=later(3)),
        Candidate(4, lines=2, ordered=later(4)),
    ]
    # 1+2 would be 6 > 5: picking 2 opens the next wave; 3 (1 line) does not jump ahead.
    assert release.build_waves(candidates, Caps(max_lines=5)) == [[1], [2, 3], [4]]


def test_oversized_picking_goes_alone():
    candidates = [Candidate(1, lines=9, ordered=later(1)), Candidate(2, lines=1, ordered=later(2))]
    assert release.build_waves(candidates, Caps(max_lines=4)) == [[1], [2]]


def test_wave_cap_leaves_the_rest_for_later():
    candidates = [Candidate(i, ordered=later(i)) for i in range(1, 10)]
    waves = release.build_waves(candidates, Caps(max_orders=2, max_waves=2))
    assert waves == [[1, 2], [3, 4]]


def test_no_caps_one_wave_and_empty_input():
    candidates = [Candidate(i) for i in (3, 1, 2)]
    assert release.build_waves(candidates, Caps()) == [[1, 2, 3]]
    assert release.build_waves([], Caps(max_orders=2)) == []


def test_waves_follow_priority_not_input_order():
    urgent = Candidate(9, channel_priority=10)
    rest = [Candidate(i, ordered=later(i)) for i in range(1, 4)]
    assert release.build_waves([*rest, urgent], Caps(max_orders=2)) == [[9, 1], [2, 3]]


@pytest.mark.parametrize("field", ["max_orders", "max_lines", "max_waves"])
@pytest.mark.parametrize("value", [-1, 2.5, "3", True])
def test_bad_caps_are_refused_naming_the_cap(field, value):
    with pytest.raises(ValueError, match=field):
        Caps(**{field: value})


def test_packing_matches():
    assert release.check_packing({"A": 2.0, "B": 1.0}, {"A": 2.0, "B": 1.0}) == []


def test_packing_missing_extra_wrong():
    found = release.check_packing({"A": 2.0, "B": 1.0}, {"A": 3.0, "C": 1.0})
    assert found == [
        Mismatch(release.EXTRA, "A", 2.0, 3.0),
        Mismatch(release.MISSING, "B", 1.0, 0.0),
        Mismatch(release.WRONG, "C", 0.0, 1.0),
    ]


def test_short_pick_is_not_missing_when_it_goes_to_a_backorder():
    assert release.check_packing({"A": 5.0}, {"A": 3.0}, short_allowed=True) == []
    # An extra item is still an extra item.
    assert release.check_packing({"A": 5.0}, {"A": 6.0}, short_allowed=True) == [
        Mismatch(release.EXTRA, "A", 5.0, 6.0)
    ]


def test_packing_ignores_rounding_noise():
    assert release.check_packing({"A": 1.0}, {"A": 1.0 + 1e-9}) == []
