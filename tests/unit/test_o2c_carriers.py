"""Carrier core: status tables, webhook parsing, times, event keys, ordering, secrets."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from o2c_pipeline import carriers
from o2c_pipeline.carriers import CarrierError, should_apply
from o2c_tests.carrier_servers import (
    generic_webhook_body,
    ghn_webhook_body,
    ghtk_webhook_body,
    viettelpost_webhook_body,
)

UTC = timezone.utc
ICT = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=ICT)


def one(carrier, body_and_type):
    events = carriers.parse_webhook(carrier, *body_and_type)
    assert len(events) == 1
    return events[0]


# -- status tables ---------------------------------------------------------------------------

GHN_ROWS = [
    ("ready_to_pick", "created"),
    ("picking", "created"),
    ("money_collect_picking", "created"),
    ("picked", "picked_up"),
    ("storing", "in_transit"),
    ("transporting", "in_transit"),
    ("sorting", "in_transit"),
    ("delivering", "out_for_delivery"),
    ("money_collect_delivering", "out_for_delivery"),
    ("delivered", "delivered"),
    ("delivery_fail", "failed_attempt"),
    ("waiting_to_return", "returning"),
    ("return", "returning"),
    ("return_transporting", "returning"),
    ("return_sorting", "returning"),
    ("returning", "returning"),
    ("return_fail", "returning"),
    ("returned", "returned"),
    ("cancel", "cancelled"),
    ("exception", "in_transit"),
    ("damage", "lost"),
    ("lost", "lost"),
]

GHTK_ROWS = [
    (-1, "cancelled"),
    (1, "created"),
    (2, "created"),
    (3, "picked_up"),
    (4, "out_for_delivery"),
    (5, "delivered"),
    (6, "delivered"),
    (7, "created"),
    (8, "created"),
    (9, "failed_attempt"),
    (10, "out_for_delivery"),
    (11, "returned"),
    (12, "created"),
    (13, "lost"),
    (20, "returning"),
    (21, "returned"),
]

VTP_ROWS = [
    (-100, "created"),
    (-108, "created"),
    (104, "created"),
    (105, "picked_up"),
    (107, "cancelled"),
    (200, "in_transit"),
    (300, "in_transit"),
    (400, "in_transit"),
    (500, "out_for_delivery"),
    (501, "delivered"),
    (502, "returning"),
    (503, "failed_attempt"),
    (504, "returned"),
    (505, "returning"),
    (506, "failed_attempt"),
    (507, "failed_attempt"),
    (508, "out_for_delivery"),
    (515, "returning"),
]


def test_tables_cover_exactly_the_listed_codes():
    assert carriers.STATUS_MAPS["ghn"] == dict(GHN_ROWS)
    assert carriers.STATUS_MAPS["ghtk"] == dict(GHTK_ROWS)
    assert carriers.STATUS_MAPS["viettelpost"] == dict(VTP_ROWS)
    assert carriers.STATUS_MAPS["generic"] == {s: s for s in carriers.STATES}
    for table in carriers.STATUS_MAPS.values():
        assert set(table.values()) <= set(carriers.STATES)


@pytest.mark.parametrize(("status", "state"), GHN_ROWS)
def test_ghn_status_row(status, state):
    event = one("ghn", ghn_webhook_body("GHN1", status, T0))
    assert (event.state, event.carrier_status) == (state, status)


@pytest.mark.parametrize(("status", "state"), GHTK_ROWS)
def test_ghtk_status_row(status, state):
    event = one("ghtk", ghtk_webhook_body("S1.A1.1", status, T0))
    assert (event.state, event.carrier_status) == (state, str(status))
    assert event.cod_remitted is (status == 6)


@pytest.mark.parametrize(("status", "state"), VTP_ROWS)
def test_viettelpost_status_row(status, state):
    event = one("viettelpost", viettelpost_webhook_body("VTP1", status, T0))
    assert (event.state, event.carrier_status) == (state, str(status))


@pytest.mark.parametrize("state", carriers.STATES)
def test_generic_status_row(state):
    assert one("generic", generic_webhook_body("G1", state, T0)).state == state


# -- GHN -------------------------------------------------------------------------------------


def test_ghn_webhook_fields():
    body = ghn_webhook_body(
        "Z82BS",
        "delivery_fail",
        "2021-11-11T03:52:50.158Z",
        client_order_code="SO042",
        reason="Khách hẹn giao lại",
        reason_code="GHN-DFC1A7",
        cod_amount=3000000,
        total_fee=71400,
    )
    event = one("ghn", body)
    assert event.carrier == "ghn"
    assert event.tracking_ref == "Z82BS"
    assert event.client_ref == "SO042"
    assert event.state == "failed_attempt"
    assert event.time == datetime(2021, 11, 11, 3, 52, 50, 158000, tzinfo=UTC)
    assert event.reason == "Khách hẹn giao lại"
    assert event.reason_code == "GHN-DFC1A7"
    assert event.cod_amount == Decimal(3000000)
    assert event.fee == Decimal(71400)
    assert event.raw["OrderCode"] == "Z82BS"
    json.dumps(event.raw)  # storable as JSON


def test_ghn_fee_falls_back_to_fee_total():
    payload = json.loads(ghn_webhook_body("Z1", "picked", T0, total_fee=5)[0])
    del payload["TotalFee"]
    payload["Fee"]["Total"] = 22000
    event = one("ghn", (json.dumps(payload).encode(), "application/json"))
    assert event.fee == Decimal(22000)


@pytest.mark.parametrize("kind", ["create", "update_weight", "update_cod", "update_fee"])
def test_ghn_other_types_yield_an_event_only_with_a_status(kind):
    body = ghn_webhook_body("Z1", "ready_to_pick", T0, type=kind)
    assert one("ghn", body).state == "created"
    payload = json.loads(body[0])
    payload["Status"] = ""
    assert carriers.parse_webhook("ghn", json.dumps(payload).encode(), "application/json") == []
    del payload["Status"]
    assert carriers.parse_webhook("ghn", json.dumps(payload).encode(), "application/json") == []


def test_ghn_status_is_read_case_insensitively():
    assert one("ghn", ghn_webhook_body("Z1", "Delivered", T0)).state == "delivered"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Time": "yesterday"}, "GHN webhook: field 'Time' has value 'yesterday', not a date-time"),
        ({"Time": None}, "GHN webhook: field 'Time' is missing"),
        ({"OrderCode": ""}, "GHN webhook: field 'OrderCode' is missing"),
        ({"OrderCode": None}, "GHN webhook: field 'OrderCode' is missing"),
        ({"OrderCode": ["x"]}, "GHN webhook: field 'OrderCode' has value ['x'], not a text"),
        ({"Status": "teleported"}, "field 'Status' has value 'teleported', not a known status"),
        ({"CODAmount": "lots"}, "field 'CODAmount' has value 'lots', not an amount"),
        ({"CODAmount": -5}, "field 'CODAmount' has value -5, not an amount"),
        ({"TotalFee": "NaN"}, "field 'TotalFee' has value 'NaN', not an amount"),
    ],
)
def test_ghn_malformed_field_is_named(change, message):
    payload = json.loads(ghn_webhook_body("Z1", "picked", T0)[0])
    for key, value in change.items():
        if value is None:
            payload.pop(key)
        else:
            payload[key] = value
    with pytest.raises(CarrierError) as error:
        carriers.parse_webhook("ghn", json.dumps(payload).encode(), "application/json")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "GHN webhook: the body is not JSON"),
        (b"", "GHN webhook: the body is not JSON"),
        (b"\xff\xfe", "GHN webhook: the body is not UTF-8 text"),
        (b'"text"', "GHN webhook: field 'body' has value 'text', not a JSON object"),
        (b"[1]", "GHN webhook: field 'body' has value 1, not a JSON object"),
    ],
)
def test_ghn_malformed_body(body, message):
    with pytest.raises(CarrierError, match=message):
        carriers.parse_webhook("ghn", body, "application/json")


# -- GHTK ------------------------------------------------------------------------------------


def test_ghtk_form_fields():
    body = ghtk_webhook_body(
        "S1.A1.17373471",
        9,
        "2016-11-02T12:18:39+07:00",
        partner_id="SO042",
        reason_code="135",
        reason="Không liên lạc được khách",
        fee=15000,
        pick_money=100000,
    )
    assert body[1] == "application/x-www-form-urlencoded"
    event = one("ghtk", body)
    assert event.carrier == "ghtk"
    assert event.tracking_ref == "S1.A1.17373471"
    assert event.client_ref == "SO042"
    assert event.state == "failed_attempt"
    assert event.carrier_status == "9"
    assert event.time == datetime(2016, 11, 2, 5, 18, 39, tzinfo=UTC)
    assert (event.reason, event.reason_code) == ("Không liên lạc được khách", "135")
    assert (event.cod_amount, event.fee) == (Decimal(100000), Decimal(15000))
    json.dumps(event.raw)


def test_ghtk_json_body_with_the_same_keys():
    form = one("ghtk", ghtk_webhook_body("S1", 5, T0, pick_money=100000))
    as_json = one("ghtk", ghtk_webhook_body("S1", 5, T0, pick_money=100000, as_json=True))
    assert as_json.state == form.state == "delivered"
    assert as_json.cod_amount == form.cod_amount == Decimal(100000)
    assert as_json.event_key == form.event_key


def test_ghtk_their_documented_unencoded_plus_in_action_time():
    # GHTK's page shows the form body with a literal "+07:00", which decodes as a space.
    body = (
        b"label_id=S1.A1.17373471&partner_id=1234567&action_time=2016-11-02T12:18:39+07:00"
        b"&status_id=5&reason_code=&reason=&weight=2.4&fee=1500&return_part_package=0"
    )
    event = one("ghtk", (body, "application/x-www-form-urlencoded"))
    assert event.time == datetime(2016, 11, 2, 5, 18, 39, tzinfo=UTC)


def test_ghtk_content_type_sniffed_when_missing():
    body, _type = ghtk_webhook_body("S1", 3, T0, as_json=True)
    assert one("ghtk", (body, "")).state == "picked_up"
    body, _type = ghtk_webhook_body("S1", 3, T0)
    assert one("ghtk", (body, "")).state == "picked_up"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"status_id": 99},
            "GHTK webhook: field 'status_id' has value 99, not a known status code",
        ),
        ({"status_id": "five"}, "field 'status_id' has value 'five', not a whole number"),
        ({"status_id": ""}, "GHTK webhook: field 'status_id' is missing"),
        ({"label_id": ""}, "GHTK webhook: field 'label_id' is missing"),
        ({"action_time": "soon"}, "field 'action_time' has value 'soon', not a date-time"),
        ({"action_time": ""}, "GHTK webhook: field 'action_time' is missing"),
        ({"pick_money": "100k"}, "field 'pick_money' has value '100k', not an amount"),
        ({"fee": "-1"}, "field 'fee' has value '-1', not an amount"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_ghtk_malformed_field_is_named(change, message, as_json):
    values = {"label_id": "S1", "status_id": 3, "action_time": T0.isoformat()}
    values.update(change)
    label = values.pop("label_id")
    status = values.pop("status_id")
    moment = values.pop("action_time")
    body = ghtk_webhook_body(label, status, moment, as_json=as_json, **values)
    with pytest.raises(CarrierError) as error:
        carriers.parse_webhook("ghtk", *body)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/x-www-form-urlencoded", "GHTK webhook: the body has no form fields"),
        (b"{broken", "application/json", "GHTK webhook: the body is not JSON"),
        (b"status_id=3", "application/x-www-form-urlencoded", "field 'label_id' is missing"),
    ],
)
def test_ghtk_malformed_body(body, content_type, message):
    with pytest.raises(CarrierError, match=message):
        carriers.parse_webhook("ghtk", body, content_type)


# -- Viettel Post ----------------------------------------------------------------------------


def test_viettelpost_fields_and_token():
    body = viettelpost_webhook_body(
        "10345381626",
        501,
        "13/12/2018 17:34:05",
        order_reference="SO042",
        token="vtp-secret",
        note="Giao thành công",
        money_collection=250000,
        money_total=30000,
    )
    event = one("viettelpost", body)
    assert event.carrier == "viettelpost"
    assert event.tracking_ref == "10345381626"
    assert event.client_ref == "SO042"
    assert event.state == "delivered"
    assert event.time == datetime(2018, 12, 13, 10, 34, 5, tzinfo=UTC)
    assert event.reason == "Giao thành công"
    assert (event.cod_amount, event.fee) == (Decimal(250000), Decimal(30000))
    assert carriers.body_token("viettelpost", body[0]) == "vtp-secret"
    assert carriers.check_secret("vtp-secret", carriers.body_token("viettelpost", body[0]))


def test_body_token_of_carriers_without_one_and_of_garbage():
    assert carriers.body_token("ghn", ghn_webhook_body("Z1", "picked", T0)[0]) == ""
    assert carriers.body_token("ghtk", ghtk_webhook_body("S1", 3, T0)[0]) == ""
    assert carriers.body_token("viettelpost", b"garbage") == ""
    assert carriers.body_token("viettelpost", b'{"TOKEN": 5}') == ""
    assert carriers.body_token("viettelpost", b'{"DATA": {}}') == ""


def test_viettelpost_status_name_is_the_reason_without_note():
    body = viettelpost_webhook_body("V1", 506, T0, status_name="Không gặp khách")
    assert one("viettelpost", body).reason == "Không gặp khách"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ORDER_STATUS": 999}, "field 'ORDER_STATUS' has value 999, not a known status code"),
        ({"ORDER_STATUS": None}, "Viettel Post webhook: field 'ORDER_STATUS' is missing"),
        ({"ORDER_NUMBER": ""}, "Viettel Post webhook: field 'ORDER_NUMBER' is missing"),
        (
            {"ORDER_STATUSDATE": "32/13/2018 17:34:05"},
            "field 'ORDER_STATUSDATE' has value '32/13/2018 17:34:05', not a date-time",
        ),
        ({"MONEY_COLLECTION": "abc"}, "field 'MONEY_COLLECTION' has value 'abc', not an amount"),
    ],
)
def test_viettelpost_malformed_field_is_named(change, message):
    payload = json.loads(viettelpost_webhook_body("V1", 501, T0)[0])
    payload["DATA"].update(change)
    payload["DATA"] = {k: v for k, v in payload["DATA"].items() if v is not None}
    with pytest.raises(CarrierError) as error:
        carriers.parse_webhook("viettelpost", json.dumps(payload).encode(), "application/json")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<xml/>", "Viettel Post webhook: the body is not JSON"),
        (b'{"TOKEN": "x"}', "Viettel Post webhook: field 'DATA' is missing"),
        (b'{"DATA": "x"}', "Viettel Post webhook: field 'DATA' has value 'x', not a JSON object"),
    ],
)
def test_viettelpost_malformed_body(body, message):
    with pytest.raises(CarrierError, match=message):
        carriers.parse_webhook("viettelpost", body, "application/json")


# -- generic and dispatch --------------------------------------------------------------------


def test_generic_fields_and_list():
    payload = [
        json.loads(generic_webhook_body("G1", "picked_up", T0, client_ref="SO1")[0]),
        json.loads(
            generic_webhook_body("G1", "delivered", T0 + timedelta(hours=5), cod_amount=120000)[0]
        ),
    ]
    events = carriers.parse_webhook("generic", json.dumps(payload).encode(), "application/json")
    assert [e.state for e in events] == ["picked_up", "delivered"]
    assert events[0].client_ref == "SO1"
    assert events[1].cod_amount == Decimal(120000)


def test_generic_status_must_be_one_of_our_states():
    with pytest.raises(CarrierError, match="field 'status' has value 'shipped'"):
        carriers.parse_webhook("generic", *generic_webhook_body("G1", "shipped", T0))


def test_unknown_carrier():
    with pytest.raises(CarrierError, match="carrier 'dhl' is not one of"):
        carriers.parse_webhook("dhl", b"{}", "application/json")


def test_body_as_text_is_accepted():
    body, content_type = ghn_webhook_body("Z1", "picked", T0)
    assert carriers.parse_webhook("ghn", body.decode(), content_type)[0].state == "picked_up"


# -- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T09:00:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        ("2026-11-27 09:00:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        ("2026-11-27T09:00:00+07:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        ("2026-11-27T02:00:00Z", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        ("2026-11-27T02:00:00.500Z", datetime(2026, 11, 27, 2, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-27T10:00:00+08:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        ("27/11/2026 09:00:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
        ("27/11/2026 09:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
    ],
)
def test_times_default_to_vietnam_and_come_out_in_utc(text, expected):
    moment = carriers.parse_time("X", "time", text)
    assert moment == expected
    assert moment.tzinfo == UTC


def test_time_zone_in_every_carrier_format():
    naive = "2026-11-27 09:00:00"
    expected = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert one("ghn", ghn_webhook_body("Z1", "picked", naive)).time == expected
    assert one("ghtk", ghtk_webhook_body("S1", 3, naive)).time == expected
    assert one("viettelpost", viettelpost_webhook_body("V1", 105, "27/11/2026 09:00:00")).time == (
        expected
    )
    assert one("generic", generic_webhook_body("G1", "picked_up", naive)).time == expected


# -- event keys ------------------------------------------------------------------------------


def test_event_key_is_stable_for_the_same_event():
    first = one("ghn", ghn_webhook_body("Z1", "delivered", "2026-11-27T09:00:00+07:00"))
    # GHN's resend of the same event, the time written in UTC and other fields changed.
    again = one("ghn", ghn_webhook_body("Z1", "delivered", "2026-11-27T02:00:00Z", reason="resent"))
    assert first.event_key == again.event_key
    assert len(first.event_key) == 64
    int(first.event_key, 16)


def test_event_key_differs_by_carrier_ref_status_and_time():
    base = one("ghn", ghn_webhook_body("Z1", "delivering", T0)).event_key
    keys = {
        base,
        one("ghn", ghn_webhook_body("Z2", "delivering", T0)).event_key,
        one("ghn", ghn_webhook_body("Z1", "delivery_fail", T0)).event_key,
        one("ghn", ghn_webhook_body("Z1", "delivering", T0 + timedelta(seconds=1))).event_key,
        one("generic", generic_webhook_body("Z1", "out_for_delivery", T0)).event_key,
    }
    assert len(keys) == 5
    # Two GHN statuses mapping to one state are two events.
    assert (
        one("ghn", ghn_webhook_body("Z1", "storing", T0)).event_key
        != one("ghn", ghn_webhook_body("Z1", "sorting", T0)).event_key
    )


def test_event_is_frozen():
    event = one("ghn", ghn_webhook_body("Z1", "picked", T0))
    with pytest.raises(AttributeError):
        event.state = "delivered"


# -- should_apply ----------------------------------------------------------------------------

T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)


def test_first_event_always_applies():
    assert should_apply("", None, "delivered", T0)
    assert should_apply(None, None, "created", None)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("created", "picked_up"),
        ("picked_up", "in_transit"),
        ("in_transit", "out_for_delivery"),
        ("out_for_delivery", "failed_attempt"),
        ("out_for_delivery", "delivered"),
        ("failed_attempt", "delivered"),
        ("failed_attempt", "returning"),
        ("returning", "returned"),
        ("in_transit", "lost"),
        ("created", "cancelled"),
        ("created", "delivered"),  # a skipped step is still progress
    ],
)
def test_forward_moves_apply(current, new):
    assert should_apply(current, T0, new, T1)
    assert should_apply(current, None, new, None)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("picked_up", "created"),
        ("in_transit", "picked_up"),
        ("out_for_delivery", "in_transit"),
        ("returning", "failed_attempt"),
    ],
)
def test_backward_moves_never_apply_even_when_later(current, new):
    assert not should_apply(current, T0, new, T1)


def test_older_event_never_moves_the_state():
    # Delivered out of order: "out_for_delivery" (T1) arrives after "in_transit" ... at T2.
    assert not should_apply("in_transit", T2, "out_for_delivery", T1)
    assert should_apply("in_transit", T1, "out_for_delivery", T2)


@pytest.mark.parametrize("state", sorted(carriers.FINAL_STATES))
def test_duplicate_never_applies(state):
    assert not should_apply(state, T0, state, T0)
    assert not should_apply("in_transit", T0, "in_transit", T1)


@pytest.mark.parametrize("final", sorted(carriers.FINAL_STATES))
@pytest.mark.parametrize("new", carriers.STATES)
def test_final_states_are_never_left(final, new):
    assert not should_apply(final, T0, new, T2)


def test_delivered_does_not_become_returning():
    assert not should_apply("delivered", T0, "returning", T1)
    assert not should_apply("delivered", T0, "returned", T1)


def test_delivery_rounds_alternate_when_later():
    assert should_apply("failed_attempt", T0, "out_for_delivery", T1)
    assert should_apply("out_for_delivery", T1, "failed_attempt", T2)
    # An older or same-time new round does not undo the failure.
    assert not should_apply("failed_attempt", T1, "out_for_delivery", T0)
    assert not should_apply("failed_attempt", T1, "out_for_delivery", T1)
    assert not should_apply("failed_attempt", None, "out_for_delivery", T1)


def test_should_apply_refuses_unknown_states():
    with pytest.raises(CarrierError, match="state 'shipped' is not one of"):
        should_apply("created", T0, "shipped", T1)
    with pytest.raises(CarrierError, match="state 'shipped' is not one of"):
        should_apply("shipped", T0, "created", T1)


def test_out_of_order_ghtk_stream_ends_delivered():
    sent = [(3, T0), (4, T0 + timedelta(hours=3)), (9, T0 + timedelta(hours=4))]
    sent += [(10, T0 + timedelta(hours=20)), (5, T0 + timedelta(hours=26))]
    received = [sent[0], sent[2], sent[1], sent[4], sent[3], sent[4]]
    state, moment, seen = "", None, set()
    for status, at in received:
        event = one("ghtk", ghtk_webhook_body("S1", status, at))
        if event.event_key in seen:
            continue
        seen.add(event.event_key)
        if should_apply(state, moment, event.state, event.time):
            state, moment = event.state, event.time
    assert state == "delivered"
    assert len(seen) == 5


def test_ghn_exception_is_a_hold_not_a_loss():
    """GHN's "exception" is an off-process hold: delivering -> exception -> delivered
    ends delivered; damage and lost stay final."""
    state, moment = "", None
    for status, hour in (("delivering", 9), ("exception", 10), ("delivered", 12)):
        event = one("ghn", ghn_webhook_body("GHN1", status, T0 + timedelta(hours=hour)))
        assert event.state not in carriers.FINAL_STATES or status == "delivered"
        if should_apply(state, moment, event.state, event.time):
            state, moment = event.state, event.time
    assert state == "delivered"
    for status in ("damage", "lost"):
        assert one("ghn", ghn_webhook_body("GHN1", status, T0)).state == "lost"


def test_unsourced_viettelpost_codes_are_never_final():
    from o2c_pipeline.carriers import viettelpost  # noqa: PLC0415

    for code, state in viettelpost.UNSOURCED_STATUS_MAP.items():
        assert state not in carriers.FINAL_STATES, code


def test_future_time_is_clamped():
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    ahead = now + timedelta(days=300)
    assert carriers.clamp_time(ahead, now) == now + timedelta(minutes=10)
    assert carriers.clamp_time(now - timedelta(hours=1), now) == now - timedelta(hours=1)
    assert carriers.clamp_time(None, now) is None


# -- secrets ---------------------------------------------------------------------------------


def test_check_secret():
    assert carriers.check_secret("s3cret", "s3cret")
    assert carriers.check_secret(b"s3cret", "s3cret")
    assert carriers.check_secret("mật-khẩu", "mật-khẩu")
    assert not carriers.check_secret("s3cret", "s3cre")
    assert not carriers.check_secret("s3cret", "")
    assert not carriers.check_secret("s3cret", None)
    assert not carriers.check_secret("", "")
    assert not carriers.check_secret(None, "anything")
    assert not carriers.check_secret("", None)
