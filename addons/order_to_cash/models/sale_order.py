import datetime
import hashlib
import logging

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import plaintext2html

from ..pipeline import checks, invoicing, returns, sla, stages
from .o2c_sla_profile import O2cSlaIntervals
from .o2c_sla_profile_line import TRANSITION_SELECTION as SLA_TRANSITION_SELECTION

_logger = logging.getLogger(__name__)

STAGE_SELECTION = [
    ("accepted", "1. Accepted"),
    ("verified", "2. Verified"),
    ("packed", "3. Picked & Packed"),
    ("shipped", "4. Shipped"),
    ("paid", "5. Invoiced & Paid"),
    ("after_sales", "6. After-sales"),
    ("closed", "7. Closed"),
]
STAGE_DATE_FIELDS = {
    stages.VERIFIED: "o2c_date_verified",
    stages.PACKED: "o2c_date_packed",
    stages.SHIPPED: "o2c_date_shipped",
    stages.PAID: "o2c_date_paid",
    stages.AFTER_SALES: "o2c_date_after_sales",
    stages.CLOSED: "o2c_date_closed",
}
MANAGER_GROUP = "order_to_cash.group_o2c_manager"
DEFAULT_AFTER_SALES_DAYS = 30
BATCH_SIZE = 200


INVOICE_BATCH_SIZE = 100
SLA_BATCH_SIZE = 1000
SLA_DUE_FIELDS = {
    "verified": "o2c_sla_due_verified",
    "packed": "o2c_sla_due_packed",
    "shipped": "o2c_sla_due_shipped",
    "delivered": "o2c_sla_due_delivered",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    o2c_channel_id = fields.Many2one(
        "o2c.channel",
        string="Sales Channel",
        index=True,
        tracking=True,
        copy=False,
        check_company=True,
    )
    o2c_external_ref = fields.Char(
        string="External Reference",
        copy=False,
        index=True,
        help="The order reference in the channel (marketplace order number, ...).",
    )
    o2c_payment_method_id = fields.Many2one(
        "o2c.payment.method", string="Order Payment Method", tracking=True
    )
    o2c_is_cod = fields.Boolean(related="o2c_payment_method_id.is_cod", string="Cash on Delivery")
    o2c_stage = fields.Selection(
        STAGE_SELECTION,
        string="Pipeline Stage",
        compute="_compute_o2c_stage",
        store=True,
        index=True,
        group_expand=True,
    )
    o2c_date_accepted = fields.Datetime(
        string="Accepted On", compute="_compute_o2c_date_accepted", store=True
    )
    o2c_date_verified = fields.Datetime(
        string="Verified On", compute="_compute_o2c_stage", store=True
    )
    o2c_date_packed = fields.Datetime(string="Packed On", compute="_compute_o2c_stage", store=True)
    o2c_date_shipped = fields.Datetime(
        string="Shipped On", compute="_compute_o2c_stage", store=True
    )
    o2c_date_paid = fields.Datetime(string="Paid On", compute="_compute_o2c_stage", store=True)
    o2c_date_delivered = fields.Datetime(
        string="Delivered On",
        readonly=True,
        copy=False,
        help="When the carrier delivered the (last) parcel to the customer.",
    )
    o2c_shipment_ids = fields.One2many("o2c.shipment", "sale_order_id", string="Shipments")
    o2c_date_after_sales = fields.Datetime(
        string="After-sales On", compute="_compute_o2c_stage", store=True
    )
    o2c_date_closed = fields.Datetime(string="Closed On", compute="_compute_o2c_stage", store=True)
    o2c_after_sales_over = fields.Boolean(
        string="After-sales Window Over",
        readonly=True,
        copy=False,
        help="Set by the daily job once the channel's after-sales window has passed.",
    )
    o2c_check_result_ids = fields.One2many(
        "o2c.check.result", "order_id", string="Verification", copy=False
    )
    o2c_line_signature = fields.Char(
        compute="_compute_o2c_line_signature",
        store=True,
        index=True,
        copy=False,
        help="Hash of the (product, quantity) lines, to find duplicate orders quickly.",
    )
    o2c_checked_on = fields.Datetime(string="Checked On", readonly=True, copy=False)
    o2c_recheck_pending = fields.Boolean(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A cause of this quotation's verification changed (payment, stock arrival, "
        "customer data): the recheck job verifies it again.",
    )
    o2c_hold = fields.Boolean(
        string="On Hold",
        compute="_compute_o2c_hold",
        store=True,
        index=True,
    )
    o2c_warning_count = fields.Integer(string="Warnings", compute="_compute_o2c_hold", store=True)
    o2c_hold_reason = fields.Text(string="Hold Reasons", compute="_compute_o2c_hold_reason")

    _o2c_external_ref_unique = models.UniqueIndex(
        "(o2c_channel_id, o2c_external_ref) WHERE o2c_external_ref IS NOT NULL",
        "An order with this external reference already exists in this channel.",
    )

    @api.depends("create_date")
    def _compute_o2c_date_accepted(self):
        for order in self:
            order.o2c_date_accepted = order.o2c_date_accepted or order.create_date

    @api.depends(
        "state",
        "locked",
        "invoice_status",
        "o2c_after_sales_over",
        "picking_ids.state",
        "picking_ids.move_ids.picked",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.payment_state",
        "o2c_return_line_ids.return_id.state",
        "o2c_complaint_ids.state",
    )
    def _compute_o2c_stage(self):
        now = fields.Datetime.now()
        for order in self:
            facts = order._o2c_stage_facts()
            number = stages.derive_stage(facts)
            order.o2c_stage = stages.STAGE_KEYS[number]
            proofs = order._o2c_stage_proof_dates()
            for reached in stages.reached_stages(facts, number):
                fname = STAGE_DATE_FIELDS.get(reached)
                if fname and not order[fname]:
                    order[fname] = proofs.get(reached) or now

    def _o2c_stage_facts(self):
        self.ensure_one()
        pickings = [
            stages.Picking(
                state=picking.state,
                to_customer=picking.location_dest_id.usage == "customer",
                from_customer=picking.location_id.usage == "customer",
                picked=all(m.picked for m in picking.move_ids if m.state != "cancel"),
            )
            for picking in self.picking_ids
        ]
        moves = self.order_line.invoice_lines.move_id
        invoices = [
            stages.Invoice(m.move_type, m.state, m.payment_state)
            for m in moves
            if m.move_type in ("out_invoice", "out_refund")
        ]
        return stages.OrderFacts(
            state=self.state,
            invoice_status=self.invoice_status,
            locked=self.locked,
            after_sales_window_over=self.o2c_after_sales_over,
            pickings=pickings,
            invoices=invoices,
            **self._o2c_after_sales_facts(),
        )

    def _o2c_stage_proof_dates(self):
        """Dates taken from the documents that prove a stage, where they
        carry one; other stages are stamped when the event is seen."""
        self.ensure_one()
        done = self.picking_ids.filtered(lambda p: p.state == "done" and p.date_done)
        shipped = done.filtered(lambda p: p.location_dest_id.usage == "customer")
        returned = self.picking_ids.filtered(lambda p: p.location_id.usage == "customer")
        dates = {stages.VERIFIED: self.date_order if self.state == "sale" else False}
        if shipped:
            dates[stages.SHIPPED] = max(shipped.mapped("date_done"))
        prepared = done - shipped - returned
        if prepared:
            dates[stages.PACKED] = max(prepared.mapped("date_done"))
        if returned:
            dates[stages.AFTER_SALES] = min(returned.mapped("create_date"))
        return dates

    @api.depends("order_line.product_id", "order_line.product_uom_qty", "order_line.display_type")
    def _compute_o2c_line_signature(self):
        for order in self:
            signature = order._o2c_line_signature_tuple()
            order.o2c_line_signature = (
                hashlib.sha1(repr(signature).encode()).hexdigest() if signature else False
            )

    def _o2c_line_signature_tuple(self):
        self.ensure_one()
        return checks.line_signature(
            (line.product_id.id, line.product_uom_qty)
            for line in self.order_line
            if line.product_id and not line.display_type
        )

    @api.depends("o2c_check_result_ids.state", "o2c_check_result_ids.overridden")
    def _compute_o2c_hold(self):
        for order in self:
            results = order.o2c_check_result_ids
            blocking = results.filtered(lambda r: r.state == "block" and not r.overridden)
            order.o2c_hold = bool(blocking)
            order.o2c_warning_count = len(results.filtered(lambda r: r.state == "warn"))

    @api.depends("o2c_check_result_ids.state", "o2c_check_result_ids.overridden")
    def _compute_o2c_hold_reason(self):
        for order in self:
            blocking = order.o2c_check_result_ids.filtered(
                lambda r: r.state == "block" and not r.overridden
            )
            order.o2c_hold_reason = "\n".join(blocking.mapped("message"))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.onchange("o2c_channel_id")
    def _onchange_o2c_channel_id(self):
        for order in self:
            channel = order.o2c_channel_id
            if not channel:
                continue
            order.update(order._o2c_channel_defaults(channel))

    def _o2c_channel_defaults(self, channel):
        """Values a channel gives a new order; only what the channel sets."""
        values = {}
        if channel.warehouse_id:
            values["warehouse_id"] = channel.warehouse_id.id
        if channel.pricelist_id:
            values["pricelist_id"] = channel.pricelist_id.id
        if channel.payment_term_id:
            values["payment_term_id"] = channel.payment_term_id.id
        if channel.team_id:
            values["team_id"] = channel.team_id.id
        if channel.default_payment_method_id:
            values["o2c_payment_method_id"] = channel.default_payment_method_id.id
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_o2c_check(self):
        """Button: run the verification rules now."""
        self._o2c_run_checks()
        return True

    def action_o2c_override(self):
        """Open the override wizard (managers only)."""
        self._o2c_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Hold"),
            "res_model": "o2c.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "sale.order", "active_ids": self.ids},
        }

    def action_confirm(self):
        # Confirmation re-verifies the blocking rules: a hold found now stops it.
        self.filtered(lambda o: o.state in ("draft", "sent"))._o2c_run_checks(blocking_only=True)
        return super().action_confirm()

    def _confirmation_error_message(self):
        message = super()._confirmation_error_message()
        if message or not self.o2c_hold:
            return message
        return self.env._(
            "Order %(order)s is on hold and cannot be confirmed:\n%(reasons)s",
            order=self.name,
            reasons=self.o2c_hold_reason,
        )

    @api.constrains("state")
    def _check_o2c_hold_state(self):
        for order in self:
            if order.state == "sale" and order.o2c_hold:
                raise UserError(order._confirmation_error_message())

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _o2c_check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only Order to Cash managers can override a verification hold.")
            )

    def _o2c_run_checks(self, blocking_only=False):
        """Evaluate the applicable rules and store one result per rule.

        An override given earlier stays on a rule whose failure is unchanged
        (same message); a new or different failure blocks again. With
        ``blocking_only`` (at confirmation) warning rules are not evaluated
        again: they cannot stop the order, and their last results stay.
        An order no rule applies to (no channel, and its company does not verify
        manual orders) is left untouched. Reasons and chatter notes are worded in
        the language of the context, else of the salesperson, else of the company
        (the recheck job and integrations run without a language of their own).
        """
        Result = self.env["o2c.check.result"].sudo()
        Check = self.env["o2c.check"].sudo()
        now = fields.Datetime.now()
        context_lang = self.env.context.get("lang")
        applicable = {}
        for order in self:
            key = (order.company_id.id, order.o2c_channel_id.id)
            if key not in applicable:
                applicable[key] = Check._applicable(order)
        to_run = self.filtered(
            lambda o: applicable[(o.company_id.id, o.o2c_channel_id.id)] or o.o2c_check_result_ids
        )
        run_cache = {"duplicates": to_run._o2c_duplicate_candidates()}
        for order in to_run:
            lang = (
                context_lang
                or order.user_id.lang
                or order.company_id.partner_id.lang
                or self.env.user.lang
            )
            order = order.with_context(lang=lang)  # noqa: PLW2901
            was_on_hold = order.o2c_hold
            previous = {(r.check_id.id, r.message): r for r in order.o2c_check_result_ids}
            values = []
            live = applicable[(order.company_id.id, order.o2c_channel_id.id)]
            checks = live
            if blocking_only:
                checks = checks.filtered(lambda c: c.severity == "block")
            for check in checks.with_context(lang=lang):
                outcome = check._evaluate(order, run_cache)
                state = "pass" if outcome.passed else check.severity
                message = check._describe(order, outcome)
                kept = previous.get((check.id, message))
                overridden = bool(kept and kept.overridden and state == "block")
                values.append(
                    {
                        "order_id": order.id,
                        "check_id": check.id,
                        "sequence": check.sequence,
                        "state": state,
                        "message": message,
                        "code": outcome.code,
                        "overridden": overridden,
                        "override_reason": kept.override_reason if overridden else False,
                        "override_user_id": kept.override_user_id.id if overridden else False,
                    }
                )
            # Replace the results of the rules just run, and drop those of rules that no
            # longer apply (archived, moved to other channels, or no channel any more).
            order.o2c_check_result_ids.filtered(
                lambda r, run=checks, live=live: r.check_id in run or r.check_id not in live
            ).sudo().unlink()
            Result.create(values)
            order.o2c_checked_on = now
            order._o2c_log_hold_change(was_on_hold)

    def _o2c_duplicate_candidates(self):
        """Orders that may duplicate one of ``self`` (same line signature, company and
        day), found with one indexed search for the whole run, by signature."""
        orders = self.filtered("o2c_line_signature")
        if not orders:
            return {}
        days = [
            fields.Datetime.to_datetime(o.date_order or fields.Datetime.now()).date()
            for o in orders
        ]
        start = datetime.datetime.combine(min(days), datetime.time.min)
        end = datetime.datetime.combine(max(days), datetime.time.min) + datetime.timedelta(1)
        found = self.sudo().search(
            [
                ("o2c_line_signature", "in", list(set(orders.mapped("o2c_line_signature")))),
                ("company_id", "in", orders.company_id.ids),
                ("state", "!=", "cancel"),
                ("date_order", ">=", start),
                ("date_order", "<", end),
            ]
        )
        candidates = {}
        for other in found:
            candidates.setdefault(other.o2c_line_signature, []).append(other)
        return candidates

    def _o2c_log_hold_change(self, was_on_hold):
        self.ensure_one()
        if self.o2c_hold and not was_on_hold:
            body = self.env._("Order put on hold:\n%(reasons)s", reasons=self.o2c_hold_reason)
        elif was_on_hold and not self.o2c_hold:
            body = self.env._("Hold released: every blocking check passes or is overridden.")
        else:
            return
        self.message_post(body=plaintext2html(body), subtype_xmlid="mail.mt_note")

    def _o2c_override(self, reason):
        """Override every current blocking failure with ``reason``."""
        self._o2c_check_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("An override needs a reason."))
        for order in self:
            blocking = order.o2c_check_result_ids.filtered(
                lambda r: r.state == "block" and not r.overridden
            )
            if not blocking:
                continue
            messages = blocking.mapped("message")
            blocking.sudo().write(
                {
                    "overridden": True,
                    "override_reason": reason,
                    "override_user_id": self.env.user.id,
                }
            )
            order.message_post(
                body=plaintext2html(
                    self.env._(
                        "Hold overridden by %(user)s. Reason: %(reason)s\nOverridden checks:\n%(checks)s",
                        user=self.env.user.name,
                        reason=reason,
                        checks="\n".join(messages),
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _o2c_recheck_held(self, domain, companies, held_only=True):
        """Queue for the recheck job the verified quotations of ``companies``
        matching ``domain``: called when a cause of holds changes. Payments and
        stock arrivals can only release a hold, so they queue held orders only;
        changed customer data can also create one (``held_only=False``).

        The rules run in the job, after this transaction committed, not inside the
        write of a partner, a payment or a stock move.
        """
        scope = [
            ("state", "in", ("draft", "sent")),
            ("o2c_checked_on", "!=", False),
            ("o2c_recheck_pending", "=", False),
            ("company_id", "in", companies.ids),
        ]
        if held_only:
            scope.append(("o2c_hold", "=", True))
        orders = self.sudo().search(Domain.AND([domain, scope]))
        if orders:
            orders.o2c_recheck_pending = True
            self.env.ref("order_to_cash.ir_cron_o2c_recheck").sudo()._trigger()
        return orders

    @api.model
    def _cron_o2c_recheck(self):
        """Run the rules again on the quotations queued by ``_o2c_recheck_held``, in
        batches of locked rows (SKIP LOCKED), each order in its own company."""
        Cron = self.env["ir.cron"]
        domain = [("o2c_recheck_pending", "=", True)]
        Cron._commit_progress(remaining=self.search_count(domain))
        while True:
            batch = self.search(domain, limit=BATCH_SIZE).try_lock_for_update(
                allow_referencing=True
            )
            if not batch:
                break
            for order in batch.filtered(lambda o: o.state in ("draft", "sent")):
                try:
                    with self.env.cr.savepoint():
                        order.with_company(order.company_id)._o2c_run_checks()
                except Exception:
                    # One order that cannot be verified must not stop the others': it
                    # keeps its last results, and the failure is in the server log.
                    _logger.exception("Order to Cash: verifying %s again failed", order.name)
            batch.o2c_recheck_pending = False
            if not Cron._commit_progress(len(batch)):
                break

    @api.model
    def _cron_o2c_close_after_sales(self):
        """Mark paid orders whose channel's after-sales window is over.

        Works in batches of locked rows (SKIP LOCKED), so two cron workers
        never process the same orders, and commits after each batch.
        """
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        base = [
            ("o2c_stage", "in", ("paid", "after_sales")),
            ("o2c_after_sales_over", "=", False),
            ("o2c_date_paid", "!=", False),
        ]
        windows = {DEFAULT_AFTER_SALES_DAYS: [False]}
        for channel in self.env["o2c.channel"].with_context(active_test=False).search([]):
            days = channel.after_sales_days or DEFAULT_AFTER_SALES_DAYS
            windows.setdefault(days, []).append(channel.id)
        due = Domain.OR(
            Domain("o2c_channel_id", "in", channel_ids)
            & Domain("o2c_date_paid", "<=", now - datetime.timedelta(days=days))
            for days, channel_ids in windows.items()
        )
        domain = Domain.AND([base, due])
        Cron._commit_progress(remaining=self.search_count(domain))
        while True:
            batch = self.search(domain, limit=BATCH_SIZE).try_lock_for_update(
                allow_referencing=True
            )
            if not batch:
                break
            batch.o2c_after_sales_over = True
            if not Cron._commit_progress(len(batch)):
                break

    # ------------------------------------------------------------------
    # External API (XML-RPC /xmlrpc/2, JSON /json/2)
    # ------------------------------------------------------------------

    @api.model
    def o2c_intake(self, orders):
        """Create orders from plain values, one or many at a time.

        Each order is created in its own savepoint: a bad order is reported
        and rolled back without touching the others. An order whose channel
        and external reference are already known is not created again.

        :param orders: an order dict or a list of them (see README for the
            fields: channel, external_ref, customer, lines, payment_method...)
        :return: a list with, per order in the input order, a dict with
            ``status`` ("created", "exists" or "rejected"), ``external_ref``,
            ``order_id``, ``name``, ``stage``, ``hold`` and ``errors``
            (each error names its ``field``, ``value`` and ``message``).
        """
        return self.env["o2c.intake"]._intake(orders)

    @api.model
    def o2c_status(self, refs):
        """Status of orders for integrations.

        :param refs: a list of order ids, order names, or dicts with
            ``channel`` and ``external_ref``.
        :return: one dict per ref: stage, stage dates, hold and reasons,
            deliveries with tracking references, invoices with payment state,
            after-sales: ``returns`` (name, state, resolution and the order's
            lines with quantity and reason), ``complaints`` (name, state,
            category) and ``rating`` (value, comment, date; False when not
            rated); an unknown ref gives ``{"ref": ..., "found": False}``.
        """
        if not isinstance(refs, (list, tuple)):
            refs = [refs]
        return [self._o2c_status_one(ref) for ref in refs]

    # ------------------------------------------------------------------
    # Status helpers
    # ------------------------------------------------------------------

    def _o2c_status_one(self, ref):
        order = self.browse()
        if isinstance(ref, int) and not isinstance(ref, bool):
            order = self.search([("id", "=", ref)])
        elif isinstance(ref, str):
            order = self.search([("name", "=", ref)], limit=1)
        elif isinstance(ref, dict):
            order = self.search(
                [
                    ("o2c_channel_id.code", "=", ref.get("channel")),
                    ("o2c_external_ref", "=", ref.get("external_ref")),
                ],
                limit=1,
            )
        if not order:
            return {"ref": ref, "found": False}
        tracking = "carrier_tracking_ref" in self.env["stock.picking"]._fields
        invoices = order.invoice_ids.filtered(lambda m: m.state != "cancel")
        status = {
            "ref": ref,
            "found": True,
            "order_id": order.id,
            "name": order.name,
            "channel": order.o2c_channel_id.code or False,
            "external_ref": order.o2c_external_ref or False,
            "state": order.state,
            "stage": order.o2c_stage,
            "stage_dates": {
                key: order[f"o2c_date_{key}"] and order[f"o2c_date_{key}"].isoformat()
                for key in (
                    "accepted",
                    "verified",
                    "packed",
                    "shipped",
                    "paid",
                    "after_sales",
                    "closed",
                )
            },
            "hold": order.o2c_hold,
            "holds": [
                {"rule": r.rule, "state": r.state, "message": r.message, "overridden": r.overridden}
                for r in order.o2c_check_result_ids
                if r.state != "pass"
            ],
            "deliveries": [
                {
                    "name": p.name,
                    "state": p.state,
                    "tracking_ref": (p.carrier_tracking_ref or False) if tracking else False,
                    "date_done": p.date_done and p.date_done.isoformat(),
                }
                for p in order.picking_ids
            ],
            "invoice_status": order.invoice_status,
            "invoices": [
                {
                    "name": m.name,
                    "move_type": m.move_type,
                    "state": m.state,
                    "payment_state": m.payment_state,
                    "amount_total": m.amount_total,
                    "amount_residual": m.amount_residual,
                }
                for m in invoices
            ],
        }
        status.update(order._o2c_status_after_sales())
        return status

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

    o2c_pick_exception = fields.Boolean(
        string="Pick Exception",
        compute="_compute_o2c_pick_exception",
        store=True,
        index="btree_not_null",
        help="A delivery was shipped short: the rest waits in a backorder. Cleared when "
        "the backorder is shipped or cancelled.",
    )
    o2c_pick_exception_reason = fields.Text(
        string="Pick Exception Reason", compute="_compute_o2c_pick_exception", store=True
    )

    @api.depends(
        "picking_ids.state",
        "picking_ids.backorder_id",
        "picking_ids.move_ids.product_uom_qty",
        "picking_ids.move_ids.state",
    )
    def _compute_o2c_pick_exception(self):
        for order in self:
            open_backorders = order.picking_ids.filtered(
                lambda p: (
                    p.backorder_id
                    and p.state not in ("done", "cancel")
                    and p.location_id.usage != "customer"
                )
            )
            order.o2c_pick_exception = bool(open_backorders)
            order.o2c_pick_exception_reason = (
                "\n".join(b._o2c_short_pick_reason() for b in open_backorders) or False
            )

    # ------------------------------------------------------------------
    # Per-stage SLAs (see pipeline/sla.py)
    # ------------------------------------------------------------------

    o2c_sla_profile_id = fields.Many2one(
        "o2c.sla.profile",
        string="SLA Profile",
        compute="_compute_o2c_sla_profile_id",
        store=True,
        readonly=False,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    o2c_sla_due_verified = fields.Datetime(
        string="Verify By", compute="_compute_o2c_sla_dates", store=True, copy=False
    )
    o2c_sla_due_packed = fields.Datetime(
        string="Pack By", compute="_compute_o2c_sla_dates", store=True, copy=False
    )
    o2c_sla_due_shipped = fields.Datetime(
        string="Ship By", compute="_compute_o2c_sla_dates", store=True, copy=False
    )
    o2c_sla_due_delivered = fields.Datetime(
        string="Deliver By", compute="_compute_o2c_sla_dates", store=True, copy=False
    )
    o2c_sla_next_stage = fields.Selection(
        SLA_TRANSITION_SELECTION,
        string="SLA Next Stage",
        compute="_compute_o2c_sla_dates",
        store=True,
        copy=False,
    )
    o2c_sla_deadline = fields.Datetime(
        string="SLA Deadline",
        compute="_compute_o2c_sla_dates",
        store=True,
        copy=False,
        index="btree_not_null",
        help="When the next stage is due.",
    )
    o2c_sla_risk_date = fields.Datetime(
        string="SLA At Risk From",
        compute="_compute_o2c_sla_dates",
        store=True,
        copy=False,
        help="When 80% of the working time allowed for the next stage has elapsed.",
    )
    o2c_sla_status = fields.Selection(
        [
            ("none", "No SLA"),
            ("on_track", "On Track"),
            ("at_risk", "At Risk"),
            ("breached", "Breached"),
        ],
        string="SLA Status",
        compute="_compute_o2c_sla_status",
        store=True,
        readonly=True,
        copy=False,
        index=True,
        help="Of the next stage; kept up to date by the SLA job.",
    )
    o2c_sla_alerted = fields.Char(
        string="SLA Alerted",
        readonly=True,
        copy=False,
        help="The last SLA alert made for this order (stage:level): the job never makes "
        "the same alert twice.",
    )
    o2c_sla_alert_due = fields.Boolean(
        compute="_compute_o2c_sla_alert_due",
        store=True,
        copy=False,
        index="btree_not_null",
    )

    @api.depends("company_id", "o2c_channel_id", "partner_id")
    def _compute_o2c_sla_profile_id(self):
        """The matching profile; an order whose SLA is over keeps the one it was
        measured with (its due dates, which the KPIs read, came from it). A change of
        the customer's tags or of the profiles re-matches through the SLA job
        (``o2c.sla.rematch``), not in the transaction that saves it."""
        matches = self.env["o2c.sla.profile"]._o2c_match(self)
        for order in self:
            if order._o2c_sla_finished():
                order.o2c_sla_profile_id = order.o2c_sla_profile_id
            else:
                order.o2c_sla_profile_id = matches[order.id]

    @api.depends(
        "state",
        "o2c_channel_id",
        "company_id.o2c_verify_manual_orders",
        "o2c_sla_profile_id",
        "o2c_date_accepted",
        "o2c_date_verified",
        "o2c_date_packed",
        "o2c_date_shipped",
        "o2c_date_delivered",
        "o2c_date_paid",
        "o2c_date_after_sales",
        "o2c_date_closed",
        "o2c_shipment_ids",
    )
    def _compute_o2c_sla_dates(self):
        """A due date is set once, when its previous stage is reached, from the
        profile and peaks of that moment; later changes of them do not move it.
        Only orders in the pipeline (``sla.in_scope``) have an open transition, and
        the delivery one ends as ``sla.delivery_end`` says."""
        intervals = O2cSlaIntervals(self.env)
        peaks = self.env["o2c.peak.period"]._o2c_company_peaks(self.company_id)
        for order in self:
            dates = order._o2c_sla_stage_dates()
            profile = order.o2c_sla_profile_id
            company_peaks = peaks.get(order.company_id.id, [])
            for target, fname in SLA_DUE_FIELDS.items():
                start = sla.transition_start(dates, target)
                if not (start and profile):
                    order[fname] = False
                elif not order[fname]:
                    order[fname] = order._o2c_sla_due(
                        profile, target, start, intervals, company_peaks
                    )
            target = order._o2c_sla_open() and sla.open_transition(order._o2c_sla_open_dates())
            deadline = target and order[SLA_DUE_FIELDS[target]]
            order.o2c_sla_next_stage = target if deadline else False
            order.o2c_sla_deadline = deadline or False
            order.o2c_sla_risk_date = (
                deadline
                and order._o2c_sla_risk_date(
                    profile, sla.transition_start(dates, target), deadline, intervals
                )
            ) or False

    @api.depends("state", "o2c_sla_deadline", "o2c_sla_risk_date")
    def _compute_o2c_sla_status(self):
        now = fields.Datetime.now()
        for order in self:
            order.o2c_sla_status = sla.status(now, order.o2c_sla_deadline, order.o2c_sla_risk_date)

    @api.depends("o2c_sla_status", "o2c_sla_next_stage", "o2c_sla_alerted")
    def _compute_o2c_sla_alert_due(self):
        for order in self:
            order.o2c_sla_alert_due = sla.needs_alert(
                order.o2c_sla_alerted, order.o2c_sla_next_stage, order.o2c_sla_status
            )

    def _o2c_sla_stage_dates(self):
        self.ensure_one()
        return {stage: self[f"o2c_date_{stage}"] for stage in sla.STAGES}

    def _o2c_sla_open_dates(self):
        """The stage dates with the end of the delivery transition as its date."""
        self.ensure_one()
        dates = self._o2c_sla_stage_dates()
        later = {key: self[f"o2c_date_{key}"] for key in ("paid", "after_sales", "closed")}
        dates["delivered"] = sla.delivery_end(
            dict(dates, **later), carrier_tracked=bool(self.sudo().o2c_shipment_ids)
        )
        return dates

    def _o2c_sla_finished(self):
        """Whether the order's SLAs are over: cancelled, closed or delivered."""
        self.ensure_one()
        return bool(
            self.state == "cancel"
            or self.o2c_date_closed
            or self._o2c_sla_open_dates()["delivered"]
        )

    def _o2c_sla_open(self):
        """Whether the order is in the pipeline and its last SLA transition still runs."""
        self.ensure_one()
        in_scope = sla.in_scope(
            self.state, bool(self.o2c_channel_id), self.company_id.o2c_verify_manual_orders
        )
        return in_scope and not self._o2c_sla_finished()

    @api.model
    def _o2c_sla_open_domain(self):
        """Orders whose SLA may still run (``_o2c_sla_open`` as a domain, but quotations
        out of scope included: they get their profile ready for when they enter)."""
        return (
            Domain("state", "!=", "cancel")
            & Domain("o2c_date_closed", "=", False)
            & Domain("o2c_date_delivered", "=", False)
            & Domain("o2c_date_paid", "=", False)
            & Domain("o2c_date_after_sales", "=", False)
            & (Domain("o2c_date_shipped", "=", False) | Domain("o2c_shipment_ids", "!=", False))
        )

    def _o2c_sla_due(self, profile, target, start, intervals, peaks):
        """Deadline of reaching ``target`` from ``start`` under ``profile``, or False."""
        self.ensure_one()
        hours = profile._o2c_target_hours(target, self.partner_shipping_id.state_id.id)
        if not hours:
            return False
        stretch = sla.stretch_factor(peaks, profile._o2c_local_date(start), target)
        calendar = profile.resource_calendar_id.sudo()
        return intervals.due(calendar, target, start, hours, stretch).deadline

    def _o2c_sla_risk_date(self, profile, start, deadline, intervals):
        """When ``AT_RISK_RATIO`` of the working time from ``start`` to ``deadline``
        has elapsed: from the stored deadline, so both always agree."""
        calendar = profile.resource_calendar_id.sudo()
        if not (calendar and start):
            return False
        window = intervals.intervals(calendar, start, max(deadline, start))
        budget = sla.working_hours_between(start, deadline, window)
        return sla.add_working_hours(start, budget * sla.AT_RISK_RATIO, window)

    # ------------------------------------------------------------------
    # SLA job
    # ------------------------------------------------------------------

    @api.model
    def _o2c_sla_cron_domain(self, now):
        """Open orders whose SLA status is out of date at ``now``, or with an alert
        not made yet."""
        has_deadline = Domain("o2c_sla_deadline", "!=", False)
        stale = (
            (Domain("o2c_sla_deadline", "<=", now) & Domain("o2c_sla_status", "!=", "breached"))
            | (
                Domain("o2c_sla_deadline", ">", now)
                & Domain("o2c_sla_risk_date", "<=", now)
                & Domain("o2c_sla_status", "!=", "at_risk")
            )
            | (Domain("o2c_sla_risk_date", ">", now) & Domain("o2c_sla_status", "!=", "on_track"))
        )
        return (has_deadline & stale) | Domain("o2c_sla_alert_due", "=", True)

    @api.model
    def _cron_o2c_sla(self):
        """Bring the SLA status of open orders up to date and alert the responsible
        people of orders turning at risk or breached, in batches of locked rows
        (SKIP LOCKED), one commit per batch. An order's status and the record of its
        alert are written in the transaction that creates the activity: a rerun, a
        retry or a second server finds nothing left to do for it."""
        Cron = self.env["ir.cron"]
        # Queued re-matches first: they set the deadlines the status is read from.
        if not self.env["o2c.sla.rematch"]._o2c_process():
            return
        now = fields.Datetime.now()
        domain = self._o2c_sla_cron_domain(now)
        Cron._commit_progress(remaining=self.search_count(domain))
        last_id = 0
        while True:
            # Pages by id: an order is looked at once per run, even one that stays due.
            found = self.search(
                domain & Domain("id", ">", last_id), order="id", limit=SLA_BATCH_SIZE
            )
            if not found:
                break
            last_id = found[-1].id
            batch = found.try_lock_for_update(allow_referencing=True)
            batch._o2c_sla_refresh(now)
            if not Cron._commit_progress(len(batch)):
                break

    def _o2c_sla_refresh(self, now):
        """Write the status of ``self`` at ``now`` and make the alerts now due."""
        for status in ("none", "on_track", "at_risk", "breached"):
            changed = self.filtered(
                lambda o, s=status: (
                    sla.status(now, o.o2c_sla_deadline, o.o2c_sla_risk_date) == s
                    and o.o2c_sla_status != s
                )
            )
            if changed:
                changed.o2c_sla_status = status
        self.filtered("o2c_sla_alert_due")._o2c_sla_alert()

    def _o2c_sla_alert(self):
        """One activity per order for its open stage and level, recorded on the order
        (``o2c_sla_alerted``) in the same transaction."""
        activity_type = self.env.ref("order_to_cash.mail_activity_type_o2c_sla")
        model_id = self.env["ir.model"]._get_id("sale.order")
        Profile = self.env["o2c.sla.profile"]
        now = fields.Datetime.now()
        values = []
        for order in self:
            stage, level = order.o2c_sla_next_stage, order.o2c_sla_status
            user = order.user_id or order.o2c_sla_profile_id.responsible_user_id
            order.o2c_sla_alerted = sla.alert_key(stage, level)
            if not user:
                _logger.info("Order to Cash: SLA %s of %s: nobody to alert", level, order.name)
                continue
            env = self.with_context(lang=user.lang or order.company_id.partner_id.lang).env
            stage_label = dict(self._fields["o2c_sla_next_stage"]._description_selection(env))[
                stage
            ]
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": order.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "date_deadline": Profile._o2c_local_today(
                        order.company_id, order.o2c_sla_profile_id.resource_calendar_id, now
                    ),
                    "summary": (
                        env._("SLA breached: %(stage)s", stage=stage_label)
                        if level == "breached"
                        else env._("SLA at risk: %(stage)s", stage=stage_label)
                    ),
                    "note": plaintext2html(
                        env._(
                            "Order %(order)s: %(stage)s due by %(deadline)s (UTC).",
                            order=order.name,
                            stage=stage_label,
                            deadline=fields.Datetime.to_string(order.o2c_sla_deadline),
                        )
                    ),
                }
            )
        if values:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                values
            )

    # After-sales (stage 6): returns, complaints, rating
    # ------------------------------------------------------------------

    o2c_return_line_ids = fields.One2many(
        "o2c.return.line", "order_id", string="Returned Lines", copy=False
    )
    o2c_return_count = fields.Integer(string="Returns", compute="_compute_o2c_return_count")
    o2c_complaint_ids = fields.One2many(
        "o2c.complaint", "order_id", string="Complaints", copy=False
    )
    o2c_complaint_count = fields.Integer(
        string="Complaints Count", compute="_compute_o2c_complaint_count"
    )
    o2c_replaced_order_id = fields.Many2one(
        "sale.order",
        string="Replaces Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The order whose returned goods this order sends again.",
    )
    o2c_rating = fields.Integer(
        string="Customer Rating",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="1 (bad) to 5 (excellent); 0 while the customer has not rated the order.",
    )
    o2c_rating_comment = fields.Text(string="Rating Comment", readonly=True, copy=False)
    o2c_rated_on = fields.Datetime(string="Rated On", readonly=True, copy=False)

    _o2c_rating_range = models.Constraint(
        "CHECK(o2c_rating IS NULL OR (o2c_rating >= 0 AND o2c_rating <= 5))",
        "A rating is between 1 and 5 (0 when not rated).",
    )

    @api.depends("o2c_return_line_ids.return_id")
    def _compute_o2c_return_count(self):
        for order in self:
            order.o2c_return_count = len(order.o2c_return_line_ids.return_id)

    @api.depends("o2c_complaint_ids")
    def _compute_o2c_complaint_count(self):
        for order in self:
            order.o2c_complaint_count = len(order.o2c_complaint_ids)

    def _o2c_after_sales_facts(self):
        """Stage facts from return requests and complaints (sudo: the stage must
        not depend on who looks at the order)."""
        self.ensure_one()
        states = set(self.sudo().o2c_return_line_ids.return_id.mapped("state"))
        complaint_states = set(self.sudo().o2c_complaint_ids.mapped("state"))
        return {
            "has_complaint": any(returns.is_complaint_open(s) for s in complaint_states),
            "open_returns": any(returns.is_return_open(s) for s in states),
            "had_after_sales": "done" in states or "resolved" in complaint_states,
        }

    def action_o2c_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_to_cash.action_o2c_return")
        action["domain"] = [("line_ids.order_id", "=", self.id)]
        action["context"] = {
            "default_partner_id": self.partner_id.commercial_partner_id.id,
            "default_company_id": self.company_id.id,
        }
        return action

    def action_o2c_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_to_cash.action_o2c_complaint")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    def action_o2c_request_rating(self):
        """Open the mail composer with the "rate your order" template."""
        self.ensure_one()
        template = self.env.ref("order_to_cash.mail_template_o2c_rating")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "sale.order",
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
            },
        }

    def _o2c_rating_url(self):
        """Public link where the customer rates this order (no login: the order's
        portal access token is the key)."""
        self.ensure_one()
        return f"{self.get_base_url()}/o2c/rate/{self.id}/{self._portal_ensure_token()}"

    def _o2c_set_rating(self, rating, comment=None):
        """Store a rating (last one wins: a customer may correct it)."""
        self.ensure_one()
        try:
            value = returns.parse_rating(rating)
        except ValueError:
            raise ValidationError(
                self.env._(
                    "Field rating: %(value)r is not a rating; give a whole number from 1 to 5.",
                    value=rating,
                )
            ) from None
        if comment is not None and not isinstance(comment, str):
            raise ValidationError(
                self.env._("Field comment: %(value)r is not a text.", value=comment)
            )
        self.sudo().write(
            {
                "o2c_rating": value,
                "o2c_rating_comment": (comment or "").strip() or False,
                "o2c_rated_on": fields.Datetime.now(),
            }
        )
        return value

    @api.model
    def o2c_rate(self, ref, rating, comment=None):
        """Rate an order over the external API.

        :param ref: the order name, its id, or a dict with ``channel`` and
            ``external_ref`` (as for ``o2c_status``).
        :param rating: a whole number 1..5.
        :param comment: optional text.
        :return: ``{"ref", "found", "order_id", "name", "rating", "comment", "rated_on"}``;
            an unknown ref gives ``{"ref": ..., "found": False}``. A bad rating raises a
            ValidationError naming the field and the value.
        """
        order = self._o2c_find(ref)
        if not order:
            return {"ref": ref, "found": False}
        order._o2c_set_rating(rating, comment)
        return {
            "ref": ref,
            "found": True,
            "order_id": order.id,
            "name": order.name,
            "rating": order.o2c_rating,
            "comment": order.o2c_rating_comment or False,
            "rated_on": order.o2c_rated_on.isoformat(),
        }

    @api.model
    def _o2c_find(self, ref):
        """The order a ref names (id, name, or channel and external reference)."""
        if isinstance(ref, int) and not isinstance(ref, bool):
            return self.search([("id", "=", ref)])
        if isinstance(ref, str):
            return self.search([("name", "=", ref)], limit=1)
        if isinstance(ref, dict):
            return self.search(
                [
                    ("o2c_channel_id.code", "=", ref.get("channel")),
                    ("o2c_external_ref", "=", ref.get("external_ref")),
                ],
                limit=1,
            )
        return self.browse()

    # ------------------------------------------------------------------
    # Stage 7: KPIs (external API)
    # ------------------------------------------------------------------

    @api.model
    def o2c_kpis(self, date_from, date_to, group_by=None, on_time_rule="promised"):
        """Order-to-cash KPIs of the orders accepted from ``date_from`` to ``date_to``
        (dates, both included, UTC days) in the companies the user works in, read from
        the stored stage timestamps and documents (see ``pipeline/kpis.py`` for every
        definition).

        :param group_by: empty, or one of channel, warehouse, carrier (the carrier
            account of the order's first shipment), salesperson, day, week, month
            (of the acceptance date)
        :param on_time_rule: ``promised`` (commitment date, else the expected date) or
            ``sla`` (the SLA deadline of the delivered stage)
        :return: a dict: the parameters, ``total`` (the KPIs of every order) and
            ``groups`` (a list of ``{"key", "label", "kpis"}``, key False for the orders
            without a value); rates are fractions (0..1) and False when nothing is
            measured, cycle times are in hours (``count``, ``median``, ``p90``).
        """
        return self.env["o2c.kpi"]._api(date_from, date_to, group_by, on_time_rule)

    def _o2c_status_after_sales(self):
        """The after-sales part of ``o2c_status``: the order's return requests
        (with only this order's lines), complaints and latest rating."""
        self.ensure_one()
        lines = self.o2c_return_line_ids
        return {
            "returns": [
                {
                    "name": request.name,
                    "state": request.state,
                    "resolution": request.resolution,
                    "date_request": request.date_request.isoformat(),
                    "lines": [
                        {
                            "product": line.product_id.default_code or line.product_id.name,
                            "quantity": line.quantity,
                            "uom": line.product_uom_id.name,
                            "reason": line.reason,
                        }
                        for line in lines
                        if line.return_id == request
                    ],
                }
                for request in lines.return_id.sorted("id")
            ],
            "complaints": [
                {
                    "name": complaint.name,
                    "state": complaint.state,
                    "category": complaint.category,
                    "date_open": complaint.date_open.isoformat(),
                }
                for complaint in self.o2c_complaint_ids.sorted("id")
            ],
            "rating": (
                {
                    "value": self.o2c_rating,
                    "comment": self.o2c_rating_comment or False,
                    "date": self.o2c_rated_on and self.o2c_rated_on.isoformat(),
                }
                if self.o2c_rating
                else False
            ),
        }
