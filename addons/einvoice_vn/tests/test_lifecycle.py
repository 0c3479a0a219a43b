import datetime
from unittest.mock import patch

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..tools import archive, signer
from .common import SELLER_MST, EinvoiceCommon


@tagged("post_install", "-at_install")
class TestEinvoiceLifecycle(EinvoiceCommon):
    def _issued(self):
        move = self._invoice()
        move.action_einvoice_vn_issue()
        self.assertEqual(move.einvoice_vn_state, "accepted")
        return move

    def _make_due(self, doc):
        self._trusted(doc).next_retry_at = fields.Datetime.now() - datetime.timedelta(seconds=1)

    def test_rejection_then_resend(self):
        self.provider.state.script = ["reject"]
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual((doc.state, doc.error_kind), ("rejected", "rejected"))
        self.assertIn("buyer tax id invalid", doc.error_message)
        first_uuid = doc.transaction_uuid
        doc.action_resend()
        self.assertEqual(doc.state, "accepted")
        self.assertNotEqual(doc.transaction_uuid, first_uuid)
        self.assertEqual(doc.revision, 1)

    def test_timeout_then_success_issues_once(self):
        # Odoo's test harness raises request timeouts below 10 s to 10 s: answer after 11.
        self.provider.state.script = ["timeout"]
        self.provider.state.delay = 11.0
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual((doc.state, doc.error_kind), ("error", "retryable"))
        self.assertEqual(doc.retry_count, 1)
        self.assertGreater(doc.next_retry_at, fields.Datetime.now())
        self._make_due(doc)
        self._run_send_cron()
        self.assertEqual(doc.state, "accepted")
        self.assertEqual(self.provider.state.creations[doc.transaction_uuid], 1)

    def test_server_error_retried_by_cron_with_backoff(self):
        self.provider.state.script = ["error500", "error500"]
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.error_kind, "retryable")
        self._run_send_cron()
        self.assertEqual(doc.state, "error", "not due yet: the cron leaves it")
        self._make_due(doc)
        self._run_send_cron()
        self.assertEqual((doc.state, doc.retry_count), ("error", 2))
        delay = doc.next_retry_at - fields.Datetime.now()
        self.assertGreater(delay, datetime.timedelta(minutes=3))
        self._make_due(doc)
        self._run_send_cron()
        self.assertEqual(doc.state, "accepted")

    def test_expired_token_is_renewed(self):
        self.provider.state.script = ["expire"]
        move = self._invoice()
        move.action_einvoice_vn_issue()
        self.assertEqual(move.einvoice_vn_state, "accepted")
        self.assertEqual(self.provider.state.logins, 2)

    def test_wrong_credentials_are_not_retried(self):
        self.company.einvoice_vn_password = "wrong"
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual((doc.state, doc.error_kind), ("error", "auth"))
        self.assertFalse(doc.next_retry_at)

    def test_bulk_issue_one_bad_invoice(self):
        long_name = "X" * 401  # NMua/Ten is 400 characters at most
        bad_buyer = self.buyer.copy({"name": long_name, "vat": "0100109106-002"})
        moves = self._invoice() + self._invoice(partner=bad_buyer) + self._invoice()
        moves.action_einvoice_vn_queue()
        self.assertEqual(set(moves.mapped("einvoice_vn_state")), {"to_send"})
        self._run_send_cron()
        self.assertEqual(moves.mapped("einvoice_vn_state"), ["accepted", "error", "accepted"])
        bad = moves[1].einvoice_vn_document_id
        self.assertEqual(bad.error_kind, "final")
        self.assertIn("NMua/Ten", bad.error_message)

    def test_bulk_issue_goes_on_past_an_unexpected_error(self):
        # A product description pasted from a spreadsheet with a vertical tab: lxml refuses
        # the control character with a ValueError, not a UserError.
        moves = self._invoice() + self._invoice() + self._invoice()
        bad_line = moves[1].invoice_line_ids[:1]
        moves[1].button_draft()
        bad_line.name = "Gạo ST25\x0btúi 5kg"
        moves[1].action_post()
        moves.action_einvoice_vn_queue()
        with self.assertLogs("odoo.addons.einvoice_vn.models.einvoice_vn_document", "ERROR"):
            self._run_send_cron()
        self.assertEqual(moves.mapped("einvoice_vn_state"), ["accepted", "error", "accepted"])
        bad = moves[1].einvoice_vn_document_id
        self.assertEqual(bad.error_kind, "final")
        self.assertIn("ValueError", bad.error_message)
        self.assertFalse(bad.xml_attachment_id, "nothing was signed for the bad invoice")
        self.assertEqual(len(self.provider.state.creations), 2)

    def test_error_after_acceptance_keeps_the_signed_xml(self):
        moves = self._invoice() + self._invoice()
        moves.action_einvoice_vn_queue()
        docs = moves.einvoice_vn_document_id
        real_check = archive.same_signed_invoice
        calls = []

        def check_fails_once(ours, theirs):
            calls.append(ours)
            if len(calls) == 1:
                raise RuntimeError("archive check crashed")
            return real_check(ours, theirs)

        with (
            patch.object(archive, "same_signed_invoice", check_fails_once),
            self.assertLogs("odoo.addons.einvoice_vn.models.einvoice_vn_document", "ERROR"),
        ):
            self._run_send_cron()
        bad = docs.filtered(lambda d: d.state == "error")
        self.assertEqual(len(bad), 1, "the other document is issued")
        self.assertEqual((docs - bad).state, "accepted")
        self.assertEqual(bad.error_kind, "final")
        self.assertIn("archive check crashed", bad.error_message)
        self.assertFalse(bad.issued_attachment_id)
        signed, sent_uuid = bad.xml_attachment_id.raw, bad.transaction_uuid
        self.assertEqual(self.provider.state.creations[sent_uuid], 1)
        # Sending it again looks the invoice up at the provider: no new signature.
        bad.action_send_now()
        self.assertEqual(bad.state, "accepted")
        self.assertEqual((bad.xml_attachment_id.raw, bad.transaction_uuid), (signed, sent_uuid))
        self.assertEqual(self.provider.state.creations[sent_uuid], 1)
        issued = bad.issued_attachment_id.raw
        self.assertTrue(archive.same_signed_invoice(signed, issued), "our signed XML, coded")
        self.assertEqual(etree.fromstring(issued).findtext("MCCQT"), bad.authority_code)

    def test_issued_invoice_cannot_be_reset_to_draft(self):
        move = self._issued()
        self.assertTrue(move.need_cancel_request)
        self.assertFalse(move.show_reset_to_draft_button)
        with self.assertRaisesRegex(UserError, rf"{move.name}.*cannot be reset to draft"):
            move.button_draft()
        self.assertEqual(move.state, "posted")
        action = move.button_request_cancel()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("einvoice.vn.document", move.einvoice_vn_document_id.id),
        )

    def test_queued_invoice_reset_to_draft_is_not_signed(self):
        move = self._invoice()
        move.action_einvoice_vn_queue()
        self.assertTrue(move.show_reset_to_draft_button, "nothing signed yet")
        move.button_draft()
        self._run_send_cron()
        doc = move.einvoice_vn_document_id
        self.assertEqual((doc.state, doc.error_kind), ("error", "final"))
        self.assertIn("is not posted", doc.error_message)
        self.assertFalse(doc.xml_attachment_id)
        self.assertFalse(self.provider.state.creations)

    def _correct(self, origin, kind):
        correcting = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        wizard = Form(
            self.env["einvoice.vn.correction"].with_context(
                active_model="account.move", active_id=origin.id
            )
        )
        wizard.kind = kind
        wizard.move_id = correcting
        wizard.reason = "Sai đơn giá dòng 1"
        wizard.save().action_issue()
        return correcting.einvoice_vn_document_id

    def test_adjustment_references_the_original(self):
        origin = self._issued()
        doc = self._correct(origin, "adjustment")
        self.assertEqual((doc.state, doc.kind), ("accepted", "adjustment"))
        self.assertEqual(origin.einvoice_vn_state, "adjusted")
        related = etree.fromstring(doc.xml_attachment_id.raw).find("DLHDon/TTChung/TTHDLQuan")
        original = origin.einvoice_vn_document_id
        self.assertEqual(related.findtext("TCHDon"), "2")
        self.assertEqual(related.findtext("KHHDCLQuan"), original.symbol)
        self.assertEqual(related.findtext("SHDCLQuan"), original.number)
        self.assertEqual(related.findtext("GChu"), "Sai đơn giá dòng 1")
        # The printed copy names the invoice it adjusts (Decree 123/2020, art. 19).
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("einvoice_vn.report_einvoice_vn", doc.ids)[0]
            .decode()
        )
        day = original.issue_date
        self.assertIn(
            f"cho hóa đơn Mẫu số {original.template} ký hiệu {original.symbol} "
            f"số {original.number} ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
            html,
        )
        self.assertIn("Lý do: Sai đơn giá dòng 1", html)

    def test_replacement(self):
        origin = self._issued()
        doc = self._correct(origin, "replacement")
        self.assertEqual(doc.state, "accepted")
        self.assertEqual(origin.einvoice_vn_state, "replaced")

    def test_cancellation_depends_on_the_law(self):
        move = self._issued()
        self.company.einvoice_vn_law = "decree_254"
        with self.assertRaisesRegex(UserError, "adjustment or a replacement"):
            move.einvoice_vn_document_id.action_cancel_einvoice()
        self.company.einvoice_vn_law = "decree_70"
        doc = move.einvoice_vn_document_id
        doc.action_cancel_einvoice()
        self.assertEqual(move.einvoice_vn_state, "cancelled")
        [notice] = self.env["ir.attachment"].search(
            [("res_model", "=", doc._name), ("res_id", "=", doc.id), ("name", "like", "04SS-")]
        )
        root = etree.fromstring(notice.raw)
        # QĐ 1450, Part II, III.1: the notice's table, field by field and in order.
        data = root.find("DLTBao")
        self.assertEqual(
            [(c.tag, c.text) for c in data if c.tag != "DSHDon"],
            [
                ("PBan", "2.0.0"),
                ("MSo", "04/SS-HĐĐT"),
                ("Ten", "Thông báo hóa đơn điện tử có sai sót"),
                ("Loai", "1"),
                ("MCQT", "10100"),
                ("TCQT", "Cục Thuế Thành phố Hà Nội"),
                ("TNNT", "Công ty TNHH Phân phối Sao Mai"),
                ("MST", SELLER_MST),
                ("DDanh", "Phường Hoàn Kiếm"),
                ("NTBao", str(fields.Date.context_today(doc))),
            ],
        )
        self.assertEqual(
            [(c.tag, c.text) for c in data.find("DSHDon/HDon")],
            [
                ("STT", "1"),
                ("MCQTCap", doc.authority_code),
                ("KHMSHDon", "1"),
                ("KHHDon", doc.symbol),
                ("SHDon", doc.number),
                ("Ngay", str(doc.issue_date)),
                ("LADHDDT", "1"),
                ("TCTBao", "1"),
                ("LDo", doc.reason or "Hủy hóa đơn"),
            ],
        )
        signature = root.find("DSCKS/NNT/ds:Signature", signer.NS)
        self.assertIn(f"MST:{SELLER_MST}", signer.verify(root, signature))

    def test_cancellation_without_tax_office_is_refused_and_keeps_the_invoice(self):
        move = self._issued()
        doc = move.einvoice_vn_document_id
        self.company.einvoice_vn_tax_office_code = False
        with self.assertRaisesRegex(UserError, "MCQT: mandatory"):
            doc.action_cancel_einvoice()
        self.assertEqual(doc.state, "accepted")

    def test_paid_state_follows_the_invoice(self):
        move = self._issued()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({})._create_payments()
        self.assertTrue(move.einvoice_vn_document_id.paid)

    def test_send_and_print_issues_the_einvoice(self):
        move = self._invoice()
        wizard = (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )
        self.assertIn("einvoice_vn", wizard.extra_edis)
        wizard.action_send_and_print()
        self.assertEqual(move.einvoice_vn_state, "accepted")
        self.assertIn(
            move.einvoice_vn_document_id.issued_attachment_id,
            self.env["account.move.send"]._get_invoice_extra_attachments(move),
        )
