import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .after_sales_common import AfterSalesCommon

OPENED = datetime.datetime(2026, 11, 20, 8, 0)


@tagged("post_install", "-at_install")
class TestComplaints(AfterSalesCommon):
    def _complaint(self, order, **values):
        return self.env["o2c.complaint"].create(
            {
                "order_id": order.id,
                "channel": "marketplace",
                "category": "late_delivery",
                "description": "The parcel came three days late.",
                **values,
            }
        )

    def test_resolve_hours(self):
        order = self._delivered_order([(self.product_coffee, 1)], paid=False)
        with freeze_time(OPENED):
            complaint = self._complaint(order)
        self.assertEqual(complaint.date_open, OPENED)
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{4}$")
        self.assertEqual(complaint.partner_id, order.partner_id)
        self.assertEqual(complaint.company_id, order.company_id)
        self.assertEqual(complaint.resolve_hours, 0)
        with self.assertRaisesRegex(UserError, "write the resolution"):
            complaint.action_resolve()
        complaint.resolution = "Shipping fee refunded as a voucher."
        with freeze_time(OPENED + datetime.timedelta(days=1, hours=2, minutes=15)):
            complaint.action_resolve()
        self.assertEqual(complaint.state, "resolved")
        self.assertEqual(complaint.resolve_hours, 26.25)
        self.assertEqual(order.o2c_complaint_count, 1)
        action = order.action_o2c_complaints()
        self.assertEqual(self.env["o2c.complaint"].search(action["domain"]), complaint)
        groups = self.env["o2c.complaint"]._read_group(
            [("id", "=", complaint.id)], ["category"], ["resolve_hours:avg"]
        )
        self.assertEqual(groups, [("late_delivery", 26.25)], "stored, so KPIs can aggregate it")

    def test_open_complaint_keeps_order_in_stage_6(self):
        order = self._delivered_order([(self.product_coffee, 1)])
        order.o2c_after_sales_over = True
        self.assertEqual(order.o2c_stage, "closed")
        complaint = self._complaint(order)
        self.assertEqual(order.o2c_stage, "after_sales")
        self.assertTrue(order.o2c_date_after_sales)
        complaint.resolution = "Apologised; voucher sent."
        complaint.action_resolve()
        self.assertEqual(order.o2c_stage, "closed")
        complaint.action_reopen()
        self.assertEqual(order.o2c_stage, "after_sales")
        complaint.action_cancel()
        self.assertEqual(order.o2c_stage, "closed")

    def test_resolved_complaint_counts_as_after_sales_until_the_order_closes(self):
        order = self._delivered_order([(self.product_coffee, 1)])
        self.assertEqual(order.o2c_stage, "paid")
        complaint = self._complaint(order, category="quality")
        self.assertEqual(order.o2c_stage, "after_sales")
        complaint.resolution = "Explained the roast."
        complaint.action_resolve()
        self.assertEqual(order.o2c_stage, "after_sales")
        order.action_lock()
        self.assertEqual(order.o2c_stage, "closed")
