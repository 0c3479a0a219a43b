from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.einvoice_vn.tests import supplier_invoices as factory
from odoo.addons.einvoice_vn.tests.inbound_common import InboundCommon

LINE = {
    "code": "NM500",
    "name": "Nước mắm Phú Quốc 500ml",
    "uom": "Chai",
    "quantity": 10,
    "price": 85000,
    "tax": "10%",
}


@tagged("post_install", "-at_install")
class TestSupplierEinvoiceHold(InboundCommon):
    """A bill read from a supplier e-invoice is paid only when the e-invoice's checks pass
    and the bill matches its purchase order and receipt."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.bill_match_enabled = True
        cls.order = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.fish_sauce.id,
                            "product_qty": 10,
                            "price_unit": 85000,
                            "tax_ids": [Command.set(cls.tax_10.ids)],
                        }
                    )
                ],
            }
        )
        cls.order.button_confirm()
        receipt = cls.order.picking_ids
        receipt.move_ids.quantity = 10
        receipt.move_ids.picked = True
        receipt.button_validate()

    def _bill_of(self, data):
        bill = self._import_one(data).move_id
        bill.action_post()
        return bill

    def _pay(self, bill):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({})
            ._create_payments()
        )

    def _failed_codes(self, bill):
        checks = bill.einvoice_vn_inbound_id.check_ids
        return set(checks.filtered(lambda c: c.result == "fail").mapped("code"))

    def test_verified_einvoice_matching_its_order_is_ready_to_pay(self):
        bill = self._bill_of(factory.make_invoice(lines=[LINE]))
        self.assertEqual(bill.einvoice_vn_inbound_id.state, "verified")
        self.assertEqual(bill.invoice_line_ids.purchase_line_id, self.order.order_line)
        self.assertEqual(bill.bill_match_state, "ready")
        self._pay(bill)
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    def test_failed_check_holds_the_bill_until_approved(self):
        # The amount was changed after the seller signed: the signature fails.
        bill = self._bill_of(factory.changed_amount(factory.make_invoice(lines=[LINE])))
        self.assertEqual(bill.einvoice_vn_inbound_id.state, "failed")
        self.assertIn("seller_signature", self._failed_codes(bill))
        self.assertEqual(bill.bill_match_state, "hold")
        issue = bill.bill_match_issue_ids
        self.assertEqual(issue.reason_code, "einvoice_check_failed")
        self.assertEqual(issue.reason, "Supplier e-invoice check failed")
        with self.assertRaisesRegex(UserError, bill.name):
            self._pay(bill)
        self.assertEqual(bill.payment_state, "not_paid")
        bill._bill_match_approve("Seller confirmed the amount by phone; new file requested")
        self.assertEqual(bill.bill_match_state, "approved")
        self._pay(bill)
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    def test_check_again_releases_the_hold_when_the_seller_is_active_again(self):
        self.company.sudo().write(
            {"einvoice_vn_status_url": self.status.url, "einvoice_vn_status_cache_hours": 0}
        )
        self.status.state.statuses[factory.SELLER_MST] = "05"  # suspended
        bill = self._bill_of(factory.make_invoice(lines=[LINE]))
        self.assertEqual(self._failed_codes(bill), {"seller_status"})
        self.assertEqual(bill.bill_match_state, "hold")
        self.assertEqual(bill.bill_match_issue_ids.reason_code, "einvoice_check_failed")
        self.status.state.statuses[factory.SELLER_MST] = "00"
        bill.einvoice_vn_inbound_id.action_recheck()
        self.assertEqual(bill.einvoice_vn_inbound_id.state, "verified")
        self.assertEqual(bill.bill_match_state, "ready")
        self.assertTrue(bill.bill_match_issue_ids.date_resolved)
