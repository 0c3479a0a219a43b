import base64
import re
import secrets

from stdnum.vn import mst as vn_mst

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import inbound, providers, sandbox, signer, tdiep

MANAGER = "einvoice_vn.group_einvoice_manager"
VIETTEL_API_URL = "https://api-vinvoice.viettel.vn/services/einvoiceapplication/api/"
VIETTEL_AUTH_URL = "https://api-vinvoice.viettel.vn/auth/login"


class ResCompany(models.Model):
    _inherit = "res.company"

    einvoice_vn_provider = fields.Selection(
        [
            ("none", "None"),
            ("tvan", "Generic T-VAN"),
            ("viettel", "Viettel SInvoice"),
            ("sandbox", "Sandbox (demo, no legal value)"),
        ],
        string="E-invoice Provider",
        default="none",
        required=True,
    )
    einvoice_vn_url = fields.Char(string="Provider URL", groups=MANAGER)
    einvoice_vn_auth_url = fields.Char(
        string="Provider Login URL",
        groups=MANAGER,
        help="Viettel: https://api-vinvoice.viettel.vn/auth/login",
    )
    einvoice_vn_username = fields.Char(string="Provider Username", groups=MANAGER)
    einvoice_vn_password = fields.Char(string="Provider Password", groups=MANAGER)
    einvoice_vn_timeout = fields.Integer(string="Provider Timeout (s)", default=60)
    einvoice_vn_tvan_code = fields.Char(
        string="T-VAN Receiver Code (MNNhan)",
        size=14,
        help="Code of the T-VAN that receives our TDiep messages (MNNhan: its MST without "
        "the dash, as it gives it); required to send through a T-VAN. The sender code "
        "(MNGui) is the software provider's MST, or the company's.",
    )
    einvoice_vn_certificate_id = fields.Many2one(
        "einvoice.vn.certificate",
        string="Signing Certificate",
        domain="[('company_id', '=', id)]",
        check_company=True,
    )
    einvoice_vn_pban = fields.Selection(
        [("2.0.1", "2.0.1 (Decision 1510/QĐ-TCT)"), ("2.1.0", "2.1.0 (2025 update)")],
        string="XML Format Version",
        default="2.0.1",
        required=True,
    )
    einvoice_vn_law = fields.Selection(
        [
            ("decree_123", "Decree 123/2020 and Circular 78/2021"),
            ("decree_70", "Decree 70/2025 (from 2025-06-01)"),
            ("decree_254", "Decree 254/2026: no cancellation, adjust or replace only"),
        ],
        string="E-invoice Law Version",
        default="decree_70",
        required=True,
        help="Decides whether an issued e-invoice may be cancelled.",
    )
    einvoice_vn_software_tax_id = fields.Char(
        string="Software Provider Tax ID (MSTTCGP)",
        help="Tax id of the e-invoice software provider; mandatory in format 2.1.0.",
    )
    einvoice_vn_tax_office_code = fields.Char(
        string="Tax Office Code (MCQT)",
        size=5,
        help="Code of the tax office managing the company, written on the 04/SS-HĐĐT "
        "notices of invoices with errors.",
    )
    einvoice_vn_tax_office_name = fields.Char(
        string="Tax Office Name (TCQT)",
        size=100,
        help="Name of the tax office managing the company (04/SS-HĐĐT notices).",
    )

    einvoice_vn_status_url = fields.Char(
        string="Seller Status Look-up URL",
        groups=MANAGER,
        help="Service answering the status code of a tax id (00 active ... 09); supplier "
        "e-invoices show the seller's status as not checked while it is empty.",
    )
    einvoice_vn_status_token = fields.Char(string="Seller Status Look-up Token", groups=MANAGER)
    einvoice_vn_status_cache_hours = fields.Integer(
        string="Seller Status Cache (hours)",
        default=24,
        help="A seller's status looked up within these hours is not asked again.",
    )

    einvoice_vn_authority_tax_ids = fields.Char(
        string="Tax Authority Certificate MSTs",
        help="Comma-separated tax ids of the certificates accepted as the tax authority's "
        "signature on supplier e-invoices (DSCKS/CQT); empty: the signer is not identified "
        "and the authority check is a warning (the e-invoice needs review). Required to "
        "send through a T-VAN: its answers (202, 301) are verified with it.",
    )

    einvoice_vn_trusted_ca = fields.Text(
        string="Trusted Certification Authorities (PEM)",
        help="PEM certificates of the certification authorities allowed to issue the "
        "sellers' and the tax authority's certificates on supplier e-invoices; empty: the "
        "issuer is not checked, and the certificate and authority checks are warnings (the "
        "e-invoice needs review). Required to send through a T-VAN: the tax authority's "
        "signature on its answers (202, 301) is verified with it.",
    )

    @api.constrains("einvoice_vn_trusted_ca")
    def _check_einvoice_vn_trusted_ca(self):
        for company in self.filtered("einvoice_vn_trusted_ca"):
            blocks = company._einvoice_vn_trusted_issuers()
            try:
                inbound.load_certificates(blocks)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Trusted Certification Authorities (PEM): a certificate cannot be "
                        "read (%(error)s).",
                        error=str(exc),
                    )
                ) from None
            if not blocks:
                raise ValidationError(
                    self.env._(
                        "Trusted Certification Authorities (PEM): no -----BEGIN "
                        "CERTIFICATE----- block found."
                    )
                )

    @api.constrains("einvoice_vn_status_cache_hours")
    def _check_einvoice_vn_status_cache_hours(self):
        for company in self:
            if company.einvoice_vn_status_cache_hours < 0:
                raise ValidationError(
                    self.env._(
                        "Seller Status Cache (hours): %(hours)s is not a number of hours.",
                        hours=company.einvoice_vn_status_cache_hours,
                    )
                )

    @api.constrains("einvoice_vn_provider", "vat")
    def _check_einvoice_vn_sandbox(self):
        """The sandbox serves the demo tax id only: a real company cannot issue through it."""
        for company in self.filtered(lambda c: c.einvoice_vn_provider == "sandbox"):
            if vn_mst.compact(company.vat or "") != sandbox.DEMO_MST:
                raise ValidationError(
                    self.env._(
                        "E-invoice Provider: the sandbox issues invoices without legal value "
                        "for the demo tax id %(demo)s only; %(company)s has tax id %(vat)s. "
                        "Choose your real provider.",
                        demo=sandbox.DEMO_MST,
                        company=company.name,
                        vat=company.vat or "-",
                    )
                )

    def _einvoice_vn_sandbox_authority(self):
        """The demo tax authority's key, made on this database the first time it is needed
        (kept in a system parameter, readable by administrators only)."""
        params = self.env["ir.config_parameter"].sudo()
        stored = params.get_param("einvoice_vn.sandbox_authority")
        if not stored:
            password = secrets.token_hex(16)
            data = sandbox.make_pkcs12(sandbox.AUTHORITY_NAME, sandbox.AUTHORITY_TAX_ID, password)
            stored = f"{password}:{base64.b64encode(data).decode()}"
            params.set_param("einvoice_vn.sandbox_authority", stored)
        password, data = stored.split(":", 1)
        return signer.Certificate.from_pkcs12(base64.b64decode(data), password)

    def action_einvoice_vn_use_sandbox(self):
        """Set the demo company up to issue through the sandbox: a demo signing certificate
        and the sandbox provider. Configuring the provider is a manager's task: checked
        here, before the writes done as superuser."""
        if not (self.env.su or self.env.user.has_group(MANAGER)):
            self.check_access("write")
        for company in self:
            values = {"einvoice_vn_provider": "sandbox"}
            if not company.einvoice_vn_certificate_id:
                password = secrets.token_hex(16)
                certificate = (
                    self.env["einvoice.vn.certificate"]
                    .sudo()
                    .create(
                        {
                            "name": f"DEMO – {company.name}",
                            "company_id": company.id,
                            "pkcs12": base64.b64encode(
                                sandbox.make_pkcs12(
                                    company.name, vn_mst.compact(company.vat or ""), password
                                )
                            ),
                            "password": password,
                        }
                    )
                )
                values["einvoice_vn_certificate_id"] = certificate.id
            company.sudo().write(values)
        return True

    @api.constrains("einvoice_vn_certificate_id")
    def _check_einvoice_vn_certificate_company(self):
        """A company signs with its own certificate only."""
        self._check_company(["einvoice_vn_certificate_id"])

    def _einvoice_vn_client(self):
        """The provider client for this company (call on a sudoed company)."""
        self.ensure_one()
        if self.einvoice_vn_provider == "tvan":
            return providers.TvanClient(
                self.einvoice_vn_url or "",
                self.einvoice_vn_username,
                self.einvoice_vn_password,
                timeout=self.einvoice_vn_timeout or providers.TIMEOUT,
                sender=self._einvoice_vn_sender_code(),
                receiver=self.einvoice_vn_tvan_code or "",
                authority_tax_ids=self._einvoice_vn_authority_tax_ids(),
                trusted_issuers=self._einvoice_vn_trusted_issuers(),
            )
        if self.einvoice_vn_provider == "viettel":
            return providers.ViettelClient(
                self.einvoice_vn_url or VIETTEL_API_URL,
                self.einvoice_vn_auth_url or VIETTEL_AUTH_URL,
                self.einvoice_vn_username,
                self.einvoice_vn_password,
                timeout=self.einvoice_vn_timeout or providers.TIMEOUT,
            )
        if self.einvoice_vn_provider == "sandbox":
            # The constraint watches the company's fields; its tax id can also change on its
            # partner: checked again here, before anything is issued.
            if vn_mst.compact(self.vat or "") != sandbox.DEMO_MST:
                raise UserError(
                    self.env._(
                        "E-invoice Provider %(provider)s issues invoices without legal value "
                        "for the demo tax id %(demo)s only; %(company)s has tax id %(vat)s. "
                        "Choose your real provider.",
                        provider=dict(
                            self._fields["einvoice_vn_provider"]._description_selection(self.env)
                        )["sandbox"],
                        demo=sandbox.DEMO_MST,
                        company=self.name,
                        vat=self.vat or "-",
                    )
                )
            return sandbox.SandboxClient(self._einvoice_vn_sandbox_authority())
        raise providers.ProviderError(
            providers.FINAL,
            self.env._("No e-invoice provider is set on %(company)s.", company=self.name),
        )

    def _einvoice_vn_check_authority_setup(self):
        """Before anything is sent through a T-VAN: the T-VAN's code (MNNhan of our
        messages, QĐ 1450: the parties' codes, no default) and who the tax authority is must
        be set, or its signature on the answers (202, 204, 301) could not be verified. Raise
        UserError naming the fields to fill."""
        for company in self.sudo().filtered(lambda c: c.einvoice_vn_provider == "tvan"):
            if not (company.einvoice_vn_tvan_code or "").strip():
                raise UserError(
                    self.env._(
                        "%(company)s sends its e-invoices through a T-VAN: set “%(field)s” "
                        "(the T-VAN's code, its tax id without the dash, as the T-VAN gives "
                        "it) in the Accounting settings (Vietnam e-invoices) before sending. "
                        "Nothing was sent.",
                        company=company.name,
                        field=company._fields["einvoice_vn_tvan_code"]._description_string(
                            self.env
                        ),
                    )
                )
            missing = [
                company._fields[name]._description_string(self.env)
                for name, value in (
                    ("einvoice_vn_authority_tax_ids", company._einvoice_vn_authority_tax_ids()),
                    ("einvoice_vn_trusted_ca", company._einvoice_vn_trusted_issuers()),
                )
                if not value
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "%(company)s sends its e-invoices through a T-VAN, whose answers are "
                        "signed by the tax authority: set %(fields)s in the Accounting settings "
                        "(Vietnam e-invoices) before sending, so that the authority's signature "
                        "can be verified. Nothing was sent.",
                        company=company.name,
                        fields=", ".join(f"“{label}”" for label in missing),
                    )
                )

    def _einvoice_vn_sends_notices(self):
        """Whether the provider carries the 04/SS-HĐĐT notices to the tax authority
        (message 300, answered by a 301): the T-VAN, and the sandbox that answers as the
        authority. Viettel cancels through its own API."""
        self.ensure_one()
        return self.einvoice_vn_provider in ("tvan", "sandbox")

    def _einvoice_vn_sender_code(self):
        """MNGui of our T-VAN messages: the software provider's MST, else the company's,
        without the dash (QĐ 1450: MTDiep is MNGui + 32 characters, 46 at most)."""
        self.ensure_one()
        return tdiep.sender_code(self.einvoice_vn_software_tax_id or self.vat)

    def _einvoice_vn_authority_tax_ids(self):
        """The accepted tax authority MSTs as a list, or None when not restricted."""
        self.ensure_one()
        values = [v.strip() for v in (self.einvoice_vn_authority_tax_ids or "").split(",")]
        return [v for v in values if v] or None

    def _einvoice_vn_trusted_issuers(self):
        """The trusted CA certificates as PEM blocks, or None when none is set."""
        self.ensure_one()
        blocks = re.findall(
            r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----",
            self.einvoice_vn_trusted_ca or "",
            re.S,
        )
        return [block.encode() for block in blocks] or None

    def _einvoice_vn_can_cancel(self):
        self.ensure_one()
        return self.einvoice_vn_law != "decree_254"
