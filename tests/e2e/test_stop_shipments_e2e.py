"""Stop shipments through the external API: a reminder level stops a customer's deliveries;
an integration validating a delivery over XML-RPC gets an error naming the customer; paying
the overdue invoice over XML-RPC lets the delivery through."""

import datetime
import uuid
import xmlrpc.client

import pytest


def test_reminder_stops_deliveries_until_paid(server, rpc):
    tag = uuid.uuid4().hex[:8]
    [user] = rpc.call("res.users", "read", [rpc.uid], ["company_id"])
    company_id = user["company_id"][0]
    policy_id = rpc.call(
        "ar.reminder.policy",
        "create",
        {
            "name": f"Stop {tag}",
            "company_id": company_id,
            "level_ids": [
                (
                    0,
                    0,
                    {"name": "Stop", "offset_days": 1, "send_email": False, "stop_shipments": True},
                )
            ],
        },
    )
    customer_id = rpc.call(
        "res.partner", "create", {"name": f"Đại lý {tag}", "ar_policy_id": policy_id}
    )
    due = (datetime.date.today() - datetime.timedelta(days=5)).isoformat()
    invoice_id = rpc.call(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": customer_id,
            "invoice_date": due,
            "invoice_date_due": due,
            "invoice_line_ids": [(0, 0, {"name": "Goods", "quantity": 1, "price_unit": 500000})],
        },
    )
    rpc.call("account.move", "action_post", [invoice_id])
    rpc.call("account.move", "write", [invoice_id], {"invoice_date_due": due})

    out = server.shell(
        "env['ar.reminder']._cron_send_reminders()\nenv.cr.commit()\nprint('CRON-DONE')"
    )
    assert "CRON-DONE" in out
    [customer] = rpc.call("res.partner", "read", [customer_id], ["ar_shipments_stopped"])
    assert customer["ar_shipments_stopped"] is True

    [picking_type_id] = rpc.call(
        "stock.picking.type",
        "search",
        [("code", "=", "outgoing"), ("company_id", "=", company_id)],
        limit=1,
    )
    product_id = rpc.call("product.product", "create", {"name": f"Hàng {tag}", "type": "consu"})
    picking_id = rpc.call(
        "stock.picking",
        "create",
        {
            "picking_type_id": picking_type_id,
            "partner_id": customer_id,
            "move_ids": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})],
        },
    )
    rpc.call("stock.picking", "action_confirm", [picking_id])
    move_ids = rpc.call("stock.move", "search", [("picking_id", "=", picking_id)])
    rpc.call("stock.move", "write", move_ids, {"quantity": 2, "picked": True})

    with pytest.raises(xmlrpc.client.Fault) as refused:
        rpc.call("stock.picking", "button_validate", [picking_id])
    assert "stopped by payment reminders" in refused.value.faultString
    assert f"Đại lý {tag}" in refused.value.faultString
    [picking] = rpc.call("stock.picking", "read", [picking_id], ["state"])
    assert picking["state"] != "done"

    context = {"active_model": "account.move", "active_ids": [invoice_id]}
    wizard_id = rpc.call("account.payment.register", "create", {}, context=context)
    rpc.call("account.payment.register", "action_create_payments", [wizard_id], context=context)
    [customer] = rpc.call("res.partner", "read", [customer_id], ["ar_shipments_stopped"])
    assert customer["ar_shipments_stopped"] is False

    rpc.call("stock.picking", "button_validate", [picking_id])
    [picking] = rpc.call("stock.picking", "read", [picking_id], ["state"])
    assert picking["state"] == "done"
