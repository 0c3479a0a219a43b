"""Order intake and status through a running Odoo server, as integrations
call it: XML-RPC on /xmlrpc/2 and JSON on /json/2 with an API key."""

import concurrent.futures
import uuid

import pytest


def ref(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def order(external_ref, channel="shopee", **extra):
    data = {
        "channel": channel,
        "external_ref": external_ref,
        "payment_method": "cod",
        "customer": {
            "name": "Phạm Thu Hà",
            "phone": f"+84 90{uuid.uuid4().int % 10**7:07d}",
            "street": "1 Hàng Bài",
            "ward": "Phường Hoàn Kiếm",
            "province": "VN-HN",
            "country": "VN",
        },
        "lines": [{"default_code": "O2C-NM500", "qty": 1}],
    }
    data.update(extra)
    return data


def test_xmlrpc_batch_with_one_bad_order_and_idempotent_retry(rpc):
    good1, bad, good2 = ref("X"), ref("X"), ref("X")
    batch = [
        order(good1),
        order(bad, lines=[{"default_code": "NO-SUCH-CODE", "qty": 1}]),
        order(good2, lines=[{"barcode": "8930000000024", "qty": 2}]),
    ]
    results = rpc.call("sale.order", "o2c_intake", batch)
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["errors"] == [
        {
            "field": "lines[0].default_code",
            "value": "NO-SUCH-CODE",
            "message": "no product has this code",
        }
    ]
    assert rpc.call("sale.order", "search_count", [("o2c_external_ref", "=", bad)]) == 0

    again = rpc.call("sale.order", "o2c_intake", batch)
    assert [r["status"] for r in again] == ["exists", "rejected", "exists"]
    assert again[0]["order_id"] == results[0]["order_id"]
    assert rpc.call("sale.order", "search_count", [("o2c_external_ref", "in", [good1, good2])]) == 2


def test_json2_intake_then_status(json2):
    external_ref = ref("J")
    [result] = json2.call("sale.order", "o2c_intake", orders=order(external_ref, channel="tiktok"))
    assert result["status"] == "created"
    assert result["stage"] == "accepted"
    assert result["hold"] is False
    [status] = json2.call(
        "sale.order", "o2c_status", refs=[{"channel": "tiktok", "external_ref": external_ref}]
    )
    assert status["found"] is True
    assert status["order_id"] == result["order_id"]
    assert status["stage_dates"]["accepted"]
    assert status["invoices"] == []


def test_same_reference_across_protocols_is_one_order(rpc, json2):
    external_ref = ref("P")
    first = rpc.call("sale.order", "o2c_intake", order(external_ref))[0]
    [second] = json2.call("sale.order", "o2c_intake", orders=[order(external_ref)])
    assert (first["status"], second["status"]) == ("created", "exists")
    assert second["order_id"] == first["order_id"]


def test_concurrent_submissions_create_one_order(json2):
    external_ref = ref("C")
    payload = [order(external_ref)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: json2.call("sale.order", "o2c_intake", orders=payload)[0], range(4))
        )
    statuses = sorted(r["status"] for r in results)
    assert statuses == ["created", "exists", "exists", "exists"]
    assert len({r["order_id"] for r in results}) == 1


def test_bad_payload_types_over_json2(json2):
    [result] = json2.call(
        "sale.order",
        "o2c_intake",
        orders=[{"channel": 42.5, "external_ref": ref("B"), "customer": [], "lines": {"qty": 1}}],
    )
    assert result["status"] == "rejected"
    assert {e["field"] for e in result["errors"]} == {"channel", "customer", "lines"}


def test_hold_blocks_confirmation_over_both_apis(rpc, json2):
    held_ref = ref("H")
    [result] = json2.call(
        "sale.order", "o2c_intake", orders=[order(held_ref, payment_method="credit")]
    )
    assert result["status"] == "created"
    assert result["hold"] is True
    reply = json2.post("sale.order", "action_confirm", ids=[result["order_id"]])
    assert reply.status_code == 422, reply.text
    assert "on hold" in reply.json()["message"]
    with pytest.raises(Exception, match="on hold"):
        rpc.call("sale.order", "action_confirm", [result["order_id"]])
    [state] = rpc.call("sale.order", "read", [result["order_id"]], ["state", "o2c_hold"])
    assert (state["state"], state["o2c_hold"]) == ("draft", True)
    [status] = json2.call("sale.order", "o2c_status", refs=[result["order_id"]])
    assert [h["rule"] for h in status["holds"] if h["state"] == "block"] == ["payment_method"]


def test_private_helpers_not_callable(json2):
    reply = json2.post("sale.order", "_o2c_override", ids=[1], reason="x")
    assert reply.status_code in (403, 404, 422)
