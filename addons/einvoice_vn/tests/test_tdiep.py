import re

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..tools import archive, providers, signer, tdiep
from .common import SELLER_MST, EinvoiceCommon
from .provider_server import ca_pem
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

    def test_authority_not_configured_refuses_to_send(self):
        for field, label in (
            ("einvoice_vn_authority_tax_ids", "Tax Authority Certificate MSTs"),
            ("einvoice_vn_trusted_ca", "Trusted Certification Authorities (PEM)"),
        ):
            with self.subTest(field=field):
                saved = self.company[field]
                self.company[field] = False
                move = self._invoice()
                with self.assertRaisesRegex(UserError, f"“{re.escape(label)}”.*Nothing was sent"):
                    move.action_einvoice_vn_issue()
                self.assertFalse(move.einvoice_vn_document_id.number, "not even numbered")
                with self.assertRaisesRegex(UserError, re.escape(label)):
                    move.action_einvoice_vn_queue()
                self.assertEqual(self.provider.state.requests, [], "nothing reached the T-VAN")
                self.company[field] = saved

    def test_authority_not_configured_refuses_to_send_a_notice(self):
        doc = self._issue()
        self.company.einvoice_vn_authority_tax_ids = False
        with self.assertRaisesRegex(UserError, "Tax Authority Certificate MSTs"):
            doc.action_cancel_einvoice()
        self.assertEqual((doc.state, doc.notice_state), ("accepted", False))
        self.assertEqual(self.provider.state.count("300"), 0)

    def test_answer_that_cannot_be_verified_is_never_accepted(self):
        move = self._invoice()
        move.action_einvoice_vn_queue()
        doc = self._trusted(move.einvoice_vn_document_id)
        doc._prepare()
        # A worker posts the 200 and dies; then who the authority is gets unset.
        self.company.sudo()._einvoice_vn_client().issue(
            {
                "transaction_uuid": doc.transaction_uuid,
                "seller_tax_id": SELLER_MST,
                "xml": doc.xml_attachment_id.raw,
                "symbol": doc.symbol,
            }
        )
        self.company.einvoice_vn_trusted_ca = False
        self._run_send_cron()
        self.assertEqual((doc.state, doc.error_kind), ("error", "final"))
        self.assertIn("Trusted Certification Authorities (PEM)", doc.error_message)
        self.assertFalse(doc.authority_code, "the coded invoice is not taken")
        self.assertFalse(doc.issued_attachment_id)
        # Set again: the same 202 is looked up (not sent again) and verified.
        self.company.einvoice_vn_trusted_ca = ca_pem()
        doc.action_send_now()
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertEqual(self.provider.state.count("200"), 1)

    def test_notice_answer_that_cannot_be_verified_is_never_accepted(self):
        doc = self._issue()
        self.provider.state.script = ["pending"]
        doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, "sent", doc.notice_result)
        self.provider.state.release()
        self.company.einvoice_vn_authority_tax_ids = False
        self._run_cron("einvoice.vn.document", "_cron_send_notices")
        self.assertEqual(doc.notice_state, "error")
        self.assertIn("Tax Authority Certificate MSTs", doc.notice_result)
        self.assertFalse(doc.notice_answer_attachment_id, "the 301 is not stored")

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

    def test_only_the_authority_refusal_puts_the_original_back(self):
        """A refusal on the way (an HTML error page at the T-VAN's login, "rejected" by
        the HTTP helper) is not the authority's: the notice needs a look, the invoice stays
        adjusted. Only a 999 with TTTNhan 1 puts it back to accepted."""
        origin = self._invoice()
        origin.action_einvoice_vn_issue()
        original = origin.einvoice_vn_document_id
        self.provider.state.script = ["ok", "pending"]
        self._invoice()._einvoice_vn_issue_correction(origin, "adjustment", "Sai đơn giá")
        self.assertEqual((original.state, original.notice_state), ("adjusted", "sent"))
        transport = providers.ProviderError(
            providers.REJECTED, "POST /auth: HTTP 404, not JSON: '<html>Not Found</html>'"
        )
        self._trusted(original)._record_notice_error(transport)
        self.assertEqual((original.state, original.notice_state), ("adjusted", "error"))
        self.assertFalse(original.activity_ids)
        refusal = providers.TvanClient._refused(
            tdiep.Receipt(ok=False, reference="", received="", reasons=["10011 sai định dạng"]),
            "notice",
        )
        self.assertTrue(refusal.authority)
        self._trusted(original)._record_notice_error(refusal)
        self.assertEqual((original.state, original.notice_state), ("accepted", "refused"))

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
class TestTvanAnswersTiedToTheirMessage(EinvoiceCommon):
    """An answer is taken only when it answers our message (MTDTChieu), for our MST and
    about the invoices sent; the 204 is verified as signed by the authority; the T-VAN's
    code is required; a notice that ended in Error can be sent again with its MTDiep."""

    def _issued(self, script=()):
        self.provider.state.script = list(script)
        move = self._invoice()
        move.action_einvoice_vn_issue()
        return move.einvoice_vn_document_id

    def test_301_not_answering_our_notice_is_refused(self):
        for behaviour, error in (
            ("answer_other_reference", "answers message"),
            ("answer_other_seller", "is for the taxpayer 0109876543 (TTChung/MST)"),
            ("answer_other_invoice", "which our notice does not notify"),
        ):
            with self.subTest(behaviour=behaviour):
                doc = self._issued()
                self.assertEqual(doc.state, "accepted", doc.error_message)
                self.provider.state.script = [behaviour]
                doc.action_cancel_einvoice()
                self.assertEqual(doc.notice_state, "error", doc.notice_result)
                self.assertIn("the authority's answer is refused", doc.notice_result)
                self.assertIn(error, doc.notice_result)
                self.assertFalse(doc.notice_answer_attachment_id, "the 301 is not stored")

    def test_999_of_another_message_is_not_our_receipt(self):
        doc = self._issued(["receipt_other"])
        self.assertEqual((doc.state, doc.error_kind), ("error", "final"))
        self.assertIn("the T-VAN's receipt is refused", doc.error_message)
        self.assertIn("acknowledges", doc.error_message)
        self.assertFalse(doc.authority_code)

    def test_204_not_proven_or_about_another_invoice_is_refused(self):
        for behaviour, error in (
            ("check_bad_signature", "does not verify"),
            ("check_unsigned", "holds 0 signatures"),
            ("foreign_authority", "not a tax authority certificate"),
            ("answer_other_invoice", "not the invoice sent"),
        ):
            with self.subTest(behaviour=behaviour):
                # foreign_authority alone signs a 202; a refusal makes the answer a 204.
                self.provider.state.validate = (
                    (lambda xml: ["MST người mua sai"])
                    if behaviour == "foreign_authority"
                    else self._provider_checks_signature
                )
                doc = self._issued([behaviour])
                self.provider.state.validate = self._provider_checks_signature
                self.assertEqual((doc.state, doc.error_kind), ("error", "final"))
                self.assertIn("the authority's answer is refused", doc.error_message)
                self.assertIn("01/TB-KTDL (204)", doc.error_message)
                self.assertIn(error, doc.error_message)

    def test_tvan_code_is_required_before_anything_is_sent(self):
        doc = self._issued()
        self.provider.state.__init__()
        self.company.einvoice_vn_tvan_code = False
        move = self._invoice()
        message = "“T-VAN Receiver Code \\(MNNhan\\)”.*Nothing was sent"
        with self.assertRaisesRegex(UserError, message):
            move.action_einvoice_vn_issue()
        with self.assertRaisesRegex(UserError, message):
            doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, False)
        self.assertEqual(self.provider.state.requests, [], "nothing reached the T-VAN")

    def test_notice_in_error_is_sent_again_with_its_mtdiep(self):
        doc = self._issued()
        self.company.einvoice_vn_password = "wrong"
        doc.action_cancel_einvoice()
        self.assertEqual(doc.notice_state, "error", doc.notice_result)
        mtdiep = doc.notice_message_id
        self.assertFalse(self.provider.state.count("300"), "the T-VAN refused the login")
        clerk = new_test_user(
            self.env,
            login="einv_clerk_notice",
            groups="account.group_account_invoice,einvoice_vn.group_einvoice_user",
        )
        with self.assertRaises(AccessError):
            doc.with_user(clerk).action_resend_notice()
        self.company.einvoice_vn_password = "secret"
        doc.action_resend_notice()
        self.assertEqual(doc.notice_state, "to_send")
        self._run_cron("einvoice.vn.document", "_cron_send_notices")
        self.assertEqual(doc.notice_state, "accepted", doc.notice_result)
        self.assertEqual(doc.notice_message_id, mtdiep)
        self.assertEqual(self.provider.state.messages[mtdiep], 1)
        self.assertEqual(self.provider.state.count("300"), 1)
        self.assertEqual(tdiep.parse(self.provider.state.received[mtdiep]).type, "300")


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
