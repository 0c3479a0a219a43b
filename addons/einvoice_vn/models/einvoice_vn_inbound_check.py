import logging

from odoo import api, fields, models

from ..tools import inbound
from .einvoice_vn_inbound import MESSAGES as BILL_MESSAGES
from .einvoice_vn_seller_status import MESSAGES as STATUS_MESSAGES

_logger = logging.getLogger(__name__)

RESULTS = [
    ("pass", "Passed"),
    ("warning", "Warning"),
    ("fail", "Failed"),
    ("not_checked", "Not checked"),
]


class EinvoiceVnInboundCheck(models.Model):
    """One check of a received e-invoice and its result, as the pure core reported it."""

    _name = "einvoice.vn.inbound.check"
    _description = "Supplier E-invoice Check"
    _order = "inbound_id, sequence, id"
    _check_company_auto = True

    inbound_id = fields.Many2one(
        "einvoice.vn.inbound",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="inbound_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True)
    code = fields.Char(required=True, readonly=True)
    name = fields.Char(string="Check", compute="_compute_name")
    result = fields.Selection(RESULTS, required=True, readonly=True)
    key = fields.Char(readonly=True, help="Which message, translated when shown.")
    params = fields.Json(readonly=True)
    message_en = fields.Text(string="Message (as recorded)", readonly=True)
    message = fields.Text(compute="_compute_message")

    @api.depends("code")
    @api.depends_context("lang")
    def _compute_name(self):
        labels = self._code_labels()
        for check in self:
            check.name = labels.get(check.code, check.code)

    @api.depends("key", "params", "message_en")
    @api.depends_context("lang")
    def _compute_message(self):
        for check in self:
            check.message = check._render()

    def _code_labels(self):
        _ = self.env._
        return {
            "seller_signature": _("Seller's signature"),
            "certificate": _("Seller's certificate"),
            "authority": _("Tax authority's signature and code"),
            "buyer_tax_id": _("Buyer tax id is ours"),
            "seller_tax_id": _("Seller tax id"),
            "amounts": _("Amounts add up"),
            "words": _("Amount in words"),
            "seller_status": _("Seller's status"),
            "bill": _("Vendor bill"),
        }

    @api.model
    def _templates(self):
        """English text of each message key: the pure core's and this addon's own."""
        return {**inbound.MESSAGES, **STATUS_MESSAGES, **BILL_MESSAGES}

    def _render(self):
        """The message in the user's language: the template translated, then filled."""
        self.ensure_one()
        template = self._templates().get(self.key)
        if not template:
            return self.message_en or ""
        params = dict(self.params or {})
        if self.code == "seller_status" and params.get("code") in inbound.STATUS_LABELS:
            params["status"] = self.env._(inbound.STATUS_LABELS[params["code"]])
        try:
            return self.env._(template, **params)
        except (KeyError, ValueError, TypeError):
            _logger.warning("Check message %r cannot be rendered with %r", self.key, self.params)
            return self.message_en or self.key
