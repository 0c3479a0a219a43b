import datetime

import pytest
from o2c_pipeline import intake


def payload(**kw):
    data = {
        "channel": "shopee",
        "external_ref": "SP-1",
        "customer": {"name": "Lan", "phone": "0912345678"},
        "lines": [{"default_code": "A", "qty": 2}],
    }
    data.update(kw)
    return data


def fields_of(exc):
    return [e["field"] for e in exc.value.errors]


def test_valid_order_is_normalised():
    order = intake.parse_order(
        payload(
            date_order="2026-11-26T08:30:00+07:00",
            lines=[{"barcode": 893, "qty": "1,5", "discount": 10}],
        )
    )
    assert order["date_order"] == datetime.datetime(2026, 11, 26, 1, 30)
    assert order["lines"][0]["barcode"] == "893"
    assert order["lines"][0]["qty"] == 1.5
    assert order["customer"]["is_company"] is False


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"channel": None}, "channel", None),
        ({"external_ref": ["x"]}, "external_ref", "['x']"),
        ({"lines": []}, "lines", "[]"),
        ({"lines": [{"default_code": "A", "qty": 0}]}, "lines[0].qty", 0),
        ({"lines": [{"default_code": "A", "qty": True}]}, "lines[0].qty", True),
        ({"lines": [{"default_code": "A", "qty": float("inf")}]}, "lines[0].qty", float("inf")),
        ({"lines": [{"default_code": "A", "qty": 1, "discount": 120}]}, "lines[0].discount", 120),
        ({"lines": [{"qty": 1}]}, "lines[0].default_code", None),
        ({"customer": "Lan"}, "customer", "Lan"),
        ({"commitment_date": 20261126}, "commitment_date", 20261126),
        ({"shipping": "fast"}, "shipping", "fast"),
    ],
)
def test_bad_field_is_named_with_its_value(changes, field, value):
    with pytest.raises(intake.IntakeError) as exc:
        intake.parse_order(payload(**changes))
    [error] = [e for e in exc.value.errors if e["field"] == field]
    assert error["value"] == value
    assert error["message"]


def test_all_errors_reported_at_once():
    with pytest.raises(intake.IntakeError) as exc:
        intake.parse_order({"lines": [{"qty": -1}], "customer": {"is_company": 1}})
    assert fields_of(exc) == [
        "channel",
        "external_ref",
        "customer.is_company",
        "lines[0].qty",
        "lines[0].default_code",
    ]


def test_missing_customer():
    data = payload()
    del data["customer"]
    with pytest.raises(intake.IntakeError) as exc:
        intake.parse_order(data)
    assert fields_of(exc) == ["customer"]


def test_long_values_are_cut_in_errors():
    with pytest.raises(intake.IntakeError) as exc:
        intake.parse_order(payload(note="x" * 5000))
    assert len(exc.value.errors[0]["value"]) == 203


def test_batch_shapes():
    assert intake.as_batch({"a": 1}) == [{"a": 1}]
    assert intake.as_batch(({"a": 1},)) == [{"a": 1}]
    with pytest.raises(intake.IntakeError):
        intake.as_batch("orders")
