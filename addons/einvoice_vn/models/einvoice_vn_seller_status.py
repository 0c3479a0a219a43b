import datetime
import logging

import requests

from odoo import api, fields, models

from ..tools import inbound

_logger = logging.getLogger(__name__)

STATUS_CHECK = "seller_status"
NOT_CONFIGURED = "seller_status.not_configured"
ACTIVE = "seller_status.ok"
INACTIVE = "seller_status.inactive"
LOOKUP_FAILED = "seller_status.lookup_failed"
# English text of the messages of this check (the pure core's are in inbound.MESSAGES).
MESSAGES = {
    NOT_CONFIGURED: "Not checked: no look-up service for the seller's status is configured "
    "(Accounting settings, Vendor Bills).",
    ACTIVE: "Seller %(tax_id)s: %(status)s (code %(code)s, looked up %(checked_at)s).",
    INACTIVE: "Seller %(tax_id)s is not active: %(status)s (code %(code)s, looked up "
    "%(checked_at)s).",
    LOOKUP_FAILED: "The status of seller %(tax_id)s could not be looked up: %(error)s",
}


class EinvoiceVnSellerStatus(models.Model):
    """The last known status of a seller's tax id, as the company's look-up service said."""

    _name = "einvoice.vn.seller.status"
    _description = "Seller Tax Id Status"
    _order = "checked_at desc"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    tax_id = fields.Char(required=True, readonly=True)
    code = fields.Char(string="Status Code", readonly=True)
    label = fields.Char(string="Status", compute="_compute_label")
    checked_at = fields.Datetime(readonly=True)

    _tax_id_unique = models.UniqueIndex("(company_id, tax_id)")

    @api.depends("code")
    def _compute_label(self):
        for status in self:
            status.label = inbound.STATUS_LABELS.get(status.code, status.code or "")

    @api.model
    def _check(self, company, tax_id, now=None):
        """The ``seller_status`` check of ``tax_id`` for ``company`` as a dict (code, result,
        key, params), from the cache when fresh enough, else from the service."""
        now = now or fields.Datetime.now()
        company = company.sudo()
        url = company.einvoice_vn_status_url
        params = {"tax_id": tax_id}
        if not url:
            return {"result": "not_checked", "key": NOT_CONFIGURED, "params": {}}
        cached = self.sudo().search(
            [("company_id", "=", company.id), ("tax_id", "=", tax_id)], limit=1
        )
        hours = company.einvoice_vn_status_cache_hours
        if not (
            cached.checked_at
            and cached.code
            and cached.checked_at > now - datetime.timedelta(hours=hours)
        ):
            try:
                code = inbound.lookup_status(
                    url, tax_id, token=company.einvoice_vn_status_token or None
                )
            except (
                inbound.StatusLookupError,
                inbound.InboundError,
                requests.RequestException,
                ValueError,
            ) as exc:
                _logger.info("Seller status look-up of %s failed: %s", tax_id, exc)
                return {
                    "result": "warning",
                    "key": LOOKUP_FAILED,
                    "params": {**params, "error": str(exc)},
                }
            vals = {"code": code, "checked_at": now}
            if cached:
                cached.write(vals)
            else:
                cached = self.sudo().create({**vals, "company_id": company.id, "tax_id": tax_id})
        params.update(
            code=cached.code,
            status=inbound.STATUS_LABELS.get(cached.code, cached.code),
            checked_at=fields.Datetime.to_string(cached.checked_at),
        )
        if inbound.is_active(cached.code):
            return {"result": "pass", "key": ACTIVE, "params": params}
        return {"result": "fail", "key": INACTIVE, "params": params}
