import base64
import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import signer

MANAGER = "einvoice_vn.group_einvoice_manager"
# Days before the end of validity at which the expiry note is posted, once each.
EXPIRY_WARNING_DAYS = (30, 7)


class EinvoiceVnCertificate(models.Model):
    """A seller's signing certificate (PKCS#12). Key material is readable by e-invoice
    managers only (field groups); everyone sees subject and validity."""

    _name = "einvoice.vn.certificate"
    _description = "E-invoice Signing Certificate"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    pkcs12 = fields.Binary(
        string="PKCS#12 File", attachment=True, required=True, groups=MANAGER, copy=False
    )
    password = fields.Char(groups=MANAGER, copy=False)
    subject = fields.Char(readonly=True)
    issuer = fields.Char(readonly=True)
    serial = fields.Char(string="Serial Number", readonly=True)
    tax_id = fields.Char(string="Tax ID in Certificate", readonly=True)
    date_start = fields.Datetime(string="Valid From", readonly=True)
    date_end = fields.Datetime(string="Valid Until", readonly=True, tracking=True)
    expiry_warned_days = fields.Integer(
        readonly=True,
        copy=False,
        help="The last expiry warning posted (days before the end); a new file resets it.",
    )
    expiry_state = fields.Selection(
        [("valid", "Valid"), ("expiring", "Expires within 30 days"), ("expired", "Expired")],
        compute="_compute_expiry_state",
    )

    @api.depends("date_end")
    def _compute_expiry_state(self):
        now = fields.Datetime.now()
        for cert in self:
            if not cert.date_end or cert.date_end < now:
                cert.expiry_state = "expired"
            elif cert.date_end < now + datetime.timedelta(days=30):
                cert.expiry_state = "expiring"
            else:
                cert.expiry_state = "valid"

    @api.model_create_multi
    def create(self, vals_list):
        certs = super().create(vals_list)
        certs._read_details()
        return certs

    def write(self, vals):
        result = super().write(vals)
        if {"pkcs12", "password"} & set(vals):
            self._read_details()
        return result

    def _read_details(self):
        for cert in self.sudo():
            loaded = cert._load()
            cert.write(
                {
                    "subject": loaded.subject,
                    "issuer": loaded.issuer,
                    "serial": loaded.serial,
                    "tax_id": loaded.tax_id,
                    "date_start": loaded.not_before,
                    "date_end": loaded.not_after,
                    "expiry_warned_days": 0,
                }
            )

    def _load(self):
        """The key and certificate, for signing (callers run as superuser)."""
        self.ensure_one()
        cert = self.sudo()
        if not cert.pkcs12:
            raise ValidationError(
                self.env._("Certificate %(name)s has no PKCS#12 file.", name=cert.name)
            )
        try:
            return signer.Certificate.from_pkcs12(
                base64.b64decode(cert.pkcs12), cert.password or ""
            )
        except signer.SignError as exc:
            raise ValidationError(
                self.env._(
                    "PKCS#12 file of certificate %(name)s: %(error)s (check the password).",
                    name=cert.name,
                    error=str(exc),
                )
            ) from exc

    @api.model
    def _cron_warn_expiry(self):
        """Post a warning on a certificate 30 and 7 days before it expires, once each."""
        now = fields.Datetime.now()
        for cert in self.search(
            [
                ("date_end", "<", now + datetime.timedelta(days=max(EXPIRY_WARNING_DAYS))),
                ("date_end", ">", now),
            ]
        ):
            due = min(
                days
                for days in EXPIRY_WARNING_DAYS
                if cert.date_end < now + datetime.timedelta(days=days)
            )
            if cert.expiry_warned_days and cert.expiry_warned_days <= due:
                continue
            cert.message_post(
                body=self.env._(
                    "Certificate %(name)s expires on %(date)s: upload its renewal.",
                    name=cert.name,
                    date=cert.date_end,
                ),
                subtype_xmlid="mail.mt_note",
            )
            cert.expiry_warned_days = due
