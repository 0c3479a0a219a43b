import datetime

from odoo.tests import tagged

from .common import ArCommon


@tagged("post_install", "-at_install")
class TestAgingKpi(ArCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "Other customer"})
        # Hand-built receivables (days overdue as of today -> amount):
        #   customer: -10 -> 100, 5 -> 200, 45 -> 300, 200 -> 400 (half paid)
        #   other:    100 -> 50
        cls.moves = {
            "not_due": cls._invoice(-10, 100),
            "5": cls._invoice(5, 200),
            "45": cls._invoice(45, 300),
            "200": cls._invoice(200, 400),
            "other": cls._invoice(100, 50, partner=cls.other),
        }

    def test_aging_as_of_today_and_before_a_payment(self):
        Aging = self.env["ar.aging"]
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.moves["200"].ids
        ).create({"amount": 200, "payment_date": self.today})._create_payments()
        today = Aging._buckets(self.company.ids, self.today)
        self.assertEqual(today[self.customer.id], [100.0, 200.0, 300.0, 0.0, 0.0, 200.0])
        self.assertEqual(today[self.other.id], [0.0, 0.0, 0.0, 0.0, 50.0, 0.0])
        # As of yesterday the payment (dated today) did not exist yet.
        yesterday = Aging._buckets(self.company.ids, self.today - datetime.timedelta(days=1))
        self.assertEqual(yesterday[self.customer.id][5], 400.0)
        # Configurable edges.
        wide = Aging._buckets(self.company.ids, self.today, edges=(60, 365))
        self.assertEqual(wide[self.customer.id], [100.0, 500.0, 200.0, 0.0])

    def test_aging_by_salesperson_and_currency(self):
        seller = self.env["res.users"].create({"name": "Seller", "login": "aging-seller"})
        (self.moves["45"] | self.moves["other"]).invoice_user_id = seller
        (self.moves["not_due"] | self.moves["5"] | self.moves["200"]).invoice_user_id = False
        Aging = self.env["ar.aging"]
        by_user = Aging._buckets(self.company.ids, self.today, group_by="user_id")
        self.assertEqual(by_user[seller.id], [0.0, 0.0, 300.0, 0.0, 50.0, 0.0])
        self.assertEqual(by_user[None], [100.0, 200.0, 0.0, 0.0, 0.0, 400.0])
        by_currency = Aging._buckets(self.company.ids, self.today, group_by="currency_id")
        self.assertEqual(
            by_currency[self.company.currency_id.id], [100.0, 200.0, 300.0, 0.0, 50.0, 400.0]
        )

    def test_aging_wizard_and_provision(self):
        wizard = self.env["ar.aging.wizard"].create({"as_of": self.today})
        action = wizard.action_open()
        lines = self.env["ar.aging.line"].search(action["domain"])
        customer_lines = lines.filtered(lambda line: line.name == self.customer.display_name)
        self.assertEqual(
            {line.bucket: line.amount for line in customer_lines},
            {"not_due": 100.0, "1-30": 200.0, "31-60": 300.0, ">120": 400.0},
        )
        # 200 days overdue = over 6 months: 30% of 400.
        self.assertAlmostEqual(sum(customer_lines.mapped("provision")), 120.0)

    def test_kpi_snapshot(self):
        snapshots = self.env["ar.kpi.snapshot"]
        snapshots._cron_snapshot(self.today)
        snapshot = snapshots.search(
            [("company_id", "=", self.company.id), ("date", "=", self.today)]
        )
        self.assertEqual(snapshot.receivable, 1050.0)
        self.assertEqual(snapshot.current_receivable, 100.0)
        self.assertEqual(snapshot.overdue, 950.0)
        # Sales of the last 90 days: invoices dated within (today - 90, today]: 100 + 200 + 300.
        self.assertEqual(snapshot.sales, 600.0)
        self.assertAlmostEqual(snapshot.dso_simple, round(1050 / 600 * 90, 2))
        self.assertAlmostEqual(snapshot.best_dso, round(100 / 600 * 90, 2))
        self.assertAlmostEqual(snapshot.add, round(snapshot.dso - snapshot.best_dso, 2))
        snapshots._cron_snapshot(self.today)
        self.assertEqual(
            snapshots.search_count(
                [("company_id", "=", self.company.id), ("date", "=", self.today)]
            ),
            1,
        )
