from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..tools import sandbox, signer, tdiep
from .common import SELLER_MST, EinvoiceCommon


@tagged("post_install", "-at_install")
class TestSandbox(EinvoiceCommon):
    """The demo sandbox: issues inside Odoo like the tax authority, for the demo MST only."""

    def _use_sandbox(self):
        self.company.write({"vat": sandbox.DEMO_MST, "einvoice_vn_certificate_id": False})
        self.company.action_einvoice_vn_use_sandbox()

    def test_sandbox_issues_with_a_demo_code_and_authority_signature(self):
        self._use_sandbox()
        self.assertEqual(self.company.einvoice_vn_provider, "sandbox")
        certificate = self.company.einvoice_vn_certificate_id
        self.assertEqual(certificate.tax_id, sandbox.DEMO_MST)
        self.assertIn("OU=DEMO", certificate.subject)

        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertTrue(doc.sandbox)
        self.assertEqual(doc.authority_code, sandbox.authority_code(doc.transaction_uuid))
        self.assertRegex(doc.authority_code, r"^[0-9A-F]{34}$")
        self.assertEqual(self.provider.state.creations, {})  # nothing left Odoo

        root = etree.fromstring(doc.issued_attachment_id.raw)
        self.assertEqual(root.findtext("MCCQT"), doc.authority_code)
        self.assertIn(f"MST:{sandbox.DEMO_MST}", signer.verify(root))
        authority = root.find("DSCKS/CQT/ds:Signature", signer.NS)
        self.assertIn("DEMO", signer.verify(root, authority))
        uris = [r.get("URI") for r in authority.iterfind(".//ds:Reference", signer.NS)]
        self.assertIn("#MCCQT", uris)
        # The archived seller XML and the sandbox's coded copy are the same invoice.
        self.assertFalse(doc.activity_ids)

        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "einvoice_vn.report_einvoice_vn", doc.ids
        )
        self.assertIn("DEMO – không có giá trị", html.decode())

    def _issued_in_sandbox(self):
        self._use_sandbox()
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        return doc

    def test_sandbox_answers_the_cancellation_notice_with_a_signed_301(self):
        doc = self._issued_in_sandbox()
        doc.action_cancel_einvoice()
        self.assertEqual(doc.state, "cancelled")
        self.assertEqual(doc.notice_state, "accepted", doc.notice_result)
        self.assertIn("Accepted by the tax authority", doc.notice_result)
        self.assertEqual(
            doc.notice_message_id,
            tdiep.message_id(
                sandbox.DEMO_MST,
                f"{doc.transaction_uuid}:04SS:{doc.notice_attachment_id.id}",
            ),
        )
        answer = etree.fromstring(doc.notice_answer_attachment_id.raw)
        self.assertEqual(answer.findtext("DLTBao/MSo"), "01/TB-SSĐT")
        self.assertEqual(answer.findtext("DLTBao/MST"), sandbox.DEMO_MST)
        invoice = answer.find("DLTBao/DSHDon/HDon")
        self.assertEqual(
            [invoice.findtext(tag) for tag in ("SHDon", "MCQTCap", "TCTBao", "TTTNCCQT")],
            [doc.number, doc.authority_code, "1", "1"],
        )
        self.assertEqual(answer.findtext("STBao/So"), sandbox.answer_number(doc.notice_message_id))
        # The demo authority signed the answer, over its data and its number.
        signature = answer.find("DSCKS/CQT/ds:Signature", signer.NS)
        self.assertIn(sandbox.AUTHORITY_NAME, signer.verify(answer, signature))
        uris = {r.get("URI") for r in signature.iterfind(".//ds:Reference", signer.NS)}
        self.assertTrue({"#DLTBao-301", "#STBao-301"} <= uris, uris)
        self.assertEqual(self.provider.state.messages, {}, "nothing left Odoo")

    def test_sandbox_refuses_a_notice_without_the_authority_code_with_reasons(self):
        doc = self._issued_in_sandbox()
        # An invoice with code whose authority code was lost: the notice cannot name it.
        self._trusted(doc).authority_code = False
        doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, "refused")
        self.assertIn("Not accepted by the tax authority", doc.notice_result)
        self.assertIn("[SB01]", doc.notice_result)
        self.assertIn("MCCQT missing", doc.notice_result)
        answer = etree.fromstring(doc.notice_answer_attachment_id.raw)
        self.assertEqual(answer.findtext("DLTBao/DSHDon/HDon/TTTNCCQT"), "2")
        self.assertIn(
            sandbox.AUTHORITY_NAME,
            signer.verify(answer, answer.find("DSCKS/CQT/ds:Signature", signer.NS)),
        )

    def _account_invoice_html(self, move):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", move.ids
        )
        return html.decode()

    def test_odoo_invoice_pdf_of_a_sandbox_invoice_is_marked(self):
        self._use_sandbox()
        move = self._invoice()
        move.action_einvoice_vn_issue()
        self.assertTrue(move.einvoice_vn_document_id.sandbox)
        html = self._account_invoice_html(move)
        self.assertIn(move.name, html)
        self.assertIn("DEMO – không có giá trị", html)

    def test_real_tax_id_cannot_use_the_sandbox(self):
        with self.assertRaisesRegex(ValidationError, "E-invoice Provider.*0100109106"):
            self.company.einvoice_vn_provider = "sandbox"
        self._use_sandbox()
        with self.assertRaisesRegex(ValidationError, "demo tax id 0999999990 only"):
            self.company.vat = "0100109106"

    def test_real_invoice_pdf_has_no_watermark(self):
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertFalse(doc.sandbox)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "einvoice_vn.report_einvoice_vn", doc.ids
        )
        self.assertNotIn("DEMO – không có giá trị", html.decode())
        self.assertNotIn("DEMO – không có giá trị", self._account_invoice_html(move))

    def test_only_a_manager_switches_to_the_sandbox(self):
        self.company.write({"vat": sandbox.DEMO_MST, "einvoice_vn_certificate_id": False})
        salesman = new_test_user(
            self.env,
            login="einv_salesman",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.company.with_user(salesman).action_einvoice_vn_use_sandbox()
        self.assertEqual(self.company.einvoice_vn_provider, "tvan")
        self.assertFalse(self.company.einvoice_vn_certificate_id)
        self.assertFalse(
            self.env["einvoice.vn.certificate"]
            .search([("company_id", "=", self.company.id)])
            .filtered(lambda c: c.tax_id == sandbox.DEMO_MST)
        )

    def test_tax_id_changed_on_the_partner_cannot_issue_through_the_sandbox(self):
        # The company keeps its real signing certificate: only the tax id stops it.
        self.company.write({"vat": sandbox.DEMO_MST, "einvoice_vn_provider": "sandbox"})
        move = self._invoice()
        self.company.partner_id.vat = SELLER_MST
        self.assertEqual(self.company.einvoice_vn_provider, "sandbox")
        with self.assertRaisesRegex(UserError, rf"Sandbox \(demo, no legal value\).*{SELLER_MST}"):
            self.company.sudo()._einvoice_vn_client()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "error")
        self.assertIn(SELLER_MST, doc.error_message)
        self.assertFalse(doc.authority_code)
        self.assertFalse(doc.sandbox)
