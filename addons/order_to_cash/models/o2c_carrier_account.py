import logging
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..pipeline import carriers, cod

_logger = logging.getLogger(__name__)

# Events one webhook call may carry; a carrier sends one (GHN, GHTK) or a few.
MAX_WEBHOOK_EVENTS = 500
# Unknown references echoed back to the caller (the count is always given).
MAX_ECHOED_REFS = 20

CARRIERS = [
    ("ghn", "GHN (Giao Hàng Nhanh)"),
    ("ghtk", "GHTK (Giao Hàng Tiết Kiệm)"),
    ("viettelpost", "Viettel Post"),
    ("generic", "Other carrier (generic API)"),
]
DEFAULT_URLS = {
    "ghn": "https://online-gateway.ghn.vn",
    "ghtk": "https://services.giaohangtietkiem.vn",
    "viettelpost": "https://partner.viettelpost.vn",
    "generic": "",
}


class O2cCarrierAccount(models.Model):
    """A company's account at a carrier: API access for polling, the secret of its
    webhook URL, and the rules for its shipments."""

    _name = "o2c.carrier.account"
    _description = "Carrier Account"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    carrier = fields.Selection(CARRIERS, required=True, default="ghn", tracking=True)
    api_url = fields.Char(
        string="API URL",
        help="Base URL of the carrier's API (production or sandbox).",
        tracking=True,
    )
    api_token = fields.Char(
        string="API Token", groups="order_to_cash.group_o2c_manager", copy=False
    )
    shop_id = fields.Char(string="Shop ID", help="GHN: the ShopId header of API calls.")
    webhook_secret = fields.Char(
        groups="order_to_cash.group_o2c_manager",
        copy=False,
        readonly=True,
        help="Part of the webhook URL given to the carrier: none of these carriers signs "
        "its webhooks, so the URL itself is the secret.",
    )
    webhook_token = fields.Char(
        string="Webhook Body Token",
        groups="order_to_cash.group_o2c_manager",
        copy=False,
        help="Viettel Post: the TOKEN its webhook body carries; checked too when set.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        groups="order_to_cash.group_o2c_manager",
    )
    poll_enabled = fields.Boolean(
        string="Poll shipment status",
        default=True,
        help="Ask the carrier for the status of open shipments (for carriers or "
        "shipments without webhooks, and to catch missed ones).",
    )
    poll_interval_hours = fields.Integer(string="Poll every (hours)", default=4)
    poll_unknown_days = fields.Integer(
        string="Stop polling unknown shipments after (days)",
        default=3,
        help="A shipment the carrier keeps answering it does not know is no longer polled "
        "after these days.",
    )
    failed_attempt_limit = fields.Integer(
        string="Failed attempts before customer service",
        default=2,
        help="Beyond this many failed delivery attempts, customer service gets an activity.",
    )
    cs_user_id = fields.Many2one(
        "res.users",
        string="Customer service",
        help="Who follows failed deliveries (default: the order's salesperson).",
    )
    shipment_count = fields.Integer(compute="_compute_shipment_count")

    _webhook_secret_unique = models.UniqueIndex(
        "(webhook_secret) WHERE webhook_secret IS NOT NULL",
        "Two carrier accounts cannot share a webhook secret.",
    )

    @api.constrains("poll_interval_hours", "poll_unknown_days", "failed_attempt_limit")
    def _check_positive(self):
        for account in self:
            for fname in ("poll_interval_hours", "poll_unknown_days", "failed_attempt_limit"):
                if account[fname] < 1:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of carrier account %(account)s must be at least 1, "
                            "not %(value)s.",
                            field=self._fields[fname].get_description(self.env)["string"],
                            account=account.name,
                            value=account[fname],
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("webhook_secret", secrets.token_urlsafe(24))
            if not vals.get("api_url"):
                vals["api_url"] = DEFAULT_URLS.get(vals.get("carrier") or "ghn", "") or False
            # Nothing to poll without an API URL (the generic carrier has no default) or
            # without a detail call (Viettel Post).
            carrier = vals.get("carrier") or "ghn"
            vals.setdefault("poll_enabled", bool(vals["api_url"]) and carrier in carriers.CLIENTS)
        return super().create(vals_list)

    @api.depends("webhook_secret")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for account in self:
            account.webhook_url = (
                f"{base}/o2c/carrier/{account.id}/{account.webhook_secret}"
                if account.id and account.webhook_secret
                else False
            )

    def _compute_shipment_count(self):
        counts = dict(
            self.env["o2c.shipment"]._read_group(
                [("carrier_account_id", "in", self.ids)], ["carrier_account_id"], ["__count"]
            )
        )
        for account in self:
            account.shipment_count = counts.get(account, 0)

    def action_regenerate_webhook_secret(self):
        """A new secret (the old URL stops working at once): give the carrier the new URL."""
        for account in self:
            account.webhook_secret = secrets.token_urlsafe(24)
            account.message_post(body=self.env._("Webhook URL changed."))
        return True

    def action_view_shipments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_to_cash.action_o2c_shipment")
        action["domain"] = [("carrier_account_id", "=", self.id)]
        action["context"] = {"default_carrier_account_id": self.id}
        return action

    def _client(self, timeout=None):
        """The carrier's API client for this account (sudo: reads the token)."""
        self.ensure_one()
        account = self.sudo()
        if not account.api_url:
            raise UserError(
                self.env._("Carrier account %(name)s has no API URL.", name=account.name)
            )
        kwargs = {"timeout": timeout} if timeout else {}
        return carriers.make_client(
            account.carrier, account.api_url, account.api_token or "", account.shop_id, **kwargs
        )

    def _check_webhook(self, secret, body):
        """Whether a webhook call really comes for this account: the secret of the URL,
        and the body's token where the carrier sends one (constant-time compares)."""
        self.ensure_one()
        account = self.sudo()
        if not carriers.check_secret(account.webhook_secret or "", secret or ""):
            return False
        # Only Viettel Post puts a token in its body; on other carriers a token would
        # refuse every webhook.
        if account.carrier == "viettelpost" and account.webhook_token:
            given = carriers.body_token(account.carrier, body) or ""
            if not carriers.check_secret(account.webhook_token, given):
                return False
        return True

    def _o2c_receive_webhook(self, body, content_type):
        """Store the events of a webhook body for this account's shipments. Raises
        CarrierError (nothing stored) when the body cannot be read."""
        self.ensure_one()
        events = carriers.parse_webhook(self.carrier, body, content_type)
        if len(events) > MAX_WEBHOOK_EVENTS:
            raise carriers.CarrierError(
                f"the body has {len(events)} events, more than {MAX_WEBHOOK_EVENTS} in one call"
            )
        # Two queries for the whole body: its shipments by tracking number, then by our
        # reference for the events whose tracking number we do not know.
        Shipment = self.env["o2c.shipment"].sudo()
        account = Domain("carrier_account_id", "=", self.id)
        tracking_refs = {e.tracking_ref for e in events if e.tracking_ref}
        by_tracking = {
            s.tracking_ref: s
            for s in Shipment.search(account & Domain("tracking_ref", "in", list(tracking_refs)))
        }
        client_refs = {e.client_ref for e in events if e.client_ref}
        by_client = {}
        if any(e.tracking_ref not in by_tracking and e.client_ref for e in events):
            for shipment in Shipment.search(
                account & Domain("client_ref", "in", list(client_refs)), order="id desc"
            ):
                by_client.setdefault(shipment.client_ref, shipment)
        by_shipment = {}
        unknown = []
        for event in events:
            shipment = by_tracking.get(event.tracking_ref) or by_client.get(event.client_ref)
            if not shipment:
                unknown.append(event.tracking_ref or event.client_ref)
                continue
            by_shipment.setdefault(shipment, []).append(event)
        stored = 0
        for shipment, shipment_events in by_shipment.items():
            stored += len(shipment._o2c_add_events(shipment_events, "webhook"))
        return {
            "stored": stored,
            "duplicates": len(events) - stored - len(unknown),
            "unknown": len(unknown),
            "unknown_refs": unknown[:MAX_ECHOED_REFS],
        }

    def _o2c_poll_breaker_tripped(self, outcome):
        """The poll run leaves this account after too many carrier errors in a row; a
        refused token is said on the account (the run cannot fix it)."""
        self.ensure_one()
        _logger.warning(
            "Order to Cash: polling of %s stopped for this run (%s)", self.name, outcome
        )
        if outcome == "auth":
            self.message_post(
                body=self.env._(
                    "The carrier refuses the API token of this account: polling is paused "
                    "until the next run. Check the token."
                )
            )

    # ------------------------------------------------------------------
    # Cash on delivery
    # ------------------------------------------------------------------

    cod_column_map = fields.Text(
        string="Statement columns",
        help="JSON mapping of the statement's columns (empty: the carrier's default export).",
    )
    cod_journal_id = fields.Many2one(
        "account.journal",
        string="COD journal",
        check_company=True,
        domain="[('type', 'in', ('general', 'bank'))]",
    )
    cod_clearing_account_id = fields.Many2one(
        "account.account",
        string="COD clearing account",
        check_company=True,
        help="What the carrier owes: debited with the cash it collected (less its fees), "
        "credited when its transfer reaches the bank.",
    )
    cod_fee_account_id = fields.Many2one(
        "account.account", string="Carrier fee account", check_company=True
    )

    def _o2c_cod_columns(self):
        self.ensure_one()
        if self.cod_column_map:
            try:
                return cod.ColumnMap.from_json(self.cod_column_map)
            except cod.StatementError as exc:
                raise UserError(
                    self.env._(
                        "Statement columns of carrier account %(account)s: %(reason)s",
                        account=self.name,
                        reason=exc,
                    )
                ) from None
        columns = {"ghn": cod.GHN_COLUMNS, "ghtk": cod.GHTK_COLUMNS}.get(self.carrier)
        if not columns:
            raise UserError(
                self.env._(
                    "Carrier account %(account)s has no statement columns: set them in "
                    "its settings.",
                    account=self.name,
                )
            )
        return columns
