import datetime
from collections import Counter

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import format_amount

from .common import ArCommon


@tagged("post_install", "-at_install")
class TestCollectionsDashboard(ArCommon):
    """The collections dashboard's numbers on hand-built receivables."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "Đại lý Hòa Bình"})
        # Days overdue as of today -> amount:
        #   customer: -10 -> 100 (not due), 5 -> 200, 45 -> 300, 200 -> 400
        #   other:    100 -> 50
        # Receivable 1,050; overdue 950; customer overdue 900 (oldest >120), other 50 (91-120).
        for days, amount in ((-10, 100), (5, 200), (45, 300), (200, 400)):
            cls._invoice(days, amount)
        cls._invoice(100, 50, partner=cls.other)
        # An invoice of another company never shows.
        cls.company_b = cls.setup_other_company(name="Công ty Bình Minh")["company"]
        cls._invoice(30, 7000, company=cls.company_b)

    def _money(self, amount):
        return format_amount(self.env, amount, self.company.currency_id)

    def test_cards_aging_and_customers(self):
        self.env["ar.promise"].create(
            {
                "partner_id": self.other.id,
                "date": self.today + datetime.timedelta(days=3),
                "amount": 40,
            }
        )
        # An open promise already past its date is not "due within 7 days".
        self.env["ar.promise"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Tạp hóa Minh"}).id,
                "date": self.today - datetime.timedelta(days=2),
                "amount": 60,
            }
        )
        self._run_cron()
        data = self.env["ar.dashboard"].ar_dashboard()
        cards = {card["name"]: card for card in data["cards"]}
        self.assertEqual(cards["receivable"]["value"], self._money(1050))
        self.assertEqual(cards["overdue"]["value"], self._money(950))
        self.assertIn("90 %", cards["overdue"]["note"])  # 950 / 1050
        self.assertEqual(cards["promises"]["value"], self._money(100))
        self.assertIn("2 open, 1 due within 7 days, 0 broken", cards["promises"]["note"])
        # DSO: the same numbers as the snapshot of today (its own test checks the formulas).
        snapshot = self.env["ar.kpi.snapshot"]._values(self.company, self.today)
        self.assertEqual(cards["dso"]["value"], f"{snapshot['dso']:,.1f} days")
        self.assertGreater(snapshot["dso"], 0)

        aging = {bucket["key"]: bucket["amount"] for bucket in data["aging"]}
        self.assertEqual(
            aging,
            {
                "not_due": self._money(100),
                "1-30": self._money(200),
                "31-60": self._money(300),
                "61-90": self._money(0),
                "91-120": self._money(50),
                ">120": self._money(400),
            },
        )
        self.assertEqual(
            [bucket["percent"] for bucket in data["aging"]],
            [round(x / 1050 * 100, 1) for x in (100, 200, 300, 0, 50, 400)],
        )

        self.assertEqual(
            [(c["name"], c["overdue"], c["receivable"], c["oldest"]) for c in data["customers"]],
            [
                (self.customer.name, self._money(900), self._money(1000), ">120 days"),
                (self.other.name, self._money(50), self._money(50), "91-120 days"),
            ],
        )
        # The reminder job sent the customer its due levels (the promise pauses the other);
        # the dashboard shows the latest one and counts them per level.
        sent = self._reminders().filtered(lambda r: r.state in ("sent", "partial"))
        self.assertTrue(sent)
        latest = sent.sorted(lambda r: (r.date, r.id))[-1]
        self.assertEqual(data["customers"][0]["level"], latest.level_id.name)
        self.assertEqual(data["customers"][1]["level"], "")
        counts = Counter(reminder.level_id for reminder in sent)
        levels = sent.level_id.sorted(lambda level: (level.offset_days, level.id))
        self.assertEqual(
            data["reminders"],
            [{"level": level.name, "count": counts[level]} for level in levels],
        )

    def test_trend_is_the_last_snapshot_of_each_month(self):
        Snapshot = self.env["ar.kpi.snapshot"]
        first_of_month = self.today.replace(day=1)
        two_months_ago = first_of_month - relativedelta(months=2)
        dates = [two_months_ago, two_months_ago + datetime.timedelta(days=5), self.today]
        for date in dates:
            Snapshot._cron_snapshot(date)
        Snapshot.search([("date", "=", two_months_ago)]).dso = 11.0
        Snapshot.search([("date", "=", dates[1])]).dso = 22.0
        # Another company's snapshot never shows.
        Snapshot.search(
            [("company_id", "=", self.company_b.id), ("date", "=", self.today)]
        ).dso = 99.0
        trend = self.env["ar.dashboard"].ar_dashboard()["trend"]
        self.assertEqual(
            [point["month"] for point in trend],
            [two_months_ago.strftime("%m/%Y"), self.today.strftime("%m/%Y")],
        )
        self.assertEqual(trend[0]["dso"], 22.0)
        self.assertNotIn(99.0, [point["dso"] for point in trend])

    def test_open_customer_and_access(self):
        action = self.env["ar.dashboard"].action_open_customer(self.customer.id)
        moves = self.env["account.move"].search(action["domain"])
        self.assertEqual(sorted(moves.mapped("amount_residual")), [100, 200, 300, 400])
        with self.assertRaisesRegex(UserError, "Customer 999999999 does not exist"):
            self.env["ar.dashboard"].action_open_customer(999999999)
        clerk = new_test_user(self.env, "clerk", groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.env["ar.dashboard"].with_user(clerk).ar_dashboard()
