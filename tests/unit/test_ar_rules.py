import datetime
from decimal import Decimal

import pytest
from ar_tests.sms_gateway import SmsGateway
from ar_tools import aging, dso, levels, sms

D = datetime.date
LEVELS = [
    levels.Level(1, -3),
    levels.Level(2, 1),
    levels.Level(3, 7),
    levels.Level(4, 15),
    levels.Level(5, 30),
]


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (D(2026, 11, 26), (), None),  # due 2026-12-01, 5 days before
        (D(2026, 11, 28), (), 1),  # 3 days before: friendly notice
        (D(2026, 11, 28), (1,), None),  # already sent
        (D(2026, 12, 2), (1,), 2),  # +1
        (D(2026, 12, 10), (1,), 3),  # +9: level +7, level +1 missed is skipped
        (D(2026, 12, 10), (1, 3), None),
        (D(2027, 3, 1), (1, 2, 3), 5),  # far overdue: the last level
        (D(2027, 3, 1), (5,), None),
    ],
)
def test_due_level(today, sent, expected):
    level = levels.due_level(LEVELS, D(2026, 12, 1), today, sent)
    assert (level.id if level else None) == expected


def test_pauses():
    today = D(2026, 12, 10)
    assert levels.paused(today, promise_date=D(2026, 12, 15)) == "promise"
    assert levels.paused(today, promise_date=D(2026, 12, 5)) is None, "promise date passed"
    assert levels.paused(today, promise_date=D(2026, 12, 15), promise_broken=True) is None
    assert levels.paused(today, disputed=True) == "disputed"
    assert levels.paused(today, opted_out=True) == "opted_out"


def test_buckets():
    assert aging.bucket_labels() == ["not_due", "1-30", "31-60", "61-90", "91-120", ">120"]
    assert [aging.bucket(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 999)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]
    assert aging.bucket_labels((15, 45)) == ["not_due", "1-15", "16-45", ">45"]


def test_age_sums_per_partner_and_bucket():
    as_of = D(2026, 11, 30)
    lines = [
        {"partner": "A", "due_date": D(2026, 12, 5), "residual": 100},
        {"partner": "A", "due_date": D(2026, 11, 20), "residual": 50.5},
        {"partner": "A", "due_date": D(2026, 6, 1), "residual": 10},
        {"partner": "B", "due_date": D(2026, 9, 1), "residual": 7},
    ]
    result = aging.age(lines, as_of)
    assert result["A"] == [Decimal(100), Decimal("50.5"), 0, 0, 0, Decimal(10)]
    assert result["B"] == [0, 0, 0, Decimal(7), 0, 0]


@pytest.mark.parametrize(
    ("due", "as_of", "rate"),
    [
        (D(2026, 1, 31), D(2026, 7, 31), "0"),  # exactly 6 months: not over 6 months
        (D(2026, 1, 31), D(2026, 8, 1), "0.30"),
        (D(2025, 11, 30), D(2026, 11, 29), "0.30"),
        (D(2025, 11, 30), D(2026, 11, 30), "0.50"),  # 1 year
        (D(2024, 11, 30), D(2026, 11, 30), "0.70"),
        (D(2023, 11, 30), D(2026, 11, 30), "1.00"),
        (D(2024, 2, 29), D(2025, 2, 28), "0.50"),  # leap day + 12 months = 28 Feb
    ],
)
def test_provision_rates_of_circular_48(due, as_of, rate):
    assert aging.provision_rate(due, as_of) == Decimal(rate)


def test_dso_methods():
    assert dso.simple_dso(300, 900, 90) == 30.0
    # AR 250: consumes November (31? no: 30 days, sales 200) then 50 of October's 100.
    assert dso.countback_dso(250, [(30, 200), (31, 100), (30, 100)]) == 45.5
    assert dso.countback_dso(0, [(30, 200)]) == 0.0
    assert dso.best_possible_dso(150, 900, 90) == 15.0
    assert dso.average_days_delinquent(30.0, 15.0) == 15.0
    # opening 100 + sales 900 - closing 300 = 700 collected, of 100 + 900 - 150 = 850.
    assert dso.collection_effectiveness(100, 900, 300, 150) == 82.35


@pytest.mark.parametrize(
    ("phone", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("024 3825 1234", "+842438251234"),
    ],
)
def test_phone_e164(phone, e164):
    assert sms.to_e164(phone) == e164


@pytest.mark.parametrize("phone", ["12", "abc", "", "0912"])
def test_bad_phone_named(phone):
    with pytest.raises(sms.SmsError, match=repr(phone)):
        sms.to_e164(phone)


def test_segments_gsm_and_unicode():
    assert sms.segments("a" * 160) == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("Quý khách còn nợ") == 1
    assert sms.segments("ư" * 71) == 2
    with pytest.raises(sms.SmsError, match="3 SMS parts"):
        sms.check_length("ư" * 140, 2)


def test_send_through_a_real_gateway():
    template = '{"to": "{phone}", "text": "{message}", "brandname": "{sender}"}'
    with SmsGateway() as gateway:
        sms.send(gateway.url, template, "+84912345678", 'Nợ "quá hạn"', "SAOMAI", auth="Bearer k")
        gateway.statuses = [500, 400]
        # A 5xx may come after the gateway handed the SMS on: not known to be unsent.
        with pytest.raises(sms.SmsUncertain, match="HTTP 500"):
            sms.send(gateway.url, template, "+84912345678", "x")
        with pytest.raises(sms.SmsError) as exc:
            sms.send(gateway.url, template, "+84912345678", "x")
        assert not isinstance(exc.value, sms.SmsUncertain)
        assert not exc.value.retryable
        # Held beyond the client's timeout: received, the answer never read.
        gateway.hold_text = "held"
        with pytest.raises(sms.SmsUncertain, match="did not answer in time"):
            sms.send(gateway.url, template, "+84912345678", "held", timeout=0.5)
        gateway.hold_text = None
        gateway.release.set()
        url = gateway.url
    # Nothing listens any more: refused, the message never left, safe to send again.
    with pytest.raises(sms.SmsError, match="unreachable") as exc:
        sms.send(url, template, "+84912345678", "x")
    assert not isinstance(exc.value, sms.SmsUncertain)
    assert exc.value.retryable
    first = gateway.received[0]
    assert first["body"] == {"to": "+84912345678", "text": 'Nợ "quá hạn"', "brandname": "SAOMAI"}
    assert first["auth"] == "Bearer k"
