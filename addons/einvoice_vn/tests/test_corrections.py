from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import EinvoiceCommon
from .sinvoice_server import SinvoiceServer


@tagged("post_install", "-at_install")
class TestEinvoiceCorrections(EinvoiceCommon):
    """Adjustments and replacements issued through Viettel SInvoice (a real HTTP server on
    127.0.0.1): the signed XML archived and the JSON Viettel received."""

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
        # The original: 2 x 150,000 at 10% = 330,000.
        self.origin = self._invoice()
        self.origin.action_einvoice_vn_issue()
        self.original = self.origin.einvoice_vn_document_id
        self.assertEqual(self.original.state, "accepted", self.original.error_message)

    def _correct(self, correcting, kind, reason="Sai đơn giá dòng 1"):
        wizard = Form(
            self.env["einvoice.vn.correction"].with_context(
                active_model="account.move", active_id=self.origin.id
            )
        )
        wizard.kind = kind
        wizard.move_id = correcting
        wizard.reason = reason
        wizard.save().action_issue()
        doc = correcting.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        return doc, etree.fromstring(doc.xml_attachment_id.raw), self.sinvoice.received[-1]

    def _credit_note(self, quantity, price):
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.origin.ids)
            .create({"reason": "Giảm giá", "journal_id": self.journal.id})
        )
        credit_note = self.env["account.move"].browse(reversal.reverse_moves()["res_id"])
        credit_note.invoice_line_ids[0].write({"quantity": quantity, "price_unit": price})
        credit_note.action_post()
        return credit_note

    def _assert_references_original(self, root, data, tchdon, adjustment_type):
        related = root.find("DLHDon/TTChung/TTHDLQuan")
        self.assertEqual(
            [(child.tag, child.text) for child in related],
            [
                ("TCHDon", tchdon),
                ("LHDCLQuan", "1"),
                ("KHMSHDCLQuan", "1"),
                ("KHHDCLQuan", self.original.symbol),
                ("SHDCLQuan", self.original.number),
                ("NLHDCLQuan", str(self.original.issue_date)),
                ("GChu", "Sai đơn giá dòng 1"),
            ],
        )
        info = data["generalInvoiceInfo"]
        self.assertEqual(info["adjustmentType"], adjustment_type)
        self.assertEqual(info["adjustmentInvoiceType"], "1")
        self.assertEqual(info["originalInvoiceId"], f"{self.original.symbol}{self.original.number}")
        self.assertEqual(info["originalTemplateCode"], f"1/{self.original.symbol}")
        self.assertEqual(info["originalInvoiceIssueDate"], info["invoiceIssuedDate"])

    def test_increase_by_invoice(self):
        correcting = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        _doc, root, data = self._correct(correcting, "adjustment")
        self.assertEqual(self.origin.einvoice_vn_state, "adjusted")
        self._assert_references_original(root, data, "2", "5")
        self.assertEqual(root.findtext(".//HHDVu/DGia"), "20000")
        self.assertEqual(root.findtext(".//HHDVu/ThTien"), "20000")
        self.assertEqual(root.findtext(".//TToan/TgTTTBSo"), "22000")
        [item] = data["itemInfo"]
        self.assertEqual(
            {k: item[k] for k in ("unitPrice", "itemTotalAmountWithoutTax", "isIncreaseItem")},
            {"unitPrice": 20000.0, "itemTotalAmountWithoutTax": 20000.0, "isIncreaseItem": True},
        )
        self.assertEqual(item["adjustmentTaxAmount"], 2000.0)
        self.assertEqual(data["summarizeInfo"]["totalAmountWithTax"], 22000.0)
        self.assertTrue(data["summarizeInfo"]["isTotalAmountPos"])

    def test_decrease_by_credit_note_is_negative(self):
        credit_note = self._credit_note(1, 50000)
        doc, root, data = self._correct(credit_note, "adjustment")
        self.assertEqual((doc.kind, doc.origin_id), ("adjustment", self.original))
        self.assertEqual(self.origin.einvoice_vn_state, "adjusted")
        self._assert_references_original(root, data, "2", "5")
        item = root.find("DLHDon/NDHDon/DSHHDVu/HHDVu")
        self.assertEqual(
            [(tag, item.findtext(tag)) for tag in ("TChat", "SLuong", "DGia", "ThTien", "TSuat")],
            [("TChat", "1"), ("SLuong", "1"), ("DGia", "-50000"), ("ThTien", "-50000"),
             ("TSuat", "10%")],
        )  # fmt: skip
        totals = root.find("DLHDon/NDHDon/TToan")
        self.assertEqual(
            [(tag, totals.findtext(tag)) for tag in ("TgTCThue", "TgTThue", "TgTTTBSo")],
            [("TgTCThue", "-50000"), ("TgTThue", "-5000"), ("TgTTTBSo", "-55000")],
        )
        self.assertEqual(totals.findtext("THTTLTSuat/LTSuat/ThTien"), "-50000")
        self.assertEqual(totals.findtext("THTTLTSuat/LTSuat/TThue"), "-5000")
        self.assertEqual(totals.findtext("TgTTTBChu"), "Âm năm mươi lăm nghìn đồng")
        # Viettel: positive amounts flagged as decreases, the unit price negative (as Odoo's
        # own l10n_vn_edi_viettel sends a credit note).
        [line] = data["itemInfo"]
        self.assertEqual(
            {k: line[k] for k in ("unitPrice", "quantity", "itemTotalAmountWithoutTax")},
            {"unitPrice": -50000.0, "quantity": 1.0, "itemTotalAmountWithoutTax": 50000.0},
        )
        self.assertIs(line["isIncreaseItem"], False)
        self.assertEqual(line["adjustmentTaxAmount"], 5000.0)
        [breakdown] = data["taxBreakdowns"]
        self.assertEqual(
            breakdown,
            {
                "taxPercentage": 10.0,
                "taxableAmount": 50000.0,
                "taxAmount": 5000.0,
                "taxableAmountPos": False,
                "taxAmountPos": False,
            },
        )
        summary = data["summarizeInfo"]
        self.assertEqual(summary["totalAmountWithTax"], 55000.0)
        self.assertIs(summary["isTotalAmountPos"], False)
        self.assertIs(summary["isTotalTaxAmountPos"], False)

    def test_replacement_is_a_complete_positive_invoice(self):
        correcting = self._invoice([(self.product_a, 2, 140000, self.tax_10)])
        doc, root, data = self._correct(correcting, "replacement")
        self.assertEqual(doc.kind, "replacement")
        self.assertEqual(self.origin.einvoice_vn_state, "replaced")
        self._assert_references_original(root, data, "1", "3")
        self.assertEqual(root.findtext(".//HHDVu/DGia"), "140000")
        self.assertEqual(root.findtext(".//TToan/TgTTTBSo"), "308000")
        [item] = data["itemInfo"]
        self.assertEqual((item["unitPrice"], item["isIncreaseItem"]), (140000.0, True))
        self.assertNotIn("adjustmentTaxAmount", item)
        self.assertEqual(data["summarizeInfo"]["totalAmountWithTax"], 308000.0)

    def test_credit_note_cannot_replace(self):
        credit_note = self._credit_note(1, 50000)
        wizard = self.env["einvoice.vn.correction"].create(
            {
                "origin_move_id": self.origin.id,
                "kind": "replacement",
                "move_id": credit_note.id,
                "reason": "Thay thế",
            }
        )
        with self.assertRaisesRegex(UserError, "credit note"):
            wizard.action_issue()
        self.assertFalse(credit_note.einvoice_vn_document_id)
        self.assertEqual(self.origin.einvoice_vn_state, "accepted")

    def test_credit_note_is_not_issued_as_an_invoice_of_its_own(self):
        credit_note = self._credit_note(1, 50000)
        with self.assertRaisesRegex(UserError, credit_note.name):
            credit_note.action_einvoice_vn_issue()
        self.assertEqual(len(self.sinvoice.received), 1, "only the original was sent")

    def _wizard_issue(self, correcting, kind="adjustment"):
        """What an RPC call can do: the wizard's domain does not apply."""
        return (
            self.env["einvoice.vn.correction"]
            .create(
                {
                    "origin_move_id": self.origin.id,
                    "kind": kind,
                    "move_id": correcting.id,
                    "reason": "Sai đơn giá",
                }
            )
            .action_issue()
        )

    def test_correction_is_checked_on_the_server(self):
        other_buyer = self.buyer.copy({"name": "Công ty Khác", "vat": "0100109106-003"})
        other_customers = self._invoice([(self.product_a, 1, 20000, self.tax_10)], other_buyer)
        with self.assertRaisesRegex(UserError, "same customer"):
            self._wizard_issue(other_customers)
        with self.assertRaisesRegex(UserError, "cannot adjust or replace itself"):
            self._wizard_issue(self.origin)
        already_issued = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        already_issued.action_einvoice_vn_issue()
        own = already_issued.einvoice_vn_document_id
        self.assertEqual(own.state, "accepted")
        with self.assertRaisesRegex(UserError, "already has an e-invoice"):
            self._wizard_issue(already_issued)
        self.assertFalse(other_customers.einvoice_vn_document_id)
        self.assertEqual(self.origin.einvoice_vn_state, "accepted")
        self.assertEqual((own.kind, own.origin_id), ("original", self.env["einvoice.vn.document"]))
        self.assertEqual(len(self.sinvoice.received), 2, "the original and the other invoice")

    def test_correction_of_another_company_is_refused(self):
        company_b = self.setup_other_company(name="Công ty B")
        # Company B issues e-invoices too: only the company check stops the correction.
        symbol_b = self.env["einvoice.vn.symbol"].create(
            {"company_id": company_b["company"].id, "template": "1", "name": self.symbol.name}
        )
        company_b["default_journal_sale"].write(
            {"einvoice_vn_enabled": True, "einvoice_vn_symbol_id": symbol_b.id}
        )
        move_b = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company_b["company"].id,
                "journal_id": company_b["default_journal_sale"].id,
                "partner_id": self.buyer.id,
                "invoice_line_ids": [
                    Command.create({"name": "Phí", "quantity": 1, "price_unit": 20000})
                ],
            }
        )
        move_b.action_post()
        moves = self.env["account.move"].with_context(
            allowed_company_ids=(self.company + company_b["company"]).ids
        )
        with self.assertRaisesRegex(UserError, "belongs to company Công ty B"):
            moves.browse(move_b.id)._einvoice_vn_issue_correction(
                moves.browse(self.origin.id), "adjustment", "Sai"
            )
        self.assertFalse(move_b.einvoice_vn_document_id)

    def test_correction_refused_before_sending_when_the_notice_cannot_be_made(self):
        self.company.einvoice_vn_tax_office_code = False
        correcting = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        with self.assertRaisesRegex(UserError, r"tax office code \(MCQT\)"):
            self._wizard_issue(correcting)
        self.assertEqual(len(self.sinvoice.received), 1, "only the original was sent")
        self.assertFalse(correcting.einvoice_vn_document_id)
        self.assertEqual(self.original.state, "accepted")

    def test_issued_correction_stays_accepted_when_the_notice_fails(self):
        # The set-up changes between the check and the answer: the provider has issued
        # the correction, which must be recorded as accepted.
        correcting = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        doc = correcting._einvoice_vn_documents(
            kind="adjustment", origin=self.original, reason="Sai đơn giá"
        )
        self.company.einvoice_vn_tax_office_code = False
        doc.action_send_now()
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertEqual(len(self.sinvoice.received), 2)
        self.assertEqual(self.original.state, "adjusted")
        self.assertEqual(self.original.notice_state, "error")
        self.assertIn("MCQT", self.original.notice_result)
        self.assertFalse(self.original.notice_attachment_id)
        self.assertFalse(self.original.notice_message_id)
        # Once the set-up is fixed, "Send the notice again" makes the correction's notice
        # (nothing of an earlier notice is replayed); Viettel's goes to the portal.
        self.company.einvoice_vn_tax_office_code = "10100"
        self.original.action_resend_notice()
        self.assertEqual(self.original.notice_state, "to_submit")
        notice = etree.fromstring(self.original.notice_attachment_id.raw)
        self.assertEqual(notice.findtext("DLTBao/DSHDon/HDon/TCTBao"), "2")
        self.assertEqual(notice.findtext("DLTBao/DSHDon/HDon/LDo"), "Sai đơn giá")

    def test_a_second_correction_waits_for_the_first_to_be_issued(self):
        first = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        pending = first._einvoice_vn_documents(
            kind="adjustment", origin=self.original, reason="Sai đơn giá"
        )
        self.assertNotIn(pending.state, ("accepted", "cancelled", "rejected"))
        second = self._invoice([(self.product_a, 1, 10000, self.tax_10)])
        with self.assertRaisesRegex(UserError, "already being corrected by"):
            self._correct(second, "adjustment")
        self.assertFalse(second.einvoice_vn_document_id)

    def test_viettel_notice_is_to_submit_on_the_portal(self):
        correcting = self._invoice([(self.product_a, 1, 20000, self.tax_10)])
        self._correct(correcting, "adjustment")
        original = self.original
        self.assertEqual(original.notice_state, "to_submit")
        notice = etree.fromstring(original.notice_attachment_id.raw)
        self.assertEqual(notice.findtext("DLTBao/DSHDon/HDon/TCTBao"), "2")
        self.assertIsNotNone(notice.find("DSCKS/NNT"), "signed by the taxpayer")
        self.assertEqual(original.notice_filename, original.notice_attachment_id.name)
        self.assertTrue(original.notice_file)
        note = original.message_ids.filtered(lambda m: "submit it on" in (m.body or ""))
        self.assertEqual(note.attachment_ids, original.notice_attachment_id)
        self.assertIn("Viettel SInvoice", note.body)
        # Nothing waits for a T-VAN: the notice job leaves it alone.
        self._run_cron("einvoice.vn.document", "_cron_send_notices")
        self.assertEqual(original.notice_state, "to_submit")
