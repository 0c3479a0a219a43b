import datetime
import logging
from decimal import Decimal

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from ..pipeline import carriers

_logger = logging.getLogger(__name__)

SHIPMENT_STATES = [
    ("created", "Created"),
    ("picked_up", "Picked up"),
    ("in_transit", "In transit"),
    ("out_for_delivery", "Out for delivery"),
    ("failed_attempt", "Failed attempt"),
    ("delivered", "Delivered"),
    ("returning", "Returning"),
    ("returned", "Returned"),
    ("lost", "Lost / damaged"),
    ("cancelled", "Cancelled"),
]
# Small batches, each committed: a batch's rows stay locked while its carrier calls run.
POLL_BATCH = 10
# After this many carrier errors in a row for one account, the run leaves that account.
POLL_BREAKER = 3
# Timeout of a poll call (seconds): a slow carrier must not hold the cron's locks for long.
# One number, not a (connect, read) pair: Odoo's test harness compares it with an int.
POLL_TIMEOUT = 10


# What the carrier's events, the polling job and the COD statements set: users never write
# them (a parcel marked "not remitted" by hand would be paid a second time by the next
# statement). The addon's own code writes them as superuser (webhook, cron, posting).
TRACKED_FIELDS = frozenset(
    {
        "state",
        "state_date",
        "state_reason",
        "date_delivered",
        "failed_attempts",
        "cs_alerted",
        "return_picking_id",
        "date_polled",
        "unknown_since",
        "poll_stopped",
        "cod_remitted",
    }
)


class O2cShipment(models.Model):
    """A parcel handed to a carrier for a delivery order: its tracking number, the cash
    to collect on delivery, and the carrier's events normalised to our states."""

    _name = "o2c.shipment"
    _description = "Shipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    carrier_account_id = fields.Many2one(
        "o2c.carrier.account", required=True, index=True, check_company=True, tracking=True
    )
    carrier = fields.Selection(related="carrier_account_id.carrier", store=True)
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery Order",
        index="btree_not_null",
        check_company=True,
        domain="[('picking_type_code', '=', 'outgoing')]",
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        compute="_compute_sale_order_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
    )
    partner_id = fields.Many2one(related="sale_order_id.partner_id", string="Customer")
    tracking_ref = fields.Char(
        string="Tracking Number", required=True, index=True, tracking=True, copy=False
    )
    client_ref = fields.Char(
        string="Our Reference",
        index="btree_not_null",
        copy=False,
        help="The reference the carrier knows the parcel by on our side (client order code).",
    )
    label_ref = fields.Char(string="Label Reference", copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    cod_amount = fields.Monetary(
        string="COD to collect",
        tracking=True,
        help="Cash the carrier collects from the customer on delivery.",
    )
    state = fields.Selection(
        SHIPMENT_STATES, default="created", required=True, readonly=True, tracking=True
    )
    state_date = fields.Datetime(string="Status since", readonly=True)
    state_reason = fields.Char(string="Reason", readonly=True)
    date_delivered = fields.Datetime(string="Delivered On", readonly=True)
    failed_attempts = fields.Integer(readonly=True)
    cs_alerted = fields.Boolean(readonly=True, copy=False)
    return_picking_id = fields.Many2one("stock.picking", readonly=True, copy=False)
    event_ids = fields.One2many("o2c.shipment.event", "shipment_id", readonly=True)
    date_polled = fields.Datetime(string="Last polled", readonly=True, copy=False)
    unknown_since = fields.Datetime(
        readonly=True, copy=False, help="Since when the carrier answers it does not know it."
    )
    poll_stopped = fields.Boolean(readonly=True, copy=False)
    poll_error = fields.Char(
        readonly=True, copy=False, help="The error of the last poll, cleared by a good one."
    )
    cod_remitted = fields.Boolean(string="COD remitted", readonly=True, copy=False)

    _tracking_unique = models.UniqueIndex(
        "(carrier_account_id, tracking_ref)",
        "This carrier account already has a shipment with this tracking number.",
    )

    @api.depends("tracking_ref", "carrier_account_id")
    def _compute_name(self):
        for shipment in self:
            shipment.name = f"{shipment.carrier_account_id.name or ''} {shipment.tracking_ref}"

    @api.depends("picking_id")
    def _compute_sale_order_id(self):
        for shipment in self:
            if shipment.picking_id.sale_id:
                shipment.sale_order_id = shipment.picking_id.sale_id

    def _o2c_check_tracked_write(self, vals_list):
        if self.env.su:
            return
        touched = sorted({f for vals in vals_list for f in vals} & TRACKED_FIELDS)
        if touched:
            raise AccessError(
                self.env._(
                    "%(fields)s of a shipment are set by the carrier's events and the COD "
                    "statements, not by hand.",
                    fields=", ".join(touched),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._o2c_check_tracked_write(vals_list)
        for vals in vals_list:
            if vals.get("tracking_ref"):
                vals["tracking_ref"] = vals["tracking_ref"].strip()
            if not vals.get("client_ref") and vals.get("picking_id"):
                vals["client_ref"] = self.env["stock.picking"].browse(vals["picking_id"]).name
        shipments = super().create(vals_list)
        for shipment in shipments:
            if not shipment.tracking_ref:
                raise UserError(self.env._("A shipment needs a tracking number."))
        return shipments

    def write(self, vals):
        self._o2c_check_tracked_write([vals])
        if not self.env.su and {"cod_amount", "carrier_account_id", "tracking_ref"} & set(vals):
            remitted = self.filtered("cod_remitted")
            if remitted:
                raise AccessError(
                    self.env._(
                        "The COD of %(refs)s is remitted: its amount, carrier and tracking "
                        "number cannot change.",
                        refs=", ".join(remitted.mapped("tracking_ref")),
                    )
                )
        return super().write(vals)

    def _o2c_cod_decimal(self):
        return Decimal(str(self.currency_id.round(self.cod_amount)))

    def _o2c_customer(self):
        order = self.sale_order_id
        return (order.partner_invoice_id or order.partner_id).commercial_partner_id

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------

    def _o2c_add_events(self, events, source):
        """Store the carrier ``events`` of this shipment (each event once, whatever the
        number of deliveries) and move the shipment to the newest state. Returns the
        events stored now."""
        self.ensure_one()
        Event = self.env["o2c.shipment.event"].sudo()
        stored = Event
        known = set(self.event_ids.mapped("event_key"))
        now = datetime.datetime.now(datetime.UTC)
        for event in sorted(events, key=lambda e: e.time):
            if event.event_key in known:
                continue
            try:
                with self.env.cr.savepoint():
                    record = Event.create(self._o2c_event_vals(event, source))
            except pg_errors.UniqueViolation:
                # The carrier delivered the same event twice at the same moment.
                continue
            known.add(event.event_key)
            stored |= record
            since = self.state_date and self.state_date.replace(tzinfo=datetime.UTC)
            moment = carriers.clamp_time(event.time, now)
            if carriers.should_apply(self.state, since, event.state, moment):
                # An attempt is a move INTO failed_attempt: the same failure repeated (GHN's
                # update_fee, a poll after the webhook) is no new attempt.
                if event.state == "failed_attempt" and self.state != "failed_attempt":
                    self.failed_attempts += 1
                record.applied = True
                self._o2c_move_to(event, moment)
        if stored:
            self._o2c_after_events()
        return stored

    def _o2c_event_vals(self, event, source):
        return {
            "shipment_id": self.id,
            "event_key": event.event_key,
            "state": event.state,
            "carrier_status": event.carrier_status,
            "time": event.time.astimezone(datetime.UTC).replace(tzinfo=None),
            "reason": event.reason or False,
            "reason_code": event.reason_code or False,
            "cod_amount": float(event.cod_amount) if event.cod_amount is not None else 0.0,
            "source": source,
            "raw": event.raw,
        }

    def _o2c_move_to(self, event, moment=None):
        time = (moment or event.time).astimezone(datetime.UTC).replace(tzinfo=None)
        vals = {"state": event.state, "state_date": time, "state_reason": event.reason or False}
        if event.state == "delivered" and not self.date_delivered:
            vals["date_delivered"] = time
        self.write(vals)
        if event.state == "delivered" and self.sale_order_id:
            order = self.sale_order_id.sudo()
            if not order.o2c_date_delivered or order.o2c_date_delivered < time:
                order.o2c_date_delivered = time

    def _o2c_after_events(self):
        """Follow-ups of the stored events: customer service after too many failed
        attempts (once), the return of a returned parcel (once)."""
        account = self.carrier_account_id
        if (
            not self.cs_alerted
            and self.failed_attempts > account.failed_attempt_limit
            and self.state not in ("delivered", "returned", "cancelled")
        ):
            summary = self.env._("Delivery failed %(count)s times", count=self.failed_attempts)
            if user := self._o2c_cs_user():
                self.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    summary=summary,
                    note=self.state_reason or "",
                )
            else:
                self.sudo().message_post(body=summary)
            self.cs_alerted = True
        if self.state == "returned" and not self.return_picking_id:
            self._o2c_start_return()

    def _o2c_cs_user(self):
        """Who follows a failed delivery: the account's customer service, the order's
        salesperson, who set the account up, or a manager of the company; never the
        public user or OdooBot (the webhook and the cron run as them)."""
        account = self.carrier_account_id.sudo()
        candidates = (
            account.cs_user_id
            | self.sale_order_id.sudo().user_id
            | account.create_uid
            | account.write_uid
        )
        for user in candidates:
            if user.active and user.id != SUPERUSER_ID and user._is_internal():
                return user
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("group_ids", "in", self.env.ref("order_to_cash.group_o2c_manager").id),
                    ("company_ids", "in", self.company_id.id),
                    ("id", "!=", SUPERUSER_ID),
                    ("share", "=", False),
                ],
                limit=1,
            )
        )

    def _o2c_start_return(self):
        """A return receipt of the parcel's delivery order, ready for the warehouse to
        receive the goods back in stock."""
        picking = self.picking_id
        if not picking or picking.state != "done":
            return
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        returned = wizard._create_return()
        self.return_picking_id = returned
        returned.message_post(
            body=self.env._(
                "Parcel %(ref)s returned by %(carrier)s: receive the goods back.",
                ref=self.tracking_ref,
                carrier=self.carrier_account_id.name,
            )
        )

    # ------------------------------------------------------------------
    # Polling
    # ------------------------------------------------------------------

    def _o2c_poll_ref(self, client):
        """The reference the carrier's detail call takes (GHN: our client order code)."""
        if getattr(client, "DETAIL_REF", "tracking_ref") == "client_ref" and self.client_ref:
            return self.client_ref
        return self.tracking_ref

    @api.model
    def _o2c_poll_domain(self, account, now):
        interval = datetime.timedelta(hours=account.poll_interval_hours)
        return (
            Domain("carrier_account_id", "=", account.id)
            & Domain("state", "not in", list(carriers.FINAL_STATES))
            & Domain("poll_stopped", "=", False)
            & (Domain("date_polled", "=", False) | Domain("date_polled", "<=", now - interval))
        )

    @api.model
    def _cron_o2c_poll(self):
        """Ask the carriers for the status of open shipments, in batches of locked rows
        (SKIP LOCKED: several workers never poll the same shipment), committing each
        batch; a polled shipment is not due again before its account's interval."""
        self = self.sudo()  # noqa: PLW0642 - the job writes the tracked fields it polls
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        accounts = self.env["o2c.carrier.account"].search(
            [("poll_enabled", "=", True), ("api_url", "!=", False)]
        )
        domains = {account: self._o2c_poll_domain(account, now) for account in accounts}
        Cron._commit_progress(remaining=sum(self.search_count(d) for d in domains.values()))
        for account, domain in domains.items():
            errors = 0  # carrier errors in a row for this account
            while errors < POLL_BREAKER:
                batch = self.search(
                    domain, limit=POLL_BATCH, order="date_polled asc nulls first, id"
                )
                batch = batch.try_lock_for_update(allow_referencing=True)
                if not batch:
                    break
                done = 0
                for shipment in batch:
                    outcome = shipment.with_company(shipment.company_id)._o2c_poll_safe(now)
                    done += 1
                    errors = errors + 1 if outcome in ("unavailable", "auth") else 0
                    if errors >= POLL_BREAKER:
                        account._o2c_poll_breaker_tripped(outcome)
                        break
                if not Cron._commit_progress(done):
                    return

    def _o2c_poll_safe(self, now):
        """Poll this shipment; any error is logged, noted once on the shipment, and the
        shipment marked polled (it is not first again), so it never stops the others.
        Returns "ok", "unavailable", "auth" or "error"."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._o2c_poll_one(now)
        except Exception as exc:  # one bad shipment must not stop the run
            _logger.warning("Order to Cash: polling %s failed", self.name, exc_info=True)
            self._o2c_poll_failed(now, str(exc) or type(exc).__name__)
            return "error"

    def _o2c_poll_failed(self, now, error):
        error = error[:200]
        if error != self.poll_error:
            self.message_post(body=self.env._("Polling the carrier failed: %(error)s", error=error))
        self.write({"date_polled": now, "poll_error": error})

    def _o2c_poll_one(self, now):
        self.ensure_one()
        client = self.carrier_account_id._client(timeout=POLL_TIMEOUT)
        if client is None:
            self.poll_stopped = True
            return "ok"
        try:
            status = client.detail(self._o2c_poll_ref(client))
        except carriers.CarrierUnknownShipment:
            self.date_polled = now
            self.unknown_since = self.unknown_since or now
            limit = datetime.timedelta(days=self.carrier_account_id.poll_unknown_days)
            if now - self.unknown_since >= limit:
                self.poll_stopped = True
                self.message_post(
                    body=self.env._(
                        "The carrier has not known this shipment since %(date)s: polling stopped.",
                        date=self.unknown_since,
                    )
                )
            return "ok"
        except carriers.CarrierAuthError as exc:
            _logger.warning("Order to Cash: polling %s refused: %s", self.name, exc)
            self.date_polled = now
            return "auth"
        except (carriers.CarrierUnavailable, carriers.CarrierError) as exc:
            _logger.warning("Order to Cash: polling %s failed: %s", self.name, exc)
            self.date_polled = now
            return "unavailable"
        self.write({"date_polled": now, "unknown_since": False, "poll_error": False})
        if status.time is None and self.event_ids[:1].carrier_status == status.carrier_status:
            return "ok"  # no time from the carrier: the same status again is no new event
        event = carriers.make_event(
            self.carrier,
            self.tracking_ref,
            self.client_ref,
            status.state,
            status.carrier_status,
            status.time or datetime.datetime.now(datetime.UTC),
            cod_amount=status.cod_amount,
            raw=status.raw,
        )
        self._o2c_add_events([event], "poll")
        if status.cod_remitted and not self.cod_remitted:
            self.message_post(body=self.env._("The carrier reports the COD as remitted."))
        return "ok"


class O2cShipmentEvent(models.Model):
    """One carrier event of a shipment, as received (webhook or poll)."""

    _name = "o2c.shipment.event"
    _description = "Shipment Event"
    _order = "time desc, id desc"

    shipment_id = fields.Many2one(
        "o2c.shipment", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="shipment_id.company_id", store=True, index=True)
    event_key = fields.Char(required=True, readonly=True)
    state = fields.Selection(SHIPMENT_STATES, readonly=True)
    carrier_status = fields.Char(readonly=True)
    time = fields.Datetime(readonly=True)
    reason = fields.Char(readonly=True)
    reason_code = fields.Char(readonly=True)
    cod_amount = fields.Float(
        string="COD reported",
        readonly=True,
        help="What the carrier's event says; informative only, money is matched from "
        "the remittance statement.",
    )
    source = fields.Selection(
        [("webhook", "Webhook"), ("poll", "Polling"), ("manual", "Manual")], readonly=True
    )
    applied = fields.Boolean(
        readonly=True, help="Whether this event moved the shipment (older ones do not)."
    )
    raw = fields.Json(readonly=True)

    _event_unique = models.UniqueIndex(
        "(shipment_id, event_key)", "This carrier event is already stored."
    )
