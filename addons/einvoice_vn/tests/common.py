import base64

from lxml import etree

from odoo import Command, fields, models

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..tools import signer
from .certs import make_pkcs12
from .provider_server import AUTHORITY_MST, TVAN_CODE, ProviderServer, ca_pem

SELLER_MST = "0100109106"


class EinvoiceCommon(AccountTestInvoicingCommon):
    """A Vietnamese company with a signing certificate, a sale journal with e-invoices and
    a T-VAN provider: a real HTTP server on 127.0.0.1 speaking TDiep messages, verifying
    every signature and answering as the tax authority, whose MST and certification
    authority the company trusts."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("einvoice_vn.group_einvoice_manager")

    @classmethod
    @AccountTestInvoicingCommon.setup_country("vn")
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.provider = ProviderServer().__enter__()
        cls.addClassCleanup(cls.provider.__exit__, None, None, None)
        cls.provider.state.validate = cls._provider_checks_signature
        cls.company = cls.env.company
        cls.certificate = cls.env["einvoice.vn.certificate"].create(
            {
                "name": "Sao Mai 2026",
                "pkcs12": base64.b64encode(make_pkcs12(SELLER_MST)),
                "password": "secret",
            }
        )
        cls.company.write(
            {
                "name": "Công ty TNHH Phân phối Sao Mai",
                "vat": SELLER_MST,
                "street": "12 Tràng Tiền",
                "city": "Phường Hoàn Kiếm",
                "state_id": cls.env.ref("base.state_vn_VN-HN").id,
                "einvoice_vn_provider": "tvan",
                "einvoice_vn_url": cls.provider.url,
                "einvoice_vn_username": "seller",
                "einvoice_vn_password": "secret",
                "einvoice_vn_timeout": 1,
                "einvoice_vn_certificate_id": cls.certificate.id,
                "einvoice_vn_tax_office_code": "10100",
                "einvoice_vn_tax_office_name": "Cục Thuế Thành phố Hà Nội",
                "einvoice_vn_tvan_code": TVAN_CODE,
                "einvoice_vn_authority_tax_ids": AUTHORITY_MST,
                "einvoice_vn_trusted_ca": ca_pem(),
            }
        )
        cls.journal = cls.company_data["default_journal_sale"]
        cls.year = fields.Date.context_today(cls.journal).strftime("%y")
        cls.symbol = cls.env["einvoice.vn.symbol"].create(
            {"template": "1", "name": f"C{cls.year}TAA"}
        )
        cls.journal.write({"einvoice_vn_enabled": True, "einvoice_vn_symbol_id": cls.symbol.id})
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "Công ty Cổ phần Thực phẩm Á Châu",
                "is_company": True,
                "vat": "0100109106-001",
                "street": "8 Nguyễn Huệ",
                "city": "Phường Sài Gòn",
                "state_id": cls.env.ref("base.state_vn_VN-SG").id,
                "country_id": cls.env.ref("base.vn").id,
            }
        )
        cls.tax_10 = cls.env["account.tax"].create(
            {"name": "VAT 10% test", "amount": 10, "amount_type": "percent", "type_tax_use": "sale"}
        )
        cls.tax_0 = cls.env["account.tax"].create(
            {"name": "VAT 0% test", "amount": 0, "amount_type": "percent", "type_tax_use": "sale"}
        )

    def setUp(self):
        super().setUp()
        # One provider for the class; each test starts with a fresh provider state.
        validate = self.provider.state.validate
        self.provider.state.__init__()
        self.provider.state.validate = validate

    @staticmethod
    def _provider_checks_signature(xml):
        try:
            signer.verify(etree.fromstring(xml))
        except signer.SignError as exc:
            return [f"chữ ký không hợp lệ: {exc}"]
        return []

    @classmethod
    def _invoice(cls, lines=None, partner=None, post=True):
        lines = lines or [(cls.product_a, 2, 150000, cls.tax_10)]
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.buyer).id,
                "journal_id": cls.journal.id,
                "invoice_date": fields.Date.context_today(cls.journal),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": qty,
                            "price_unit": price,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                    for product, qty, price, tax in lines
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def _run_send_cron(self):
        return self._run_cron("einvoice.vn.document", "_cron_send")

    def _run_cron(self, model, method):
        """Run a cron method on its own (test) cursor: crons commit as they go."""
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            result = getattr(self.env(cr=cr)[model], method)()
            ids = result.ids if isinstance(result, models.BaseModel) else None
        self.env.invalidate_all()
        return self.env[model].browse(ids) if ids is not None else result

    @staticmethod
    def _trusted(records):
        """``records`` as the addon's own code sees them (archive fields writable)."""
        return records._einvoice_vn_trusted()
