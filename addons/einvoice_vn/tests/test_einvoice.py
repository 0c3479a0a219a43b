import base64
import datetime
import hashlib

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..tools import fields as tables
from ..tools import signer
from .common import SELLER_MST, EinvoiceCommon


@tagged("post_install", "-at_install")
class TestEinvoiceIssue(EinvoiceCommon):
    def _xml(self, doc):
        return etree.fromstring(doc.xml_attachment_id.raw)

    def test_issue_accepted_with_authority_code(self):
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        self.assertEqual(move.einvoice_vn_state, "accepted")
        self.assertEqual(len(doc.authority_code), 34)
        self.assertEqual((doc.template, doc.symbol, doc.number), ("1", f"C{self.year}TAA", "1"))
        self.assertEqual(self.provider.state.creations, {doc.transaction_uuid: 1})
        root = self._xml(doc)
        self.assertEqual(tables.validate(root, "2.0.1"), [])
        self.assertIn(f"MST:{SELLER_MST}", signer.verify(root))
        self.assertEqual(root.findtext("DLHDon/NDHDon/NMua/MST"), "0100109106-001")
        self.assertEqual(root.findtext("DLHDon/NDHDon/TToan/TgTTTBSo"), "330000")
        self.assertEqual(
            root.findtext("DLHDon/NDHDon/TToan/TgTTTBChu"), "Ba trăm ba mươi nghìn đồng"
        )
        self.assertEqual(doc.xml_sha256, hashlib.sha256(doc.xml_attachment_id.raw).hexdigest())
        self.assertTrue(doc.issued_attachment_id)

    def test_pdf_layout_shows_code_number_and_words(self):
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "einvoice_vn.report_einvoice_vn", doc.ids
        )
        html = html.decode()
        for expected in (
            "HÓA ĐƠN GIÁ TRỊ GIA TĂNG",
            doc.authority_code,
            f"1C{self.year}TAA",
            "Ba trăm ba mươi nghìn đồng",
            "barcode_type=QR",
            # Amounts as a Vietnamese reader writes them, whatever the buyer's language.
            "<strong>330.000</strong>",
        ):
            self.assertIn(expected, html)

    def test_qr_data_of_a_known_invoice(self):
        """DLQRCode per QĐ 1450 Phụ lục XIII: version 01, the look-up block 99 and the
        CRC-16/CCITT-FALSE, worked out by hand for this invoice:
        00 02 01 | 99 70: 00 10 A000000775, 01 10 0100109106, 02 01 1, 03 06 C26TQR,
        04 01 1, 05 08 20261127, 06 06 330000 | 63 04 804C."""
        expected = (
            "000201"
            "9970"
            "0010A000000775"
            "01100100109106"
            "02011"
            "0306C26TQR"
            "04011"
            "050820261127"
            "0606330000"
            "6304804C"
        )
        with freeze_time("2026-11-27 03:00:00"):
            symbol = self.env["einvoice.vn.symbol"].create({"template": "1", "name": "C26TQR"})
            self.journal.einvoice_vn_symbol_id = symbol
            move = self._invoice()
            move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        root = self._xml(doc)
        self.assertEqual(root.findtext("DLQRCode"), expected)
        self.assertEqual(root.index(root.find("DLQRCode")), 1)  # right after DLHDon
        self.assertIn(f"MST:{SELLER_MST}", signer.verify(root))
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "einvoice_vn.report_einvoice_vn", doc.ids
        )
        self.assertIn(f"value={expected}", html.decode())

    def test_numbers_follow_the_symbol(self):
        first, second = self._invoice(), self._invoice()
        (first + second).action_einvoice_vn_issue()
        self.assertEqual((first + second).einvoice_vn_document_id.mapped("number"), ["1", "2"])
        self.assertEqual(self.symbol.next_number, 3)

    def test_zero_percent_and_not_subject_are_distinct(self):
        move = self._invoice(
            [
                (self.product_a, 1, 100000, self.tax_0),
                (self.product_b, 1, 50000, self.env["account.tax"]),
            ]
        )
        move.action_einvoice_vn_issue()
        root = self._xml(move.einvoice_vn_document_id)
        self.assertEqual([n.text for n in root.iterfind(".//DSHHDVu/HHDVu/TSuat")], ["0%", "KCT"])

    def test_retail_buyer_without_tax_id(self):
        walk_in = self.env["res.partner"].create({"name": "Nguyễn Thị Lan"})
        move = self._invoice(partner=walk_in)
        move.action_einvoice_vn_issue()
        buyer = self._xml(move.einvoice_vn_document_id).find("DLHDon/NDHDon/NMua")
        self.assertEqual([c.tag for c in buyer], ["HVTNMHang"])

    def test_symbol_format_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "C2026TA"):
            self.symbol.name = "C2026TA"

    def test_draft_invoice_cannot_be_issued(self):
        move = self._invoice(post=False)
        with self.assertRaises(UserError):
            move.action_einvoice_vn_issue()

    def test_vat_check_digit_on_partners(self):
        with self.assertRaises(ValidationError):
            self.buyer.vat = "0100109107"
        self.buyer.vat = "001099012345"  # a citizen id is a valid personal tax id
        self.assertEqual(self.buyer.vat, "001099012345")

    def test_key_material_only_for_managers(self):
        user = new_test_user(
            self.env,
            login="einvoice_user",
            groups="account.group_account_invoice,einvoice_vn.group_einvoice_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        cert = self.certificate.with_user(user)
        self.assertIn(SELLER_MST, cert.subject)
        with self.assertRaises(AccessError):
            cert.read(["pkcs12"])
        with self.assertRaises(AccessError):
            cert.read(["password"])
        self.assertTrue(self.certificate.read(["pkcs12"])[0]["pkcs12"])

    def test_wrong_certificate_password_is_named(self):
        with self.assertRaisesRegex(ValidationError, "password"):
            self.env["einvoice.vn.certificate"].create(
                {
                    "name": "Broken",
                    "pkcs12": base64.b64encode(b"not a pkcs12 file"),
                    "password": "x",
                }
            )

    def test_archive_is_immutable_and_checked(self):
        move = self._invoice()
        move.action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        with self.assertRaises(UserError):
            doc.xml_attachment_id.unlink()
        with self.assertRaises(UserError):
            doc.xml_attachment_id.raw = b"<HDon/>"
        self.assertFalse(self._run_cron("einvoice.vn.document", "_cron_check_archive"))
        # Someone changes the stored file behind Odoo's back: the next day's check reports it.
        attachment = doc.xml_attachment_id
        path = attachment._full_path(attachment.store_fname)
        with open(path, "wb") as stored:
            stored.write(b"<HDon>tampered</HDon>")
        attachment.invalidate_recordset()
        with freeze_time(fields.Datetime.now() + datetime.timedelta(days=1)):
            self.assertEqual(self._run_cron("einvoice.vn.document", "_cron_check_archive"), doc)
        self.assertTrue(doc.activity_ids)
