from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..tools import archive, signer, tdiep
from .common import SELLER_MST, EinvoiceCommon
from .sinvoice_server import SinvoiceServer


@tagged("post_install", "-at_install")
class TestTvanMessages(EinvoiceCommon):
    """The generic T-VAN speaks TDiep messages with the local T-VAN server (which answers
    as the tax authority): 200 out, 999/202/204 in; 300 out, 301 in."""

    def _mtdiep(self, doc):
        return tdiep.message_id(self.company._einvoice_vn_sender_code(), doc.transaction_uuid)

    def _issue(self, script=()):
        self.provider.state.script = list(script)
        move = self._invoice()
        move.action_einvoice_vn_issue()
        return move.einvoice_vn_document_id

    def test_invoice_goes_out_as_message_200_and_comes_back_as_202(self):
        doc = self._issue()
        self.assertEqual(doc.state, "accepted", doc.error_message)
        posted = tdiep.parse(self.provider.state.received[self._mtdiep(doc)])
        self.assertEqual(
            (posted.type, posted.sender, posted.receiver, posted.tax_id, posted.count),
            ("200", SELLER_MST, self.company.einvoice_vn_tvan_code, SELLER_MST, "1"),
        )
        coded = etree.fromstring(doc.issued_attachment_id.raw)
        self.assertEqual(coded.findtext("MCCQT"), doc.authority_code)
        self.assertTrue(
            archive.same_signed_invoice(doc.xml_attachment_id.raw, doc.issued_attachment_id.raw)
        )
        self.assertIn(
            "TỔNG CỤC THUẾ", signer.verify(coded, coded.find("DSCKS/CQT/ds:Signature", signer.NS))
        )

    def test_invoice_without_code_goes_out_as_message_203(self):
        symbol = self.env["einvoice.vn.symbol"].create(
            {"template": "1", "name": f"K{self.year}TAA"}
        )
        self.journal.einvoice_vn_symbol_id = symbol
        doc = self._issue()
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertFalse(doc.authority_code, "no code for an invoice without code")
        self.assertEqual(
            (self.provider.state.count("203"), self.provider.state.count("200")), (1, 0)
        )

    def test_999_error_is_a_rejection_naming_its_code(self):
        doc = self._issue(["technical"])
        self.assertEqual((doc.state, doc.error_kind), ("rejected", "rejected"))
        self.assertIn("(999)", doc.error_message)
        self.assertIn("[10011] Thông điệp sai định dạng", doc.error_message)
        self.assertFalse(doc.authority_code)
        self.assertFalse(self.provider.state.creations, "nothing was coded")

    def test_204_not_eligible_is_a_rejection_with_its_reasons(self):
        doc = self._issue(["reject"])
        self.assertEqual((doc.state, doc.error_kind), ("rejected", "rejected"))
        self.assertIn("01/TB-KTDL", doc.error_message)
        self.assertIn("buyer tax id invalid", doc.error_message)
        self.assertFalse(doc.authority_code)
        # Fixed and sent again: a new revision, a new transaction UUID and MTDiep.
        first = self._mtdiep(doc)
        doc.action_resend()
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertNotEqual(self._mtdiep(doc), first)

    def test_202_with_a_wrong_authority_signature_is_refused(self):
        for behaviour, error in (
            ("bad_signature", "does not verify"),
            ("foreign_authority", "not a tax authority certificate"),
        ):
            with self.subTest(behaviour=behaviour):
                doc = self._issue([behaviour])
                self.assertEqual((doc.state, doc.error_kind), ("error", "final"))
                self.assertIn("authority's answer is refused", doc.error_message)
                self.assertIn(error, doc.error_message)
                self.assertFalse(doc.authority_code, "MCCQT not stored")
                self.assertFalse(doc.issued_attachment_id)

    def test_authority_not_configured_is_accepted_with_a_note(self):
        self.company.einvoice_vn_authority_tax_ids = False
        doc = self._issue()
        self.assertEqual(doc.state, "accepted")
        self.assertTrue(
            doc.message_ids.filtered(lambda m: "not fully checked" in (m.body or "")),
            "the chatter says what was not checked",
        )

    def test_crash_after_the_post_does_not_send_a_second_200(self):
        move = self._invoice()
        move.action_einvoice_vn_queue()
        doc = self._trusted(move.einvoice_vn_document_id)
        doc._prepare()
        # A worker posts the 200 and dies before it records the answer.
        client = self.company.sudo()._einvoice_vn_client()
        client.issue(
            {
                "transaction_uuid": doc.transaction_uuid,
                "seller_tax_id": SELLER_MST,
                "xml": doc.xml_attachment_id.raw,
                "symbol": doc.symbol,
            }
        )
        self.assertEqual(doc.state, "signed", "nothing recorded")
        self._run_send_cron()
        self.assertEqual(doc.state, "accepted")
        self.assertEqual(self.provider.state.messages, {self._mtdiep(doc): 1})
        self.assertEqual(self.provider.state.count("200"), 1)

    def test_lost_answer_does_not_send_a_second_200(self):
        # Odoo's test harness raises request timeouts below 10 s to 10 s: answer after 11.
        self.provider.state.delay = 11.0
        doc = self._issue(["timeout"])
        self.assertEqual((doc.state, doc.error_kind), ("error", "retryable"))
        self._trusted(doc).next_retry_at = doc.create_date
        self._run_send_cron()
        self.assertEqual(doc.state, "accepted")
        self.assertEqual(self.provider.state.messages, {self._mtdiep(doc): 1})

    def test_answer_not_yet_there_is_polled_without_resending(self):
        doc = self._issue(["pending"])
        self.assertEqual((doc.state, doc.error_kind), ("error", "retryable"))
        self.assertIn("has not answered yet", doc.error_message)
        self.provider.state.release()
        self._trusted(doc).next_retry_at = doc.create_date
        self._run_send_cron()
        self.assertEqual(doc.state, "accepted")
        self.assertEqual(self.provider.state.count("200"), 1)

    # -- 04/SS notices: 300 out, 301 in --------------------------------------------------

    def _notice_of(self, doc):
        return etree.fromstring(doc.notice_attachment_id.raw)

    def test_cancellation_sends_300_and_stores_the_301(self):
        doc = self._issue()
        doc.action_cancel_einvoice()
        self.assertEqual(doc.state, "cancelled")
        self.assertEqual(doc.notice_state, "accepted", doc.notice_result)
        self.assertEqual(self.provider.state.count("300"), 1)
        posted = tdiep.parse(self.provider.state.received[doc.notice_message_id])
        self.assertEqual((posted.type, posted.tax_id), ("300", SELLER_MST))
        # The notice sent is the signed one kept on the document.
        self.assertEqual(
            etree.tostring(posted.data.find("TBao")), etree.tostring(self._notice_of(doc))
        )
        answer = etree.fromstring(doc.notice_answer_attachment_id.raw)
        self.assertEqual(answer.findtext("DLTBao/MSo"), "01/TB-SSĐT")
        self.assertEqual(answer.findtext("DLTBao/DSHDon/HDon/TTTNCCQT"), "1")
        self.assertEqual(answer.findtext("DLTBao/DSHDon/HDon/SHDon"), doc.number)
        self.assertIn("Accepted by the tax authority", doc.notice_result)
        # No reason given: the legal XML says it in Vietnamese, whatever the user's language.
        self.assertEqual(self._notice_of(doc).findtext("DLTBao/DSHDon/HDon/LDo"), "Hủy hóa đơn")

    def test_notice_not_accepted_shows_the_reasons(self):
        doc = self._issue()
        self.provider.state.script = ["notice_refused"]
        doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, "refused")
        self.assertIn("[40012] Hóa đơn không tồn tại", doc.notice_result)
        # The authority still holds the invoice as valid: never shown as cancelled.
        self.assertEqual(doc.state, "accepted")
        self.assertEqual(doc.move_id.einvoice_vn_state, "accepted")
        self.assertEqual(doc.activity_ids.summary, "04/SS notice not accepted")
        self.assertIn("did not accept the 04/SS-HĐĐT notice", doc.message_ids[0].body)
        answer = etree.fromstring(doc.notice_answer_attachment_id.raw)
        self.assertEqual(answer.findtext("DLTBao/DSHDon/HDon/TTTNCCQT"), "2")

    def test_notice_refused_by_a_999_puts_the_adjusted_original_back(self):
        origin = self._invoice()
        origin.action_einvoice_vn_issue()
        original = origin.einvoice_vn_document_id
        # The correction's 200 is answered; the notice's 300 gets a 999 error.
        self.provider.state.script = ["ok", "technical"]
        self._invoice()._einvoice_vn_issue_correction(origin, "adjustment", "Sai đơn giá")
        self.assertEqual(original.notice_state, "refused", original.notice_result)
        self.assertIn("10011", original.notice_result)
        self.assertEqual(original.state, "accepted")
        self.assertEqual(original.activity_ids.summary, "04/SS notice not accepted")

    def test_second_correction_waits_for_the_first_notice_and_keeps_it(self):
        origin = self._invoice()
        origin.action_einvoice_vn_issue()
        original = origin.einvoice_vn_document_id
        # The first adjustment is coded; its notice's answer is kept back.
        self.provider.state.script = ["ok", "pending"]
        self._invoice()._einvoice_vn_issue_correction(origin, "adjustment", "Sai đơn giá")
        self.assertEqual(original.notice_state, "sent")
        first = original.notice_attachment_id
        second = self._invoice()
        with self.assertRaisesRegex(UserError, rf"{first.name}.*{origin.name}"):
            second._einvoice_vn_issue_correction(origin, "adjustment", "Sai số lượng")
        self.assertFalse(second.einvoice_vn_document_id)
        self.assertEqual(self.provider.state.count("200"), 2, "the second was not sent")
        self.assertEqual((original.notice_attachment_id, original.notice_state), (first, "sent"))

        self.provider.state.release()
        self._run_cron("einvoice.vn.document", "_cron_send_notices")
        self.assertEqual(original.notice_state, "accepted", original.notice_result)
        first_answer = original.notice_answer_attachment_id
        second._einvoice_vn_issue_correction(origin, "adjustment", "Sai số lượng")
        self.assertEqual(second.einvoice_vn_state, "accepted")
        self.assertNotEqual(original.notice_attachment_id, first)
        self.assertEqual(self.provider.state.count("300"), 2)
        kept = self.env["ir.attachment"].search(
            [("res_model", "=", original._name), ("res_id", "=", original.id)]
        )
        self.assertLessEqual(first | first_answer, kept)
        self.assertTrue(
            original.message_ids.filtered(lambda m: first in m.attachment_ids),
            "the earlier notice is in the chatter",
        )

    def test_301_signed_by_someone_else_is_refused(self):
        doc = self._issue()
        self.provider.state.script = ["foreign_authority"]
        doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, "error")
        self.assertIn("not a tax authority certificate", doc.notice_result)
        self.assertFalse(doc.notice_answer_attachment_id)

    def test_notice_with_a_lost_answer_is_polled_by_the_cron_not_resent(self):
        doc = self._issue()
        self.provider.state.script = ["timeout"]
        self.provider.state.delay = 11.0
        doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, "to_send")
        self.assertTrue(doc.notice_result, "the error is shown")
        self._run_cron("einvoice.vn.document", "_cron_send_notices")
        self.assertEqual(doc.notice_state, "accepted", doc.notice_result)
        self.assertEqual(self.provider.state.messages[doc.notice_message_id], 1)

    def test_adjustment_sends_the_notice_of_the_original(self):
        origin = self._invoice()
        origin.action_einvoice_vn_issue()
        correcting = self._invoice()
        wizard = Form(
            self.env["einvoice.vn.correction"].with_context(
                active_model="account.move", active_id=origin.id
            )
        )
        wizard.kind = "adjustment"
        wizard.move_id = correcting
        wizard.reason = "Sai đơn giá dòng 1"
        wizard.save().action_issue()
        original = origin.einvoice_vn_document_id
        self.assertEqual(original.state, "adjusted")
        self.assertEqual(original.notice_state, "accepted", original.notice_result)
        self.assertEqual(self._notice_of(original).findtext("DLTBao/DSHDon/HDon/TCTBao"), "2")
        self.assertEqual(self.provider.state.count("300"), 1)


@tagged("post_install", "-at_install")
class TestViettelAuthorityCode(EinvoiceCommon):
    """SInvoice answers the authority code as ``codeOfTax``, later than the creation for
    invoices that are not from a cash register; ``reservationCode`` is not that code."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sinvoice = SinvoiceServer().__enter__()
        cls.addClassCleanup(cls.sinvoice.__exit__, None, None, None)
        cls.company.write(
            {
                "einvoice_vn_provider": "viettel",
                "einvoice_vn_url": f"{cls.sinvoice.url}/services/einvoiceapplication/api/",
                "einvoice_vn_auth_url": f"{cls.sinvoice.url}/auth/login",
            }
        )

    def setUp(self):
        super().setUp()
        self.sinvoice.created.clear()
        self.sinvoice.received.clear()
        self.sinvoice.extra = {}

    def test_provider_answer_cannot_mark_an_invoice_sandbox(self):
        # Only the company's choice of the sandbox makes a demo invoice, never the JSON a
        # real provider answers.
        self.sinvoice.extra = {"sandbox": True}
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertTrue(self.sinvoice.created[doc.transaction_uuid]["sandbox"])
        self.assertFalse(doc.sandbox)

    def test_code_of_tax_is_filled_by_the_poll_cron(self):
        self.sinvoice.code_on_create = False
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertFalse(doc.authority_code, "not coded yet")
        self.assertEqual(doc.reservation_code, "R1", "the buyer's look-up secret")
        self._run_cron("einvoice.vn.document", "_cron_fetch_authority_codes")
        self.assertFalse(doc.authority_code, "the authority has not coded it yet")
        self.sinvoice.assign_codes()
        self._run_cron("einvoice.vn.document", "_cron_fetch_authority_codes")
        self.assertEqual(doc.authority_code, SinvoiceServer.code_for(1))
        self.assertNotEqual(doc.authority_code, doc.reservation_code)

    def test_code_of_tax_on_creation_is_kept(self):
        self.sinvoice.code_on_create = True
        move = self._invoice()
        move.action_einvoice_vn_issue()
        self.assertEqual(move.einvoice_vn_document_id.authority_code, SinvoiceServer.code_for(1))
