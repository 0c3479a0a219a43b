import datetime
import logging

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import plaintext2html

from ..pipeline import invoicing

_logger = logging.getLogger(__name__)

INVOICE_BATCH_SIZE = 100


class SaleOrder(models.Model):
    _inherit = "sale.order"

    o2c_invoice_due = fields.Boolean(
        string="Invoice Due",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A delivery was validated for this order of a channel invoicing at delivery: "
        "the invoicing job invoices what was delivered.",
    )
    o2c_invoice_error = fields.Text(
        string="Automatic Invoicing Error",
        readonly=True,
        copy=False,
        help="Why the invoicing job could not invoice or post this order the last time "
        "it tried; cleared when it succeeds.",
    )

    def _action_confirm(self):
        # An order of a channel invoicing at order is invoiced by the job, soon.
        res = super()._action_confirm()
        if any(order.o2c_channel_id.invoicing_policy == "at_order" for order in self):
            self.env.ref("order_to_cash.ir_cron_o2c_create_invoices").sudo()._trigger()
        return res

    # ------------------------------------------------------------------
    # Invoicing job
    # ------------------------------------------------------------------

    @api.model
    def _o2c_invoice_now_domain(self):
        """Orders the job invoices on each run: those of channels invoicing at
        order, and those marked by a validated delivery; never an order on hold."""
        at_order = Domain(
            [
                ("o2c_channel_id.invoicing_policy", "=", "at_order"),
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
            ]
        )
        return (at_order | Domain("o2c_invoice_due", "=", True)) & Domain("o2c_hold", "=", False)

    @api.model
    def _cron_o2c_create_invoices(self):
        """Create (and, where the channel says so, post) the invoices the channels'
        policies call for, in batches of locked rows (SKIP LOCKED), each order in
        its own company; an order that fails is noted and does not stop the others.

        Running it again creates nothing more: an invoiced order has nothing left
        to invoice, and a draft left by a run that could not post it is posted by
        the next run instead of being created again.
        """
        Cron = self.env["ir.cron"]
        Move = self.env["account.move"]
        periodic = self._o2c_periodic_due()
        Cron._commit_progress(
            remaining=Move.search_count(Move._o2c_to_post_domain())
            + self.search_count(self._o2c_invoice_now_domain())
            + sum(self.search_count(domain) for _channel, _run, domain in periodic)
        )
        if not Move._o2c_post_pending():
            return
        if not self._o2c_invoice_orders_due():
            return
        for channel, run, domain in periodic:
            if not self._o2c_invoice_periodic(channel, run, domain):
                return

    @api.model
    def _o2c_invoice_orders_due(self):
        """At order and at delivery: one order at a time, each in a savepoint.
        Pages by id, so orders that fail and stay due are not fetched again."""
        Cron = self.env["ir.cron"]
        domain = self._o2c_invoice_now_domain()
        last_id = 0
        while True:
            found = self.search(
                domain & Domain("id", ">", last_id), order="id", limit=INVOICE_BATCH_SIZE
            )
            if not found:
                return True
            last_id = found[-1].id
            for order in found.try_lock_for_update(allow_referencing=True):
                channel = order.o2c_channel_id
                if channel.invoicing_policy in ("at_order", "at_delivery"):
                    order._o2c_invoice(channel, grouped=True)
                else:
                    # The channel's policy changed since the delivery marked it.
                    order.o2c_invoice_due = False
            if not Cron._commit_progress(len(found)):
                return False

    @api.model
    def _o2c_periodic_due(self):
        """``(channel, run_date, order_domain)`` for each periodic channel whose
        invoicing day has come and was not run yet."""
        due = []
        channels = self.env["o2c.channel"].search([("invoicing_policy", "=", "periodic")])
        for channel in channels:
            tz = pytz.timezone(
                (channel.company_id or self.env.company).partner_id.tz or self.env.user.tz or "UTC"
            )
            now = pytz.utc.localize(fields.Datetime.now()).astimezone(tz)
            try:
                cutoff = invoicing.due_cutoff(
                    channel.invoicing_period,
                    channel._o2c_invoicing_day(),
                    now.date(),
                    channel.invoicing_last_run or None,
                )
            except invoicing.ScheduleError as error:
                # Saved before the schedule was checked: skip it, keep the others going.
                _logger.warning("Order to Cash: channel %s: %s", channel.name, error)
                continue
            if not cutoff:
                continue
            run, start = cutoff
            start_utc = (
                tz.localize(datetime.datetime.combine(start, datetime.time.min))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )
            domain = Domain(
                [
                    ("o2c_channel_id", "=", channel.id),
                    ("state", "=", "sale"),
                    ("invoice_status", "=", "to invoice"),
                    ("o2c_hold", "=", False),
                    ("date_order", "<", start_utc),
                ]
            )
            due.append((channel, run, domain))
        return due

    @api.model
    def _o2c_invoice_periodic(self, channel, run, domain):
        """One periodic run of ``channel``: the due orders of each customer (per
        company, invoice address and currency) are invoiced together, through
        Odoo's own grouping (``_create_invoices(grouped=False)``). The run is
        recorded as done once every customer was invoiced; until then each run
        tries the others again."""
        Cron = self.env["ir.cron"]
        groups = self._read_group(
            domain, ["company_id", "partner_invoice_id", "currency_id"], ["id:array_agg"]
        )
        complete = True
        for _company, _partner, _currency, ids in groups:
            orders = self.browse(sorted(ids)).try_lock_for_update(allow_referencing=True)
            if len(orders) < len(ids):
                # Another worker holds some of them: leave the whole customer to it
                # rather than split the customer's invoice.
                complete = False
                continue
            if orders._o2c_invoice(channel, grouped=False) is None:
                # Noted on the orders; the next run tries this customer again.
                complete = False
            if not Cron._commit_progress(len(ids)):
                return False
        if complete:
            channel.sudo().invoicing_last_run = run
        return True

    def _o2c_invoice(self, channel, grouped):
        """Invoice ``self`` (orders of one company and channel) in a savepoint,
        then post the invoices if the channel says so. Returns the invoices, or
        ``None`` when they could not be created (the orders say why)."""
        company = self.company_id
        try:
            with self.env.cr.savepoint():
                moves = (
                    self.with_company(company)
                    .with_context(raise_if_nothing_to_invoice=False)
                    ._create_invoices(grouped=grouped)
                )
                moves.sudo().write({"o2c_auto_invoice": True, "o2c_channel_id": channel.id})
        except Exception as error:  # one order must not stop the others
            log = _logger.warning if isinstance(error, UserError) else _logger.exception
            log("Order to Cash: invoicing %s failed: %s", ", ".join(self.mapped("name")), error)
            self._o2c_note_invoice_error(error)
            return None
        self.filtered("o2c_invoice_due").o2c_invoice_due = False
        self.filtered("o2c_invoice_error").o2c_invoice_error = False
        if channel.auto_post:
            moves._o2c_post_auto_invoices()
        return moves

    def _o2c_note_invoice_error(self, error):
        """Keep the error on the orders and tell their chatter, once per distinct
        error: the job retries every run, the note is not repeated."""
        message = str(error) or error.__class__.__name__
        for order in self.filtered(lambda o: o.o2c_invoice_error != message):
            order.o2c_invoice_error = message
            order.message_post(
                body=plaintext2html(
                    self.env._("Automatic invoicing failed: %(error)s", error=message)
                ),
                subtype_xmlid="mail.mt_note",
            )
