import datetime
import logging

import requests
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL, mute_logger

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
    LOOKUP_FAILED: "The status of seller %(tax_id)s could not be looked up, so it is not "
    "known to be active: %(error)s",
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
        key, params), from the cache when fresh enough, else from the service.

        Anything but an active status fails, a look-up that cannot answer (unknown tax id,
        token refused, service down, garbage) included: a check that cannot run fails
        visibly."""
        now = now or fields.Datetime.now()
        company = company.sudo()
        url = company.einvoice_vn_status_url
        params = {"tax_id": tax_id}
        if not url:
            return {"result": "not_checked", "key": NOT_CONFIGURED, "params": {}}
        key = inbound.compact_tax_id(tax_id)
        cached = self.sudo().search(
            [("company_id", "=", company.id), ("tax_id", "=", key)], limit=1
        )
        hours = company.einvoice_vn_status_cache_hours
        if (
            cached.checked_at
            and cached.code
            and cached.checked_at > now - datetime.timedelta(hours=hours)
        ):
            code, checked_at = cached.code, cached.checked_at
        else:
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
                    "result": "fail",
                    "key": LOOKUP_FAILED,
                    "params": {**params, "error": str(exc)},
                }
            checked_at = now
            self._store(company, key, code, now)
        params.update(
            code=code,
            status=inbound.STATUS_LABELS.get(code, code),
            checked_at=fields.Datetime.to_string(checked_at),
        )
        if inbound.is_active(code):
            return {"result": "pass", "key": ACTIVE, "params": params}
        return {"result": "fail", "key": INACTIVE, "params": params}

    @api.model
    def _store(self, company, tax_id, code, now):
        """Remember ``code`` for (company, compact tax id): one upsert in its own savepoint.

        It runs inside the import's savepoint; another transaction may cache the same seller
        meanwhile. The cache is only a cache: when the row cannot be written (unique index or
        concurrent update), this import goes on with the code it was given."""
        self.flush_model()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        INSERT INTO einvoice_vn_seller_status
                            (company_id, tax_id, code, checked_at, create_uid, create_date,
                             write_uid, write_date)
                        VALUES (%(company)s, %(tax_id)s, %(code)s, %(now)s, %(uid)s,
                                %(now)s, %(uid)s, %(now)s)
                        ON CONFLICT (company_id, tax_id) DO UPDATE
                           SET code = EXCLUDED.code, checked_at = EXCLUDED.checked_at,
                               write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                        """,
                        company=company.id,
                        tax_id=tax_id,
                        code=code,
                        now=now,
                        uid=self.env.uid,
                    )
                )
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure) as exc:
            _logger.info("Seller status of %s not cached (written concurrently): %s", tax_id, exc)
        self.invalidate_model(["code", "checked_at"])
