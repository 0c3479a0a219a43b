"""Batched order intake vs single sale.order creates, over XML-RPC, same server, one run.

Both sides create the same 500 orders (customer, two lines) through the external API:
the baseline sends one ``sale.order.create`` per order (the customer already resolved,
as an integration would after its own lookup); ours sends the orders in batches to
``sale.order.o2c_intake``, which also matches customers, resolves products by code,
verifies each order and guarantees idempotency. Goal: batched >= 3x faster.
"""

import argparse
import sys
import time
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from odoo_server import OdooServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    server = OdooServer(args.database).start()
    try:
        common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
        uid = common.authenticate(args.database, "admin", "admin", {})
        models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)

        def call(model, method, *a, **kw):
            return models.execute_kw(args.database, uid, "admin", model, method, list(a), kw)

        stamp = str(int(time.time()))
        code = f"bench-{stamp}"
        call("o2c.channel", "create", {"name": "Bench", "code": code, "channel_type": "api"})
        products = []
        for i in range(2):
            products.append(
                call(
                    "product.product",
                    "create",
                    {
                        "name": f"Bench product {i}",
                        "default_code": f"B{stamp}-{i}",
                        "type": "consu",
                        "list_price": 100000 + i,
                        "standard_price": 50000,
                    },
                )
            )
        customer = {
            "name": "Bench Customer",
            "phone": f"+84 900 {stamp[-6:]}",
            "street": "1 Lê Lợi",
            "ward": "Phường Sài Gòn",
            "province": "TP Hồ Chí Minh",
            "country": "VN",
        }
        partner_id = call(
            "res.partner",
            "create",
            {"name": "Bench Customer (baseline)", "phone": "+84 900 000 001"},
        )

        started = time.perf_counter()
        for _i in range(args.orders):
            call(
                "sale.order",
                "create",
                {
                    "partner_id": partner_id,
                    "order_line": [
                        (0, 0, {"product_id": products[0], "product_uom_qty": 1 + _i}),
                        (0, 0, {"product_id": products[1], "product_uom_qty": 2}),
                    ],
                },
            )
        single = time.perf_counter() - started

        orders = [
            {
                "channel": code,
                "external_ref": f"{stamp}-{i}",
                "payment_method": "cod",
                "customer": customer,
                "lines": [
                    {"default_code": f"B{stamp}-0", "qty": 1 + i},
                    {"default_code": f"B{stamp}-1", "qty": 2},
                ],
            }
            for i in range(args.orders)
        ]

        def intake_all():
            """Send every order in batches; return the statuses and the seconds taken."""
            started = time.perf_counter()
            statuses = []
            for start in range(0, len(orders), args.batch):
                batch = orders[start : start + args.batch]
                statuses += [r["status"] for r in call("sale.order", "o2c_intake", batch)]
            return statuses, time.perf_counter() - started

        statuses, batched = intake_all()
        assert statuses == ["created"] * args.orders, set(statuses)
        replay, replayed = intake_all()
        assert replay == ["exists"] * args.orders
    finally:
        server.stop()

    print(f"orders: {args.orders}, batch size: {args.batch}")
    rows = (
        ("single sale.order.create over XML-RPC", single),
        ("batched o2c_intake over XML-RPC", batched),
        ("replay of the same batches (exists)", replayed),
    )
    for label, seconds in rows:
        print(f"  {label:<40}: {seconds:8.2f} s  ({args.orders / seconds:7.1f} orders/s)")
    print(f"  speed-up batched vs single: {single / batched:.2f}x  (goal >= 3x)")


if __name__ == "__main__":
    main()
