import base64

from cryptography.hazmat.primitives import serialization

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from . import supplier_invoices as factory
from .status_server import StatusServer


class InboundCommon(AccountTestInvoicingCommon):
    """A Vietnamese buyer company (MST factory.BUYER_MST) on the l10n_vn chart, the vendor's
    products with the supplier's codes, and a seller-status service on 127.0.0.1.

    The company is configured as a database that verifies e-invoices must be: it trusts the
    factory's CA and knows the tax authority's MST (without them the certificate and
    authority checks are warnings, see ``_default_trust``)."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("vn")
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write({"name": "Công ty Cổ phần Mua Hàng", "vat": factory.BUYER_MST})
        cls.company.sudo().write(
            {
                "einvoice_vn_trusted_ca": factory.default_ca()
                .certificate.public_bytes(serialization.Encoding.PEM)
                .decode(),
                "einvoice_vn_authority_tax_ids": factory.AUTHORITY_MST,
            }
        )
        cls.journal = cls.company_data["default_journal_purchase"]
        cls.status = StatusServer().__enter__()
        cls.addClassCleanup(cls.status.__exit__, None, None, None)
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Công ty TNHH Phân phối Sao Mai",
                "is_company": True,
                "vat": factory.SELLER_MST,
                "country_id": cls.env.ref("base.vn").id,
            }
        )
        cls.fish_sauce = cls.env["product.product"].create(
            {
                "name": "Fish sauce 500ml",
                "standard_price": 80000,
                "seller_ids": [
                    Command.create({"partner_id": cls.vendor.id, "product_code": "NM500"})
                ],
            }
        )
        cls.coffee = cls.env["product.product"].create({"name": "Ground coffee 250g"})
        cls.tax_10 = cls._chart_tax("tax_purchase_vat10")
        cls.tax_8 = cls._chart_tax("tax_purchase_vat8")

    def setUp(self):
        super().setUp()
        self.status.state.__init__()

    @classmethod
    def _chart_tax(cls, xmlid):
        return cls.env["account.chart.template"].ref(xmlid)

    # -- helpers -----------------------------------------------------------------------------

    def _import(self, *files, source="upload"):
        """Import ``files`` ((name, bytes) pairs) as the upload does; the per-file results."""
        return self.env["einvoice.vn.inbound"]._import_many(list(files), source=source)

    def _import_one(self, data, name="HD_0000042.xml"):
        results = self._import((name, data))
        self.assertEqual(len(results), 1)
        self.assertFalse(results[0]["error"], results[0]["error"])
        return results[0]["inbound"]

    def _upload(self, *files, journal=None):
        """The upload wizard with ``files`` as uploaded attachments."""
        attachments = self.env["ir.attachment"].create(
            [{"name": name, "raw": raw} for name, raw in files]
        )
        wizard = self.env["einvoice.vn.inbound.upload"].create(
            {"attachment_ids": [Command.set(attachments.ids)], "journal_id": journal and journal.id}
        )
        wizard.action_import()
        return wizard

    def _default_trust(self):
        """Back to the settings of a new database: no trusted CA, no authority MST."""
        self.company.sudo().write(
            {"einvoice_vn_trusted_ca": False, "einvoice_vn_authority_tax_ids": False}
        )

    def _checks(self, inbound):
        return {check.code: check for check in inbound.check_ids}

    def _count(self):
        return (
            self.env["einvoice.vn.inbound"].search_count([]),
            self.env["account.move"].search_count([("move_type", "=", "in_invoice")]),
            self.env["ir.attachment"].search_count([("res_model", "=", "einvoice.vn.inbound")]),
        )

    @staticmethod
    def _b64(data):
        return base64.b64encode(data).decode()
