"""The ten-year archive over the external API: an issued e-invoice, its signed XML and the
invoice's copy of its state cannot be changed or deleted by anyone, however they try."""

import base64
import xmlrpc.client

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import EinvoiceCommon

FORGED_XML = base64.b64encode(b"<HDon>forged</HDon>").decode()
ARCHIVE_FIELDS = [
    "state",
    "template",
    "symbol",
    "number",
    "issue_date",
    "transaction_uuid",
    "authority_code",
    "xml_attachment_id",
    "xml_sha256",
    "issued_attachment_id",
    "issued_sha256",
    "move_id",
]


@tagged("post_install", "-at_install")
class TestArchiveOverRpc(EinvoiceCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "user": new_test_user(
                cls.env,
                login="einv_user_api",
                groups="account.group_account_invoice,einvoice_vn.group_einvoice_user",
                company_id=cls.company.id,
                company_ids=cls.company.ids,
            ),
            "manager": new_test_user(
                cls.env,
                login="einv_manager_api",
                groups="account.group_account_invoice,einvoice_vn.group_einvoice_manager",
                company_id=cls.company.id,
                company_ids=cls.company.ids,
            ),
        }
        # The admin works in this company too (so only the archive guard can refuse them).
        cls.env.ref("base.user_admin").write(
            {"company_ids": [fields.Command.link(cls.company.id)], "company_id": cls.company.id}
        )
        cls.move = cls._invoice()
        cls.move.action_einvoice_vn_issue()
        cls.doc = cls.move.einvoice_vn_document_id
        cls.other_attachment = cls.env["ir.attachment"].create(
            {"name": "other.xml", "raw": b"<HDon>other</HDon>", "mimetype": "application/xml"}
        )

    def _snapshot(self):
        self.env.invalidate_all()
        doc = self.doc.exists()
        files = doc.xml_attachment_id | doc.issued_attachment_id
        return {
            "document": doc.read(ARCHIVE_FIELDS)[0] if doc else None,
            "files": [(a.id, a.res_model, a.res_id, a.raw) for a in files.exists()],
            "move": (self.move.einvoice_vn_state, self.move.einvoice_vn_document_id.id),
            "documents": self.env["einvoice.vn.document"].search_count([]),
        }

    def _attempts(self):
        doc, xml, issued = self.doc, self.doc.xml_attachment_id, self.doc.issued_attachment_id
        return [
            ("einvoice.vn.document", "write", [doc.ids, {"authority_code": "F" * 34}]),
            ("einvoice.vn.document", "write", [doc.ids, {"number": "999"}]),
            ("einvoice.vn.document", "write", [doc.ids, {"state": "draft"}]),
            ("einvoice.vn.document", "write", [doc.ids, {"xml_sha256": "0" * 64}]),
            ("einvoice.vn.document", "write", [doc.ids, {"transaction_uuid": "forged"}]),
            (
                "einvoice.vn.document",
                "write",
                [doc.ids, {"xml_attachment_id": self.other_attachment.id}],
            ),
            (
                "einvoice.vn.document",
                "create",
                [{"move_id": self.move.id, "state": "accepted", "authority_code": "F" * 34}],
            ),
            ("einvoice.vn.document", "unlink", [doc.ids]),
            # The bypass of the old guard: move the file out of the archive, then write it.
            ("ir.attachment", "write", [xml.ids, {"res_model": "res.partner"}]),
            ("ir.attachment", "write", [xml.ids, {"res_id": self.move.id}]),
            ("ir.attachment", "write", [xml.ids, {"datas": FORGED_XML}]),
            ("ir.attachment", "write", [issued.ids, {"raw": FORGED_XML}]),
            ("ir.attachment", "unlink", [xml.ids]),
            ("account.move", "write", [self.move.ids, {"einvoice_vn_state": "draft"}]),
        ]

    def _try_all_as(self, login, password):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, password, {})
        self.assertTrue(uid, login)
        before = self._snapshot()
        for model, method, args in self._attempts():
            with self.subTest(login=login, model=model, method=method, args=args[1:]):
                with self.assertRaises(xmlrpc.client.Fault) as refused:
                    self.xmlrpc_object.execute_kw(
                        self.env.cr.dbname, uid, password, model, method, args
                    )
                self.assertNotIn("Traceback", refused.exception.faultString)
                self.assertEqual(self._snapshot(), before, "nothing may have changed")

    def test_einvoice_user_cannot_change_the_archive(self):
        self._try_all_as("einv_user_api", "einv_user_api")

    def test_einvoice_manager_cannot_change_the_archive(self):
        self._try_all_as("einv_manager_api", "einv_manager_api")

    def test_admin_cannot_change_the_archive(self):
        self._try_all_as("admin", "admin")

    def test_chatter_stays_open(self):
        """The guard leaves the chatter alone: a user still comments on an issued e-invoice."""
        login = "einv_user_api"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            login,
            "einvoice.vn.document",
            "message_post",
            [self.doc.ids],
            {"body": "Khách hàng đã nhận hóa đơn"},
        )
        self.assertIn("Khách hàng đã nhận hóa đơn", self.doc.message_ids[0].body)
