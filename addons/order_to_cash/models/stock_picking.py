import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_repr, plaintext2html

from ..pipeline import release
from .after_sales_guard import check_workflow_fields, trusted

_logger = logging.getLogger(__name__)

PACK_OVERRIDE_GROUPS = ("order_to_cash.group_o2c_manager", "stock.group_stock_manager")
# Written by the return request's own code only (see after_sales_guard).
PICKING_WORKFLOW_FIELDS = ("o2c_return_id",)


def _qty(quantity, rounding):
    """A quantity as people write it: 2, not 2.000."""
    digits = max(0, len(f"{rounding:f}".rstrip("0").partition(".")[2]))
    text = float_repr(quantity, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


class StockPicking(models.Model):
    _inherit = "stock.picking"

    o2c_shipment_ids = fields.One2many("o2c.shipment", "picking_id", string="Shipments")
    o2c_shipment_count = fields.Integer(compute="_compute_o2c_shipment_count")

    def _compute_o2c_shipment_count(self):
        for picking in self:
            picking.o2c_shipment_count = len(picking.o2c_shipment_ids)

    def _o2c_cod_to_collect(self):
        """The order's total in the company's currency when it is paid on delivery."""
        order = self.sale_id
        if not order.o2c_is_cod:
            return 0.0
        return order.currency_id._convert(
            order.amount_total,
            self.company_id.currency_id,
            self.company_id,
            fields.Date.context_today(self),
        )

    def action_o2c_shipments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_to_cash.action_o2c_shipment")
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {
            "default_picking_id": self.id,
            "default_company_id": self.company_id.id,
            "default_cod_amount": self._o2c_cod_to_collect(),
        }
        return action

    def _action_done(self):
        """EXTEND 'stock': a delivery done for an order of a channel invoicing at
        delivery marks the order for the invoicing job, in this same transaction;
        the invoice itself is made by the job, never inside the validation. Released
        deliveries pass the packing check first."""
        self._o2c_check_packing()
        res = super()._action_done()
        orders = (
            self.filtered(lambda p: p.state == "done" and p.location_dest_id.usage == "customer")
            .sale_id.filtered(
                lambda o: (
                    o.o2c_channel_id.invoicing_policy == "at_delivery" and not o.o2c_invoice_due
                )
            )
            .sudo()
        )
        if orders:
            orders.o2c_invoice_due = True
            self.env.ref("order_to_cash.ir_cron_o2c_create_invoices").sudo()._trigger()
        # Stock users validate returns without rights on the request itself;
        # backorders of a return transfer were created above, carrying its request.
        self.sudo().o2c_return_id._o2c_mark_received()
        return res

    def action_cancel(self):
        """EXTEND 'stock': a cancelled return transfer (e.g. the backorder of a
        partial receipt) may leave its request with everything else received."""
        res = super().action_cancel()
        self.sudo().o2c_return_id._o2c_mark_received()
        return res

    def _create_backorder_picking(self):
        """EXTEND 'stock': the backorder of a return transfer belongs to the same
        return request (the field is not copied otherwise)."""
        backorder = super()._create_backorder_picking()
        if self.o2c_return_id:
            trusted(backorder.sudo()).o2c_return_id = self.o2c_return_id
        return backorder

    o2c_released = fields.Boolean(
        string="Released to Warehouse",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Order to Cash released this delivery to the warehouse in a pick wave.",
    )
    o2c_release_date = fields.Datetime(string="Released On", readonly=True, copy=False)
    o2c_pack_override = fields.Boolean(string="Packing Check Overridden", readonly=True, copy=False)
    o2c_pack_override_reason = fields.Text(
        string="Packing Override Reason", readonly=True, copy=False
    )
    o2c_pack_override_user_id = fields.Many2one(
        "res.users", string="Packing Overridden By", readonly=True, copy=False
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def button_validate(self):
        waiting = self.filtered(lambda p: p.state not in ("done", "cancel"))._o2c_unreleased()
        if waiting:
            raise UserError(
                self.env._(
                    "These deliveries are not released to the warehouse yet: %(pickings)s. "
                    "Release them first (Order to Cash > Release Orders).",
                    pickings=", ".join(waiting.mapped("name")),
                )
            )
        return super().button_validate()

    def action_o2c_pack_override(self):
        """Open the packing check override wizard (managers only)."""
        self._o2c_check_pack_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Packing Check"),
            "res_model": "o2c.pack.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "stock.picking", "active_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Release
    # ------------------------------------------------------------------

    def _o2c_unreleased(self):
        """Deliveries of sales orders in warehouses releasing by waves that no
        release run (nor a user adding them to a batch) has let through yet."""
        return self.filtered(
            lambda p: (
                not p.o2c_released
                and not p.batch_id
                and p.sale_id
                and p.picking_type_id.warehouse_id.o2c_release_by_waves
                and p.picking_type_id == p.picking_type_id.warehouse_id.out_type_id
            )
        )

    @api.model
    def _o2c_release_domain(self, warehouse):
        """Ready deliveries of verified orders of ``warehouse`` not released yet."""
        return [
            ("company_id", "=", warehouse.company_id.id),
            ("picking_type_id", "=", warehouse.out_type_id.id),
            ("state", "=", "assigned"),
            ("o2c_released", "=", False),
            ("batch_id", "=", False),
            ("sale_id.state", "=", "sale"),
            ("sale_id.o2c_hold", "=", False),
        ]

    def _o2c_release_candidates(self):
        """Plain values of ``self`` for the release ordering."""
        lines = dict(
            self.env["stock.move"]._read_group(
                [("picking_id", "in", self.ids), ("state", "!=", "cancel")],
                ["picking_id"],
                ["__count"],
            )
        )
        candidates = []
        for picking in self:
            order = picking.sale_id
            candidates.append(
                release.Candidate(
                    picking_id=picking.id,
                    lines=lines.get(picking, 0),
                    channel_priority=order.o2c_channel_id.release_priority or 0,
                    promised=order.commitment_date
                    or picking.date_deadline
                    or picking.scheduled_date
                    or None,
                    vip=bool(order.partner_id.commercial_partner_id.o2c_vip),
                    ordered=order.date_order or None,
                )
            )
        return candidates

    @api.model
    def _o2c_release(self, warehouse, caps=None, commit=False):
        """Release the ready deliveries of ``warehouse`` in capped pick waves.

        Each wave is an Odoo ``stock.picking.batch``, made as Odoo's "Add to batch"
        makes one (create, link the transfers, confirm). The rows of a wave are
        locked first (SKIP LOCKED) and read again: a delivery another run holds or
        has released in the meantime is left out, so two runs at once never put a
        delivery in two waves, and running the release again changes nothing
        already released. Quantities are not touched.

        :param warehouse: ``stock.warehouse`` record
        :param caps: :class:`release.Caps`; the warehouse's (or company's) by default
        :param commit: commit after each wave (the scheduled job), reporting progress
        :return: the created batches
        """
        waves = self._o2c_release_plan(warehouse, caps)
        return self._o2c_release_waves(warehouse, waves, commit=commit)

    @api.model
    def _o2c_release_plan(self, warehouse, caps=None):
        """The waves a release of ``warehouse`` would make now: lists of picking ids."""
        warehouse.ensure_one()
        caps = caps or warehouse._o2c_release_caps()
        pickings = self.search(self._o2c_release_domain(warehouse))
        return release.build_waves(pickings._o2c_release_candidates(), caps)

    @api.model
    def _o2c_release_waves(self, warehouse, waves, commit=False):
        """Make a batch of each planned wave, with what is still free of it."""
        Batch = self.env["stock.picking.batch"]
        Cron = self.env["ir.cron"]
        if commit:
            Cron._commit_progress(remaining=sum(len(w) for w in waves))
        batches = Batch
        now = fields.Datetime.now()
        for number, wave_ids in enumerate(waves, start=1):
            wave = self.browse(wave_ids).try_lock_for_update(allow_referencing=True)
            # Read again under the lock: another run may have taken them since the search.
            wave.invalidate_recordset(["o2c_released", "batch_id", "state"])
            wave = wave.filtered(
                lambda p: not p.o2c_released and not p.batch_id and p.state == "assigned"
            )
            if wave:
                batch = Batch.create(
                    {
                        "company_id": warehouse.company_id.id,
                        "picking_type_id": warehouse.out_type_id.id,
                        "description": self.env._(
                            "Release %(date)s, wave %(number)s",
                            date=fields.Datetime.to_string(now),
                            number=number,
                        ),
                        "o2c_release": True,
                    }
                )
                wave.write({"batch_id": batch.id, "o2c_released": True, "o2c_release_date": now})
                batch.action_confirm()
                batches |= batch
            if commit and not Cron._commit_progress(len(wave_ids)):
                break
        return batches

    @api.model
    def _cron_o2c_release(self):
        """Release the ready deliveries of every warehouse releasing by waves,
        each in its company, committing after each wave."""
        Cron = self.env["ir.cron"]
        warehouses = self.env["stock.warehouse"].search([("o2c_release_by_waves", "=", True)])
        for warehouse in warehouses:
            self.with_company(warehouse.company_id)._o2c_release(warehouse, commit=True)
            if not Cron._commit_progress():
                # Out of time: the next run goes on where this one stopped.
                break

    # ------------------------------------------------------------------
    # Packing check and short picks
    # ------------------------------------------------------------------

    def _o2c_check_pack_manager(self):
        if not any(self.env.user.has_group(group) for group in PACK_OVERRIDE_GROUPS):
            raise AccessError(
                self.env._("Only Order to Cash or Inventory managers can override a packing check.")
            )

    def _o2c_packing_mismatches(self, short_allowed):
        """Differences between what the order asks of this delivery and what was picked."""
        self.ensure_one()
        ordered, picked = {}, {}
        for move in self.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            product = move.product_id
            if move.sale_line_id:
                ordered[product] = ordered.get(product, 0.0) + move.product_qty
            if move.picked:
                quantity = move.product_uom._compute_quantity(move.quantity, product.uom_id)
                picked[product] = picked.get(product, 0.0) + quantity
        precision = 10 ** -self.env["decimal.precision"].precision_get("Product Unit")
        return release.check_packing(ordered, picked, short_allowed, precision=precision / 2)

    def _o2c_check_packing(self):
        """Refuse to ship a released delivery whose picked items differ from the order
        (wrong product, extra quantity, or a missing one that no backorder will bring),
        unless a manager overrode the check."""
        short_allowed = not self.env.context.get("cancel_backorder")
        problems = []
        for picking in self.filtered(lambda p: p.o2c_released and not p.o2c_pack_override):
            mismatches = picking._o2c_packing_mismatches(short_allowed)
            if mismatches:
                problems.append(picking._o2c_describe_mismatches(mismatches))
        if problems:
            raise UserError(
                "\n\n".join(problems)
                + "\n\n"
                + self.env._(
                    "Correct the picked items, or ask a manager to override the packing check."
                )
            )

    def _o2c_describe_mismatches(self, mismatches):
        self.ensure_one()
        labels = {
            release.WRONG: self.env._("wrong product: not ordered, picked %(picked)s %(uom)s"),
            release.MISSING: self.env._(
                "missing: ordered %(ordered)s %(uom)s, picked %(picked)s %(uom)s"
            ),
            release.EXTRA: self.env._(
                "extra: ordered %(ordered)s %(uom)s, picked %(picked)s %(uom)s"
            ),
        }
        lines = [self.env._("Packing check failed on %(picking)s:", picking=self.name)]
        for mismatch in mismatches:
            product = mismatch.product
            digits = product.uom_id.rounding
            lines.append(
                "- %s: %s"
                % (
                    product.display_name,
                    labels[mismatch.kind]
                    % {
                        "ordered": _qty(mismatch.ordered, digits),
                        "picked": _qty(mismatch.picked, digits),
                        "uom": product.uom_id.name,
                    },
                )
            )
        return "\n".join(lines)

    def _o2c_override_packing(self, reason):
        """Let the given deliveries ship whatever the packing check finds."""
        self._o2c_check_pack_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("An override of the packing check needs a reason."))
        self.write(
            {
                "o2c_pack_override": True,
                "o2c_pack_override_reason": reason,
                "o2c_pack_override_user_id": self.env.user.id,
            }
        )
        for picking in self:
            picking.message_post(
                body=plaintext2html(
                    self.env._(
                        "Packing check overridden by %(user)s. Reason: %(reason)s",
                        user=self.env.user.name,
                        reason=reason,
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _o2c_short_pick_reason(self):
        """Why this backorder exists, in words, for the order's pick exception."""
        self.ensure_one()
        items = ", ".join(
            f"{move.product_id.display_name} {_qty(move.product_uom_qty, move.product_uom.rounding)}"
            f" {move.product_uom.name}"
            for move in self.move_ids
            if move.state != "cancel"
        )
        return self.env._(
            "Short pick on %(picking)s: %(items)s to follow in backorder %(backorder)s.",
            picking=self.backorder_id.name,
            items=items,
            backorder=self.name,
        )

    o2c_return_id = fields.Many2one(
        "o2c.return",
        string="Return Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        # A transfer is linked to a return request only by the request's own code
        # (see after_sales_guard); empty values, as forms send, are harmless.
        check_workflow_fields(
            self,
            [{name: value for name, value in vals.items() if value} for vals in vals_list],
            PICKING_WORKFLOW_FIELDS,
        )
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, [vals], PICKING_WORKFLOW_FIELDS)
        return super().write(vals)
