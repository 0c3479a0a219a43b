from odoo.tests import HttpCase, tagged

from ..tools import sandbox
from .common import EinvoiceCommon


@tagged("post_install", "-at_install")
class TestEinvoiceTours(EinvoiceCommon, HttpCase):
    """Browser tours (headless Chromium) through the e-invoice screens."""

    def test_issue_einvoice_tour(self):
        """Invoice -> issue -> the document with its MCCQT -> the printed invoice (sandbox)."""
        self.company.write({"vat": sandbox.DEMO_MST, "einvoice_vn_certificate_id": False})
        self.company.action_einvoice_vn_use_sandbox()
        move = self._invoice()
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}",
            "einvoice_vn_issue",
            login=self.env.user.login,
        )
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted")
        self.assertTrue(doc.sandbox)
        self.assertEqual(doc.authority_code, sandbox.authority_code(doc.transaction_uuid))
