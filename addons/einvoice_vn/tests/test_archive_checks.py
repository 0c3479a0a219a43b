"""Daily checks (archive re-hash, certificate expiry) and companies kept apart."""

import base64
import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models import einvoice_vn_document
from ..tools import archive, tdiep
from .certs import make_pkcs12
from .common import SELLER_MST, EinvoiceCommon
from .provider_server import AUTHORITY_MST, TVAN_CODE, ca_pem

DOCS = "einvoice.vn.document"


@tagged("post_install", "-at_install")
class TestArchiveChecks(EinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second company, set up like the first, with its own e-invoice manager.
        cls.company_b = cls.setup_other_company(name="Công ty B")["company"]
        cls.certificate_b = cls.env["einvoice.vn.certificate"].create(
            {
                "name": "Công ty B 2026",
                "pkcs12": base64.b64encode(make_pkcs12(SELLER_MST)),
                "password": "secret",
                "company_id": cls.company_b.id,
            }
        )
        cls.company_b.write(
            {
                "vat": SELLER_MST,
                "street": "8 Nguyễn Huệ",
                "city": "Phường Sài Gòn",
                "einvoice_vn_provider": "tvan",
                "einvoice_vn_url": cls.provider.url,
                "einvoice_vn_username": "seller",
                "einvoice_vn_password": "secret",
                "einvoice_vn_timeout": 1,
                "einvoice_vn_certificate_id": cls.certificate_b.id,
                "einvoice_vn_tvan_code": TVAN_CODE,
                "einvoice_vn_authority_tax_ids": AUTHORITY_MST,
                "einvoice_vn_trusted_ca": ca_pem(),
            }
        )
        cls.journal_b = cls.env["account.journal"].search(
            [("company_id", "=", cls.company_b.id), ("type", "=", "sale")], limit=1
        )
        cls.symbol_b = cls.env["einvoice.vn.symbol"].create(
            {"company_id": cls.company_b.id, "template": "1", "name": f"C{cls.year}TBB"}
        )
        cls.journal_b.write({"einvoice_vn_enabled": True, "einvoice_vn_symbol_id": cls.symbol_b.id})
        cls.manager_b = new_test_user(
            cls.env,
            login="einv_manager_b",
            groups="account.group_account_invoice,einvoice_vn.group_einvoice_manager",
            company_id=cls.company_b.id,
            company_ids=cls.company_b.ids,
        )
        cls.user_a = new_test_user(
            cls.env,
            login="einv_user_a",
            groups="account.group_account_invoice,einvoice_vn.group_einvoice_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )

    def _issued_in_b(self):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": self.company_b.id,
                "partner_id": self.buyer.id,
                "journal_id": self.journal_b.id,
                "invoice_date": fields.Date.context_today(self.journal_b),
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Nước mắm", "quantity": 1, "price_unit": 100000, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        move.with_company(self.company_b).action_einvoice_vn_issue()
        doc = move.einvoice_vn_document_id
        self.assertEqual(doc.state, "accepted", doc.error_message)
        return doc

    def _tamper(self, doc):
        attachment = doc.xml_attachment_id
        with open(attachment._full_path(attachment.store_fname), "wb") as stored:
            stored.write(b"<HDon>tampered</HDon>")
        attachment.invalidate_recordset()

    def _check_archive_on(self, day):
        with freeze_time(day):
            return self._run_cron(DOCS, "_cron_check_archive")

    def test_archive_change_gets_one_activity_for_the_company_manager(self):
        doc = self._issued_in_b()
        self._tamper(doc)
        today = fields.Datetime.now()
        self.assertEqual(self._check_archive_on(today), doc)
        [activity] = doc.activity_ids
        self.assertEqual(activity.user_id, self.manager_b, "B's manager, not the admin of A")
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("einvoice_vn.mail_activity_type_archive_changed"),
        )
        # Still changed the next days: still reported, but no second activity while it is open.
        for days in (1, 2):
            self.assertEqual(self._check_archive_on(today + datetime.timedelta(days=days)), doc)
        self.assertEqual(doc.activity_ids, activity)
        # Once the manager has dealt with it, the next mismatch is reported again.
        activity.action_feedback(feedback="Checked with the provider's copy")
        self._check_archive_on(today + datetime.timedelta(days=3))
        self.assertEqual(len(doc.activity_ids), 1)
        self.assertNotEqual(doc.activity_ids, activity)

    def test_archive_check_goes_through_every_document_in_batches(self):
        docs = self.env[DOCS]
        for _i in range(3):
            move = self._invoice()
            move.action_einvoice_vn_issue()
            docs |= move.einvoice_vn_document_id
        self._tamper(docs[1])
        self.patch(einvoice_vn_document, "BATCH_SIZE", 2)
        now = fields.Datetime.now()
        self.assertEqual(self._check_archive_on(now), docs[1])
        self.assertTrue(all(d.archive_checked_at for d in docs))

    def test_provider_copy_signed_another_time_is_flagged(self):
        issued = self._invoice()
        issued.action_einvoice_vn_issue()
        self.assertFalse(issued.einvoice_vn_document_id.activity_ids, "the provider's copy is ours")
        # What the old sending did after a crash: the XML that had reached the provider is
        # signed again (another SigningTime) before the provider's copy is looked up.
        doc = self._trusted(self._invoice()._einvoice_vn_documents())
        doc._prepare()
        sent = doc.xml_attachment_id.raw
        with freeze_time(fields.Datetime.now() + datetime.timedelta(minutes=5)):
            doc._prepare()
        self.assertNotEqual(doc.xml_attachment_id.raw, sent)
        # The T-VAN holds the first XML, coded by the authority (999 and 202).
        self.provider.hold(
            doc.transaction_uuid,
            tdiep.message_id(self.company._einvoice_vn_sender_code(), doc.transaction_uuid),
            sent,
        )
        doc._send()
        self.assertEqual(doc.state, "accepted")
        self.assertTrue(
            archive.same_signed_invoice(sent, doc.issued_attachment_id.raw),
            "what the authority holds is kept",
        )
        [activity] = doc.activity_ids
        self.assertIn("another signed XML", str(activity.note))

    def test_certificate_expiry_noted_once_per_threshold(self):
        cert = self.env["einvoice.vn.certificate"].create(
            {
                "name": "Expiring",
                "pkcs12": base64.b64encode(make_pkcs12(SELLER_MST, days=20)),
                "password": "secret",
            }
        )

        def notes():
            return cert.message_ids.filtered(lambda m: "upload its renewal" in (m.body or ""))

        now = fields.Datetime.now()
        for day in range(20):
            with freeze_time(now + datetime.timedelta(days=day)):
                self.env["einvoice.vn.certificate"]._cron_warn_expiry()
        # One note when it entered the last 30 days, one in the last 7: not one a day.
        self.assertEqual(len(notes()), 2)
        # A renewed file starts the warnings over.
        cert.pkcs12 = base64.b64encode(make_pkcs12(SELLER_MST, days=5))
        self.env["einvoice.vn.certificate"]._cron_warn_expiry()
        self.assertEqual(len(notes()), 3)

    def test_companies_are_kept_apart(self):
        doc_b = self._issued_in_b()
        move_a = self._invoice()
        move_a.action_einvoice_vn_issue()
        docs = self.env[DOCS].with_user(self.user_a)
        self.assertEqual(docs.search([]), move_a.einvoice_vn_document_id.with_user(self.user_a))
        with self.assertRaises(AccessError):
            doc_b.with_user(self.user_a).read(["number"])
        certs = self.env["einvoice.vn.certificate"].with_user(self.user_a)
        self.assertEqual(certs.search([]), self.certificate.with_user(self.user_a))
        with self.assertRaises(AccessError):
            self.certificate_b.with_user(self.user_a).read(["subject"])
        # A company signs with its own certificate only.
        with self.assertRaises(UserError):
            self.company.einvoice_vn_certificate_id = self.certificate_b
        # An adjustment references an invoice of its own company only.
        with self.assertRaises(UserError):
            self._trusted(self.env[DOCS]).create(
                {"move_id": move_a.id, "kind": "adjustment", "origin_id": doc_b.id}
            )
