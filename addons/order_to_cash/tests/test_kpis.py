import datetime
import json

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import O2cCommon

T0 = datetime.datetime(2026, 11, 2, 8, 0)  # a Monday, UTC
PERIOD = ("2026-11-01", "2026-11-10")


def h(hours):
    """T0 + ``hours``."""
    return T0 + datetime.timedelta(hours=hours)


class KpiCommon(O2cCommon):
    """A hand-built week of orders whose KPIs are worked out in the tests.

    Stage timestamps in hours after T0 (``-`` = not reached); promised = commitment date:

    ====  ======  =======  ===  ===  ====  ====  =====  ====  ========  =========  ======
    ord   state   channel  acc  ver  pack  ship  deliv  paid  promised  carrier    user
    ====  ======  =======  ===  ===  ====  ====  =====  ====  ========  =========  ======
    A     sale    Shopee   0    2    10    20    44     50    48        GHN        Lan
    B     sale    Shopee   0    4    30    40    80     -     72        GHTK       Minh
    C     sale    Phone    0    6    12    24    -      30    48        (none)     Lan
    D     sale    Phone    0    1    -     -     -      -     24 (*)    (none)     Minh
    E     cancel  Shopee   30   -    -     -     -      -     -         (none)     Minh
    F     draft   Phone    0    -    -     -     -      -     -         (none)     Minh
    G     sale    Shopee   0    3    8     16    40     100   48        GHN        Lan
    ====  ======  =======  ===  ===  ====  ====  =====  ====  ========  =========  ======

    (*) D has no commitment date: its expected date is the order date (T0) + its line's
    customer lead time of 1 day.
    Lines: A 2 fish sauce + 1 coffee, both complete in the first delivery; B 4 fish
    sauce, 3 in the first delivery and 1 in a backorder; C 1 coffee, G 1 fish sauce,
    complete. Warehouses: Shopee orders and F in the main one, C and D in Đà Nẵng.
    Invoices: A, C, G invoiced and posted, G then has a posted credit note.
    Parcels (COD): A 100,000 delivered not remitted, B 70,000 delivered not remitted,
    G 50,000 delivered and remitted. H (accepted in October) is outside the period.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()  # verification holds are not what these tests are about
        cls.user_lan = new_test_user(
            cls.env, login="kpi_lan", name="Lan", groups="sales_team.group_sale_salesman"
        )
        cls.user_minh = new_test_user(
            cls.env, login="kpi_minh", name="Minh", groups="sales_team.group_sale_salesman"
        )
        cls.wh_dn = cls.env["stock.warehouse"].create({"name": "Đà Nẵng", "code": "KDN"})
        for product in (cls.product_fish_sauce, cls.product_coffee):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.wh_dn.lot_stock_id, 100.0
            )
        cls.ghn = cls.env["o2c.carrier.account"].create(
            {"name": "GHN KPI", "carrier": "ghn", "shop_id": "1"}
        )
        cls.ghtk = cls.env["o2c.carrier.account"].create({"name": "GHTK KPI", "carrier": "ghtk"})
        fish, coffee = cls.product_fish_sauce, cls.product_coffee
        shopee, phone = cls.channel_shopee, cls.channel_phone
        lan, minh = cls.user_lan, cls.user_minh
        cls.a = cls._kpi_order(shopee, cls.warehouse, lan, [(fish, 2), (coffee, 1)])
        cls.b = cls._kpi_order(shopee, cls.warehouse, minh, [(fish, 4)])
        cls.c = cls._kpi_order(phone, cls.wh_dn, lan, [(coffee, 1)])
        cls.d = cls._kpi_order(phone, cls.wh_dn, minh, [(fish, 1)], lead=1)
        cls.e = cls._kpi_order(shopee, cls.warehouse, minh, [(fish, 1)])
        cls.f = cls._kpi_order(phone, cls.warehouse, minh, [(coffee, 2)], confirm=False)
        cls.g = cls._kpi_order(shopee, cls.warehouse, lan, [(fish, 1)])
        cls.h = cls._kpi_order(shopee, cls.warehouse, lan, [(fish, 1)])
        cls.e._action_cancel()
        first_a = cls._deliver(cls.a)
        first_b = cls._deliver(cls.b, short={fish: 3})
        backorder = cls.b.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        assert backorder.backorder_id == first_b, "B's rest waits in a backorder"
        cls._deliver(cls.b)  # the backorder: B gets everything, later
        cls._deliver(cls.c)
        first_g = cls._deliver(cls.g)
        for order in cls.a | cls.c | cls.g:
            order._create_invoices().action_post()
        refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": cls.g.partner_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": fish.id,
                            "quantity": 1,
                            "price_unit": 10000,
                            "tax_ids": [Command.clear()],
                            "sale_line_ids": [Command.set(cls.g.order_line.ids)],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        Shipment = cls.env["o2c.shipment"].sudo()
        for order, picking, carrier, cod, remitted in (
            (cls.a, first_a, cls.ghn, 100000, False),
            (cls.b, first_b, cls.ghtk, 70000, False),
            (cls.g, first_g, cls.ghn, 50000, True),
        ):
            Shipment.create(
                {
                    "carrier_account_id": carrier.id,
                    "picking_id": picking.id,
                    "tracking_ref": f"KPI-{order.id}",
                    "cod_amount": cod,
                    "state": "delivered",
                    "cod_remitted": remitted,
                }
            )
        stamps = {
            # order: (accepted, verified, packed, shipped, delivered, paid, promised)
            cls.a: (0, 2, 10, 20, 44, 50, 48),
            cls.b: (0, 4, 30, 40, 80, None, 72),
            cls.c: (0, 6, 12, 24, None, 30, 48),
            cls.d: (0, 1, None, None, None, None, None),
            cls.e: (30, None, None, None, None, None, None),
            cls.f: (0, None, None, None, None, None, None),
            cls.g: (0, 3, 8, 16, 40, 100, 48),
            cls.h: (-24 * 10, -24 * 10 + 1, None, None, None, None, None),
        }
        cls.env.flush_all()
        for order, times in stamps.items():
            acc, ver, pack, ship, deliv, paid, promised = (
                h(t) if t is not None else None for t in times
            )
            cls.env.cr.execute(
                """UPDATE sale_order SET o2c_date_accepted = %s, o2c_date_verified = %s,
                          o2c_date_packed = %s, o2c_date_shipped = %s, o2c_date_delivered = %s,
                          o2c_date_paid = %s, commitment_date = %s, date_order = %s
                    WHERE id = %s""",
                (acc, ver, pack, ship, deliv, paid, promised, acc, order.id),
            )
        cls.env.invalidate_all()

    @classmethod
    def _kpi_order(cls, channel, warehouse, user, lines, lead=0, confirm=True):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "o2c_channel_id": channel.id,
                "warehouse_id": warehouse.id,
                "user_id": user.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "customer_lead": lead}
                    )
                    for product, qty in lines
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _deliver(cls, order, short=None):
        """Validate the open delivery of ``order``; ``short`` gives the quantity shipped
        of some products (the rest goes to a backorder)."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            move.quantity = (short or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        picking._action_done()
        return picking

    def kpis(self, group_by=None, rule="promised"):
        return self.env["sale.order"].o2c_kpis(*PERIOD, group_by, rule)

    def group(self, result, key):
        [found] = [g for g in result["groups"] if g["key"] == key]
        return found


@tagged("post_install", "-at_install")
class TestKpis(KpiCommon):
    def test_cycle_times_median_and_p90(self):
        cycle = self.kpis()["total"]["cycle_time_hours"]
        # accepted -> verified: A 2, B 4, C 6, D 1, G 3 -> sorted 1 2 3 4 6;
        # median x[2] = 3; p90 h = 4 * 0.9 = 3.6 -> 4 + 0.6 * (6 - 4) = 5.2
        self.assertEqual(cycle["accepted_verified"]["count"], 5)
        self.assertAlmostEqual(cycle["accepted_verified"]["median"], 3.0)
        self.assertAlmostEqual(cycle["accepted_verified"]["p90"], 5.2)
        # verified -> packed: A 8, B 26, C 6, G 5 -> 5 6 8 26;
        # median h = 1.5 -> 6 + 0.5 * 2 = 7; p90 h = 2.7 -> 8 + 0.7 * 18 = 20.6
        self.assertAlmostEqual(cycle["verified_packed"]["median"], 7.0)
        self.assertAlmostEqual(cycle["verified_packed"]["p90"], 20.6)
        # packed -> shipped: A 10, B 10, C 12, G 8 -> 8 10 10 12; median 10;
        # p90 h = 2.7 -> 10 + 0.7 * 2 = 11.4
        self.assertAlmostEqual(cycle["packed_shipped"]["median"], 10.0)
        self.assertAlmostEqual(cycle["packed_shipped"]["p90"], 11.4)
        # shipped -> delivered (carrier): A 24, B 40, G 24 -> median 24;
        # p90 h = 1.8 -> 24 + 0.8 * 16 = 36.8
        self.assertAlmostEqual(cycle["shipped_delivered"]["median"], 24.0)
        self.assertAlmostEqual(cycle["shipped_delivered"]["p90"], 36.8)
        # order to cash (accepted -> paid): A 50, C 30, G 100 -> 30 50 100; median 50;
        # p90 h = 1.8 -> 50 + 0.8 * 50 = 90
        self.assertEqual(cycle["order_to_cash"]["count"], 3)
        self.assertAlmostEqual(cycle["order_to_cash"]["median"], 50.0)
        self.assertAlmostEqual(cycle["order_to_cash"]["p90"], 90.0)

    def test_otif_by_promised_date(self):
        otif = self.kpis()["total"]["otif"]
        # measured: the confirmed orders A B C D G (D undelivered and past its
        # expected date T0 + 1 day); E cancelled and F a quotation are not.
        # on time: A 44 <= 48, C shipped without carrier 24 <= 48, G 40 <= 48 -> 3
        # (B 80 > 72, D not delivered); in full: A, C, G -> 3 (B 3 of 4 at first, D none)
        self.assertEqual(
            (otif["measured"], otif["on_time"], otif["in_full"], otif["otif"]), (5, 3, 3, 3)
        )
        self.assertAlmostEqual(otif["rate"], 3 / 5)

    def test_perfect_order_counts_orders(self):
        perfect = self.kpis()["total"]["perfect_order"]
        # OTIF A, C, G; G has a posted credit note: not a correct invoice -> A, C = 2 of 5.
        # (The product of the rates would be 0.6 * 0.6 * (4/5 invoices right) = 0.29.)
        self.assertEqual((perfect["measured"], perfect["perfect"]), (5, 2))
        self.assertAlmostEqual(perfect["rate"], 2 / 5)

    def test_fill_rate_lines_and_units(self):
        fill = self.kpis()["total"]["fill_rate"]
        # shipped: A (2 lines, 3 units, all first), B (1 line, 4 units, 3 first),
        # C (1 line, 1 unit), G (1 line, 1 unit) -> lines 4 / 5, units 8 / 9
        self.assertEqual((fill["lines"], fill["lines_filled"]), (5, 4))
        self.assertAlmostEqual(fill["lines_rate"], 4 / 5)
        self.assertAlmostEqual(fill["units_rate"], 8 / 9)

    def test_cancellation_rate_and_period(self):
        cancel = self.kpis()["total"]["cancellation"]
        # A..G accepted in the period (H in October is not): 7 orders, E cancelled
        self.assertEqual((cancel["orders"], cancel["cancelled"]), (7, 1))
        self.assertAlmostEqual(cancel["rate"], 1 / 7)

    def test_cod_outstanding(self):
        cod = self.kpis()["total"]["cod_outstanding"]
        # A 100,000 + B 70,000 delivered and not remitted; G's 50,000 was remitted
        self.assertEqual(cod, {"amount": 170000.0, "shipments": 2})

    def test_group_by_channel(self):
        result = self.kpis("channel")
        shopee = self.group(result, self.channel_shopee.id)
        phone = self.group(result, self.channel_phone.id)
        self.assertEqual(shopee["label"], "Shopee")
        # Shopee: A B E G, E cancelled -> 1/4; OTIF measured A B G, OTIF A G -> 2/3;
        # order to cash A 50, G 100 -> median 75
        self.assertEqual(shopee["kpis"]["orders"], 4)
        self.assertAlmostEqual(shopee["kpis"]["cancellation"]["rate"], 1 / 4)
        self.assertAlmostEqual(shopee["kpis"]["otif"]["rate"], 2 / 3)
        self.assertAlmostEqual(shopee["kpis"]["cycle_time_hours"]["order_to_cash"]["median"], 75)
        # fill: lines A 2/2, B 0/1, G 1/1 -> 3/4; units (3 + 3 + 1) / (3 + 4 + 1) = 7/8
        self.assertAlmostEqual(shopee["kpis"]["fill_rate"]["lines_rate"], 3 / 4)
        self.assertAlmostEqual(shopee["kpis"]["fill_rate"]["units_rate"], 7 / 8)
        # Phone: C D F; OTIF measured C, D -> 1/2
        self.assertEqual(phone["kpis"]["orders"], 3)
        self.assertAlmostEqual(phone["kpis"]["otif"]["rate"], 1 / 2)
        self.assertEqual(len(result["groups"]), 2)
        self.assertEqual(result["total"]["orders"], 7)

    def test_group_by_warehouse(self):
        result = self.kpis("warehouse")
        main = self.group(result, self.warehouse.id)["kpis"]
        dn = self.group(result, self.wh_dn.id)["kpis"]
        # main: A B E F G, E cancelled -> 1/5; Đà Nẵng: C D, OTIF C -> 1/2
        self.assertEqual((main["orders"], main["cancellation"]["cancelled"]), (5, 1))
        self.assertEqual(dn["orders"], 2)
        self.assertAlmostEqual(dn["otif"]["rate"], 1 / 2)

    def test_group_by_carrier(self):
        result = self.kpis("carrier")
        ghn = self.group(result, self.ghn.id)
        ghtk = self.group(result, self.ghtk.id)["kpis"]
        none = self.group(result, False)["kpis"]
        self.assertEqual(ghn["label"], "GHN KPI")
        # GHN: A, G both OTIF; COD 100,000 (G's remitted)
        self.assertEqual(ghn["kpis"]["orders"], 2)
        self.assertAlmostEqual(ghn["kpis"]["otif"]["rate"], 1.0)
        self.assertEqual(ghn["kpis"]["cod_outstanding"]["amount"], 100000.0)
        # GHTK: B late and short -> 0; COD 70,000
        self.assertEqual(ghtk["otif"]["rate"], 0.0)
        self.assertEqual(ghtk["cod_outstanding"]["amount"], 70000.0)
        # no parcel: C D E F; OTIF C of C, D
        self.assertEqual(none["orders"], 4)
        self.assertAlmostEqual(none["otif"]["rate"], 1 / 2)

    def test_group_by_salesperson(self):
        result = self.kpis("salesperson")
        lan = self.group(result, self.user_lan.id)["kpis"]
        minh = self.group(result, self.user_minh.id)["kpis"]
        # Lan: A C G, all OTIF, perfect A C (G's credit note) -> 2/3
        self.assertEqual(lan["orders"], 3)
        self.assertAlmostEqual(lan["otif"]["rate"], 1.0)
        self.assertAlmostEqual(lan["perfect_order"]["rate"], 2 / 3)
        # Minh: B D E F, E cancelled -> 1/4; OTIF measured B, D -> 0
        self.assertEqual(minh["orders"], 4)
        self.assertAlmostEqual(minh["cancellation"]["rate"], 1 / 4)
        self.assertEqual(minh["otif"]["rate"], 0.0)

    def test_group_by_day(self):
        result = self.kpis("day")
        # E was accepted 30 h after T0, on the 3rd; the others on the 2nd
        self.assertEqual(
            [(g["key"], g["kpis"]["orders"]) for g in result["groups"]],
            [("2026-11-02", 6), ("2026-11-03", 1)],
        )

    def test_bad_parameters_name_the_parameter(self):
        SaleOrder = self.env["sale.order"]
        with self.assertRaisesRegex(ValidationError, "group_by.*'province'"):
            SaleOrder.o2c_kpis(*PERIOD, "province")
        with self.assertRaisesRegex(ValidationError, "date_from.*'yesterday'"):
            SaleOrder.o2c_kpis("yesterday", "2026-11-10")
        with self.assertRaisesRegex(ValidationError, "date_to"):
            SaleOrder.o2c_kpis("2026-11-10", "2026-11-01")
        with self.assertRaisesRegex(ValidationError, "on_time_rule.*'fast'"):
            SaleOrder.o2c_kpis(*PERIOD, None, "fast")

    def test_only_the_users_companies(self):
        other = self.setup_other_company()["company"]
        self.env.user.company_ids |= other
        # one order of company B in the period, so that leaking it would show
        wh_b = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        order_b = (
            self.env["sale.order"]
            .with_company(other)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other.id,
                    "warehouse_id": wh_b.id,
                    "order_line": [Command.create({"product_id": self.product_coffee.id})],
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET o2c_date_accepted = %s WHERE id = %s", (h(1), order_b.id)
        )
        self.env.invalidate_all()
        result = (
            self.env["sale.order"].with_context(allowed_company_ids=other.ids).o2c_kpis(*PERIOD)
        )
        self.assertEqual(result["total"]["orders"], 1)
        self.assertEqual(result["company_ids"], other.ids)
        only_a = (
            self.env["sale.order"]
            .with_context(allowed_company_ids=self.company.ids)
            .o2c_kpis(*PERIOD)
        )
        self.assertEqual(only_a["total"]["orders"], 7)
        # A salesperson limited to their own orders sees only those (record rules apply).
        minh_view = self.env["sale.order"].with_user(self.user_minh).o2c_kpis(*PERIOD)
        self.assertEqual(minh_view["total"]["orders"], 4)


@tagged("post_install", "-at_install")
class TestKpiSnapshot(KpiCommon):
    def _run_snapshot_job(self, day):
        """Run the job as the scheduler would, on a cursor of its own."""
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env(cr=cr)["o2c.kpi.snapshot"]._cron_o2c_kpi_snapshot(day)
        self.env.invalidate_all()

    def test_daily_snapshot_is_idempotent(self):
        Snapshot = self.env["o2c.kpi.snapshot"]
        day = datetime.date(2026, 11, 10)  # window Oct 12 .. Nov 10: A..G and H
        self._run_snapshot_job(day)
        first = Snapshot.search([("company_id", "=", self.company.id), ("date", "=", day)])
        self._run_snapshot_job(day)
        again = Snapshot.search([("company_id", "=", self.company.id), ("date", "=", day)])
        self.assertEqual(len(again), len(first), "a rerun replaces, it does not add")
        dims = sorted((s.dimension, s.dimension_label) for s in again)
        self.assertIn(("channel", "Shopee"), dims)
        self.assertIn(("carrier", "GHN KPI"), dims)
        self.assertIn(("salesperson", "Lan"), dims)
        [total] = again.filtered(lambda s: s.dimension == "total")
        # A..H (H is inside the 30-day window): 8 orders, E cancelled -> 12.5 %;
        # H is confirmed, undelivered, past its expected date (its order date, lead 0):
        # measured and late -> OTIF 3 of 6 = 50 %
        self.assertEqual(total.order_count, 8)
        self.assertAlmostEqual(total.cancellation_rate, 12.5)
        self.assertAlmostEqual(total.otif_rate, 50.0)
        self.assertAlmostEqual(total.cycle_o2c, 50.0)
        self.assertEqual(total.cod_outstanding, 170000.0)
        [shopee] = again.filtered(lambda s: s.channel_id == self.channel_shopee)
        self.assertEqual(shopee.order_count, 5)  # A B E G H

    def test_unmeasured_rates_are_left_out_of_averages(self):
        Snapshot = self.env["o2c.kpi.snapshot"]
        measured = datetime.date(2026, 11, 10)  # OTIF 50 % (see above)
        empty = datetime.date(2027, 3, 1)  # no order in its window: nothing measured
        self._run_snapshot_job(measured)
        self._run_snapshot_job(empty)
        domain = [
            ("company_id", "=", self.company.id),
            ("dimension", "=", "total"),
            ("date", "in", [measured, empty]),
        ]
        self.assertEqual(Snapshot.search_count(domain), 2)
        # what the pivot and graph show for the two days together: 50 %, not (50 + 0) / 2
        [[otif, cycle]] = Snapshot._read_group(
            domain, aggregates=["otif_rate:avg", "cycle_o2c:avg"]
        )
        self.assertAlmostEqual(otif, 50.0)
        self.assertAlmostEqual(cycle, 50.0)


@tagged("post_install", "-at_install")
class TestKpiJson2(KpiCommon, HttpCase):
    def test_o2c_kpis_over_json2(self):
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.env.user)
            ._generate(None, "kpi test", datetime.datetime.now() + datetime.timedelta(days=1))
        )
        reply = self.url_open(
            "/json/2/sale.order/o2c_kpis",
            data=json.dumps({"date_from": PERIOD[0], "date_to": PERIOD[1], "group_by": "channel"}),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        self.assertEqual(reply.status_code, 200, reply.text)
        body = reply.json()
        # Nothing measured is false, not null: the same result goes over XML-RPC.
        self.assertIs(body["total"]["sla_compliance"]["verified"]["rate"], False)
        over_xmlrpc = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, self.env.uid, key, "sale.order", "o2c_kpis", [*PERIOD, "carrier"]
        )
        self.assertEqual(over_xmlrpc["total"]["orders"], 7)
        self.assertIn(False, [g["key"] for g in over_xmlrpc["groups"]])
        self.assertEqual(body["total"]["orders"], 7)
        self.assertAlmostEqual(body["total"]["otif"]["rate"], 3 / 5)
        shopee = [g for g in body["groups"] if g["key"] == self.channel_shopee.id]
        self.assertEqual(shopee[0]["kpis"]["cancellation"]["cancelled"], 1)
        bad = self.url_open(
            "/json/2/sale.order/o2c_kpis",
            data=json.dumps({"date_from": PERIOD[0], "date_to": PERIOD[1], "group_by": "x"}),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        self.assertEqual(bad.status_code, 422, bad.text)
        self.assertIn("group_by", bad.json()["message"])
