import datetime

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.einvoice_vn.tools import sandbox

from ..tools.story import BLOCKING_HOLDS, COMPANY_NAME

STAGES = ("accepted", "verified", "packed", "shipped", "delivered")


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """The story a demo database shows, built by the demo's own builder (tests run
    without demo data, so the test builds it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # As a demo database made with --load-language=vi_VN.
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.company = cls.env["o2c.demo.vn.story"]._build()

    def test_admin_lands_in_the_vietnamese_company(self):
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.company_id, self.company)
        self.assertEqual(self.company.name, COMPANY_NAME)
        self.assertEqual(self.company.currency_id, self.env.ref("base.VND"))
        self.assertEqual(self.company.chart_template, "vn")
        self.assertEqual(self.company.vat, sandbox.DEMO_MST)
        self.assertEqual(self.company.einvoice_vn_provider, "sandbox")
        self.assertEqual(self.company.state_id, self.env.ref("base.state_vn_VN-HN"))

    def test_einvoices_in_every_promised_state(self):
        docs = self.env["einvoice.vn.document"].search([("company_id", "=", self.company.id)])
        states = docs.mapped("state")
        self.assertGreaterEqual(states.count("accepted"), 3)
        self.assertIn("adjusted", states)
        self.assertIn("cancelled", states)
        adjustments = docs.filtered(lambda d: d.kind == "adjustment")
        self.assertEqual(len(adjustments), 2, "a credit note and a return's credit note")
        self.assertEqual(set(adjustments.mapped("state")), {"accepted"})
        self.assertEqual(set(adjustments.origin_id.mapped("state")), {"adjusted"})
        self.assertTrue(all(docs.mapped("authority_code")))
        self.assertTrue(all(docs.mapped("sandbox")))

    def test_one_order_on_hold_per_blocking_rule(self):
        blocking = self.env["o2c.check"].search([("severity", "=", "block")]).mapped("rule")
        held = self.env["sale.order"].search(
            [("company_id", "=", self.company.id), ("o2c_hold", "=", True)]
        )
        rules = held.o2c_check_result_ids.filtered(
            lambda r: r.state == "block" and not r.overridden
        )
        self.assertEqual(set(blocking), set(BLOCKING_HOLDS.values()))
        for rule in blocking:
            result = rules.filtered(lambda r, rule=rule: r.rule == rule)
            self.assertTrue(result, f"no order held by {rule}")
            self.assertTrue(result[0].message)

    def test_orders_at_every_stage(self):
        orders = self.env["sale.order"].search([("company_id", "=", self.company.id)])
        stages = set(orders.mapped("o2c_stage"))
        self.assertTrue({"accepted", "verified", "packed", "shipped", "paid"} <= stages, stages)
        self.assertTrue(orders.filtered("o2c_date_delivered"))
        # The history is dated in the past, stage by stage, for the KPIs and SLAs.
        month_ago = fields.Datetime.now() - datetime.timedelta(days=30)
        old_paid = orders.filtered(lambda o: o.o2c_date_paid and o.o2c_date_paid < month_ago)
        self.assertTrue(old_paid)
        for order in old_paid:
            self.assertLess(order.o2c_date_accepted, order.o2c_date_verified)
            self.assertLess(order.o2c_date_shipped, order.o2c_date_delivered)

    def test_after_sales(self):
        request = self.env["o2c.return"].search([("company_id", "=", self.company.id)])
        self.assertEqual(request.state, "done")
        self.assertEqual(request.line_ids.reason, "damaged")
        credit_note = request.credit_note_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.einvoice_vn_document_id.kind, "adjustment")
        self.assertEqual(credit_note.einvoice_vn_document_id.state, "accepted")
        self.assertEqual(request.line_ids.order_id.o2c_stage, "after_sales")
        complaints = self.env["o2c.complaint"].search([("company_id", "=", self.company.id)])
        self.assertEqual(set(complaints.mapped("state")), {"open", "resolved"})
        rated = self.env["sale.order"].search(
            [("company_id", "=", self.company.id), ("o2c_rating", ">", 0)]
        )
        self.assertGreaterEqual(len(rated), 5)

    def test_collections_history(self):
        snapshots = self.env["ar.kpi.snapshot"].search([("company_id", "=", self.company.id)])
        self.assertGreaterEqual(len(set(snapshots.mapped("date"))), 6)
        reminders = self.env["ar.reminder"].search(
            [("company_id", "=", self.company.id), ("state", "=", "sent")]
        )
        self.assertGreaterEqual(len(reminders.level_id), 2)
        self.assertIn(True, reminders.level_id.mapped("credit_hold"))
        promise = self.env["ar.promise"].search([("company_id", "=", self.company.id)])
        self.assertTrue(promise)
        self.assertEqual(promise.state, "open")

    def test_order_kpi_trend(self):
        snapshots = self.env["o2c.kpi.snapshot"].search(
            [("company_id", "=", self.company.id), ("dimension", "=", "total")]
        )
        self.assertGreaterEqual(len(set(snapshots.mapped("date"))), 26)
        self.assertTrue(
            self.env["o2c.kpi.snapshot"].search_count(
                [("company_id", "=", self.company.id), ("dimension", "=", "channel")]
            )
        )

    def test_building_again_changes_nothing(self):
        def counts():
            return {
                model: self.env[model].search_count([("company_id", "=", self.company.id)])
                for model in (
                    "sale.order",
                    "account.move",
                    "einvoice.vn.document",
                    "ar.reminder",
                    "o2c.return",
                    "o2c.complaint",
                )
            }

        before = counts()
        self.assertEqual(self.env["o2c.demo.vn.story"]._build(), self.company)
        self.assertEqual(counts(), before)

    def _dashboard(self):
        return (
            self.env["o2c.kpi"]
            .with_context(allowed_company_ids=self.company.ids)
            .with_company(self.company)
            .o2c_dashboard()
        )

    def test_dashboard_measures_hours_and_days(self):
        kpis = self._dashboard()["kpis"]
        order_to_cash = kpis["cycle_time_hours"]["order_to_cash"]
        self.assertGreaterEqual(order_to_cash["count"], 2)
        self.assertGreater(order_to_cash["median"], 1.0)
        self.assertGreater(order_to_cash["p90"], order_to_cash["median"])
        self.assertGreater(kpis["otif"]["measured"], 0)
        self.assertLess(kpis["otif"]["on_time"], kpis["otif"]["measured"], "one was late")
        compliance = kpis["sla_compliance"].values()
        self.assertTrue(any(c["measured"] and c["met"] < c["measured"] for c in compliance))
        self.assertTrue(any(c["met"] for c in compliance))

    def test_dashboard_lists_orders_at_risk_and_past_their_sla(self):
        orders = self._dashboard()["orders"]
        statuses = [order["status"] for order in orders]
        self.assertIn("at_risk", statuses)
        self.assertIn("breached", statuses)
        now = fields.Datetime.now()
        for order in self.env["sale.order"].browse([o["id"] for o in orders]):
            self.assertEqual(order.o2c_sla_status == "breached", order.o2c_sla_deadline <= now)

    def test_paid_orders_past_their_after_sales_window_are_closed(self):
        closed = self.env["sale.order"].search(
            [("company_id", "=", self.company.id), ("o2c_stage", "=", "closed")]
        )
        self.assertTrue(closed)
        for order in closed:
            days = order.o2c_channel_id.after_sales_days
            self.assertEqual(
                order.o2c_date_closed, order.o2c_date_paid + datetime.timedelta(days=days)
            )

    def test_stages_are_dated_in_their_order_and_in_the_past(self):
        now = fields.Datetime.now()
        orders = self.env["sale.order"].search([("company_id", "=", self.company.id)])
        for order in orders:
            dates = [order[f"o2c_date_{stage}"] for stage in STAGES]
            reached = [date for date in dates if date]
            self.assertEqual(reached, sorted(reached), order.name)
            later = [order.o2c_date_paid, order.o2c_date_after_sales, order.o2c_date_closed]
            for date in filter(None, later):
                self.assertGreaterEqual(date, reached[-1], order.name)
            self.assertTrue(all(date <= now for date in reached + later if date), order.name)
            if order.o2c_date_paid and order.o2c_date_closed:
                self.assertGreater(order.o2c_date_closed, order.o2c_date_paid, order.name)

    def test_demo_names_in_vietnamese_and_english(self):
        levels = self.env["ar.reminder.policy"].search([("company_id", "=", self.company.id)])
        level = levels.level_ids.filtered(lambda lvl: lvl.offset_days == 1)
        self.assertEqual(level.with_context(lang="vi_VN").name, "Nhắc nợ lần 1")
        self.assertEqual(level.with_context(lang="en_US").name, "First reminder")
        product = self.env.ref("o2c_demo_vn.product_sm_st25")
        self.assertNotEqual(
            product.with_context(lang="vi_VN").name, product.with_context(lang="en_US").name
        )
