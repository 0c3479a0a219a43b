from odoo.tests import HttpCase, tagged

from .common import ArCommon


@tagged("post_install", "-at_install")
class TestArTours(ArCommon, HttpCase):
    """Browser tours (headless Chromium) through the collector's screens."""

    def test_reminder_run_to_statement_tour(self):
        """The reminder job runs, then the collector opens the customer's reminder and, from
        it, the customer's statement with the overdue invoice."""
        self.customer.name = "Tour Customer An Phú"
        invoice = self._invoice(days_overdue=2, amount=1234.0)
        self._run_cron()
        [reminder] = self._reminders()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.level_id, self.levels[1])
        self.assertIn(invoice, reminder.line_ids.move_id)
        self.levels[1].name = "First reminder (tour)"

        self.start_tour(
            "/odoo/action-ar_reminders.action_ar_reminder",
            "ar_reminders_run_to_statement",
            login=self.env.user.login,
        )

    def test_collections_dashboard_tour(self):
        """The collector opens the dashboard: the overdue total, the aging and the customer to
        call are there; clicking the customer lists the open invoice."""
        self.customer.name = "Tour Customer Bảo Long"
        self._invoice(days_overdue=40, amount=4321.0)
        self.start_tour(
            "/odoo/action-ar_reminders.action_ar_dashboard",
            "ar_reminders_collections_dashboard",
            login=self.env.user.login,
        )
