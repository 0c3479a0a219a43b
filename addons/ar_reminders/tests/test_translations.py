import datetime

from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tools import sql

from .common import ArCommon


@tagged("post_install", "-at_install")
class TestLanguageAndNeutralize(ArCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.customer.lang = "vi_VN"

    def test_hold_notes_in_the_customers_language(self):
        """The cron runs in English; the notes it writes on a Vietnamese customer are in
        Vietnamese (hold, release)."""
        move = self._invoice(days_overdue=31)
        self._run_cron()
        bodies = self.customer.message_ids.mapped("body")
        self.assertTrue(
            any("Khóa tín dụng theo mức nhắc nợ Hold." in body for body in bodies), bodies
        )
        self._pay(move)
        bodies = self.customer.message_ids.mapped("body")
        self.assertTrue(
            any("Đã gỡ các lệnh tạm dừng do nhắc nợ" in body for body in bodies), bodies
        )

    def test_broken_promise_note_in_the_customers_language(self):
        self._invoice(days_overdue=9)
        promise = self.env["ar.promise"].create(
            {
                "partner_id": self.customer.id,
                "date": self.today - datetime.timedelta(days=1),
                "amount": 1000,
            }
        )
        self._run_cron(method="_cron_check_promises", model="ar.promise")
        bodies = promise.message_ids.mapped("body")
        self.assertTrue(any("Không giữ hứa: Công ty Á Châu" in body for body in bodies), bodies)

    def test_neutralize_blanks_the_sms_gateway(self):
        queries = list(get_neutralization_queries(["ar_reminders"]))
        self.assertTrue(queries, "data/neutralize.sql is read by odoo neutralize")
        self.env.flush_all()
        for query in queries:
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.company.ar_sms_url)
        self.assertFalse(self.company.ar_sms_auth)

    def test_reminder_lines_are_indexed_by_level(self):
        """Deleting a level (or its policy) finds its reminder lines by an index."""
        self.assertTrue(sql.index_exists(self.env.cr, "ar_reminder_line__level_id_index"))
