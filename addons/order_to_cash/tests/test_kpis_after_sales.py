import datetime

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_kpis import KpiCommon, h


class KpiAfterSalesCommon(KpiCommon):
    """KpiCommon's orders with SLA due dates, returns, complaints and ratings.

    SLA due dates (hours after T0; the reached time in brackets, ``-`` = not reached):

    ====  ===============  ===============  ===============  ===============
    ord   verified         packed           shipped          delivered
    ====  ===============  ===============  ===============  ===============
    A     1 (2) breached   12 (10) met      24 (20) met      48 (44) met
    B     5 (4) met        20 (30) breached 44 (40) met      60 (80) breached
    C     8 (6) met
    D     2 (1) met        10 (-) breached
    E     31 (cancelled: not counted)
    G                                                        36 (40) breached
    ====  ===============  ===============  ===============  ===============

    Returns: C 1 coffee damaged (approved), B 1 fish sauce changed mind (done), A 1 wrong
    item (refused: not a return). Complaints: B late delivery (open), G billing
    (resolved), D other (cancelled: not counted). Ratings: A 5, B 2, C 4.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        dues = {
            cls.a: (1, 12, 24, 48),
            cls.b: (5, 20, 44, 60),
            cls.c: (8, None, None, None),
            cls.d: (2, 10, None, None),
            cls.e: (31, None, None, None),
            cls.g: (None, None, None, 36),
        }
        Return = cls.env["o2c.return"]
        returns = Return.create(
            [
                {
                    "partner_id": order.partner_id.id,
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": order.order_line[0].id, "quantity": 1, "reason": why}
                        )
                    ],
                }
                for order, why in (
                    (cls.c, "damaged"),
                    (cls.b, "changed_mind"),
                    (cls.a, "wrong_item"),
                )
            ]
        )
        Complaint = cls.env["o2c.complaint"]
        complaints = Complaint.create(
            [
                {"order_id": order.id, "category": category, "description": category}
                for order, category in (
                    (cls.b, "late_delivery"),
                    (cls.g, "billing"),
                    (cls.d, "other"),
                )
            ]
        )
        cls.env.flush_all()
        # The states the return and complaint flows reach (tested in their own tests).
        for request, state in zip(returns, ("approved", "done", "refused"), strict=True):
            cls.env.cr.execute(
                "UPDATE o2c_return SET state = %s WHERE id = %s", (state, request.id)
            )
        for complaint, state in zip(complaints, ("open", "resolved", "cancel"), strict=True):
            cls.env.cr.execute(
                "UPDATE o2c_complaint SET state = %s WHERE id = %s", (state, complaint.id)
            )
        for order, rating in ((cls.a, 5), (cls.b, 2), (cls.c, 4)):
            cls.env.cr.execute(
                "UPDATE sale_order SET o2c_rating = %s WHERE id = %s", (rating, order.id)
            )
        for order, times in dues.items():
            verified, packed, shipped, delivered = (h(t) if t is not None else None for t in times)
            cls.env.cr.execute(
                """UPDATE sale_order SET o2c_sla_due_verified = %s, o2c_sla_due_packed = %s,
                          o2c_sla_due_shipped = %s, o2c_sla_due_delivered = %s WHERE id = %s""",
                (verified, packed, shipped, delivered, order.id),
            )
        cls.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestKpisAfterSales(KpiAfterSalesCommon):
    def test_sla_compliance_per_stage(self):
        sla = self.kpis()["total"]["sla_compliance"]
        # verified: A breached, B C D met -> 3 of 4 (E cancelled is not counted)
        self.assertEqual((sla["verified"]["measured"], sla["verified"]["met"]), (4, 3))
        # packed: A met, B late, D not packed and past due -> 1 of 3
        self.assertEqual((sla["packed"]["measured"], sla["packed"]["met"]), (3, 1))
        # shipped: A, B met -> 2 of 2
        self.assertEqual(sla["shipped"]["rate"], 1.0)
        # delivered: A met, B 80 > 60, G 40 > 36 -> 1 of 3
        self.assertAlmostEqual(sla["delivered"]["rate"], 1 / 3)

    def test_otif_by_sla(self):
        otif = self.kpis(rule="sla")["total"]["otif"]
        # measured: the confirmed orders with a delivered due date: A, B, G
        # on time A (44 <= 48); in full A and G -> OTIF A only = 1 of 3
        self.assertEqual(
            (otif["measured"], otif["on_time"], otif["in_full"], otif["otif"]), (3, 1, 2, 1)
        )
        self.assertEqual(otif["on_time_rule"], "sla")

    def test_return_rate_by_reason(self):
        returns = self.kpis()["total"]["returns"]
        # shipped A B C G; returned: B (changed mind), C (damaged); A's was refused -> 2/4
        self.assertEqual((returns["shipped_orders"], returns["returned_orders"]), (4, 2))
        self.assertEqual(returns["rate"], 0.5)
        by_reason = returns["by_reason"]
        self.assertEqual(by_reason["damaged"], {"orders": 1, "rate": 0.25})
        self.assertEqual(by_reason["changed_mind"], {"orders": 1, "rate": 0.25})
        self.assertEqual(by_reason["wrong_item"], {"orders": 0, "rate": 0.0})

    def test_perfect_order_excludes_returned_orders(self):
        perfect = self.kpis()["total"]["perfect_order"]
        # Without returns A and C were perfect; C's damaged return leaves A: 1 of 5.
        self.assertEqual((perfect["measured"], perfect["perfect"]), (5, 1))

    def test_complaint_rate(self):
        complaints = self.kpis()["total"]["complaints"]
        # confirmed A B C D G; complaints on B and G (D's was cancelled) -> 2/5
        self.assertEqual(
            (complaints["confirmed_orders"], complaints["orders_with_complaint"]), (5, 2)
        )
        self.assertAlmostEqual(complaints["rate"], 2 / 5)

    def test_average_rating(self):
        rating = self.kpis()["total"]["rating"]
        # (5 + 2 + 4) / 3
        self.assertEqual(rating["rated"], 3)
        self.assertAlmostEqual(rating["average"], 11 / 3)
        by_user = {
            g["key"]: g["kpis"]["rating"]["average"] for g in self.kpis("salesperson")["groups"]
        }
        # Lan: A 5, C 4 -> 4.5; Minh: B 2
        self.assertAlmostEqual(by_user[self.user_lan.id], 4.5)
        self.assertAlmostEqual(by_user[self.user_minh.id], 2.0)

    def test_dashboard_lists_at_risk_and_breached_orders_of_the_channel(self):
        self.env.flush_all()
        for order, status, hours in ((self.b, "breached", 60), (self.c, "at_risk", 70)):
            self.env.cr.execute(
                "UPDATE sale_order SET o2c_sla_status = %s, o2c_sla_deadline = %s WHERE id = %s",
                (status, h(hours), order.id),
            )
        self.env.invalidate_all()
        Kpi = self.env["o2c.kpi"]
        everything = Kpi.o2c_dashboard(30)
        self.assertEqual(
            [(o["name"], o["status"]) for o in everything["orders"]],
            [(self.b.name, "breached"), (self.c.name, "at_risk")],
        )
        shopee = Kpi.o2c_dashboard(30, self.channel_shopee.id)
        self.assertEqual([o["id"] for o in shopee["orders"]], self.b.ids)
        self.assertIn(self.channel_phone.id, [c["id"] for c in shopee["channels"]])
        with self.assertRaisesRegex(ValidationError, "days.*0"):
            Kpi.o2c_dashboard(0)
        with self.assertRaisesRegex(ValidationError, "channel_id.*999999"):
            Kpi.o2c_dashboard(30, 999999)


@tagged("post_install", "-at_install")
class TestKpiSnapshotCompanies(KpiCommon):
    def test_snapshots_per_company_and_only_readable_ones(self):
        other = self.setup_other_company()["company"]
        day = datetime.date(2026, 11, 10)
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env(cr=cr)["o2c.kpi.snapshot"]._cron_o2c_kpi_snapshot(day)
        self.env.invalidate_all()
        Snapshot = self.env["o2c.kpi.snapshot"].sudo()
        totals = Snapshot.search([("date", "=", day), ("dimension", "=", "total")])
        by_company = {s.company_id: s.order_count for s in totals}
        self.assertEqual(by_company[self.company], 8)  # A..H, as in TestKpiSnapshot
        self.assertEqual(by_company[other], 0)  # its own (empty) numbers, not ours
        # A user of the first company only reads its snapshots (multi-company rule).
        self.user_lan.group_ids |= self.env.ref("sales_team.group_sale_salesman_all_leads")
        mine = (
            self.env["o2c.kpi.snapshot"]
            .with_user(self.user_lan)
            .with_context(allowed_company_ids=self.company.ids)
        )
        self.assertEqual(mine.search([("date", "=", day)]).company_id, self.company)
