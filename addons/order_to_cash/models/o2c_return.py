from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, float_repr, plaintext2html

from ..pipeline import returns
from .after_sales_guard import trusted
from .o2c_after_sales_mixin import STATE_ATTRS

MANAGER_GROUP = "order_to_cash.group_o2c_manager"
STATE_SELECTION = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("received", "Received"),
    ("done", "Done"),
    ("refused", "Refused"),
    ("cancel", "Cancelled"),
]
RESOLUTION_SELECTION = [
    ("refund", "Refund (Credit Note)"),
    ("replacement", "Replacement Order"),
]
# Written by the request's own actions only (see after_sales_guard).
WORKFLOW_FIELDS = (
    "state",
    "date_approved",
    "approved_by_id",
    "date_received",
    "date_done",
    "picking_ids",
    "credit_note_ids",
    "replacement_order_ids",
)


def _qty(quantity):
    text = float_repr(quantity, 3)
    return text.rstrip("0").rstrip(".") if "." in text else text


class O2cReturn(models.Model):
    _name = "o2c.return"
    _description = "Return Request"
    _inherit = ["o2c.after.sales.mixin"]
    _order = "date_request desc, id desc"
    _o2c_workflow_fields = WORKFLOW_FIELDS

    company_id = fields.Many2one(required=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        required=True,
        tracking=True,
        check_company=True,
        help="The customer whose orders the goods come back from.",
    )
    state = fields.Selection(STATE_SELECTION, default="draft", **STATE_ATTRS)
    resolution = fields.Selection(
        RESOLUTION_SELECTION,
        required=True,
        default="refund",
        tracking=True,
        help="Refund: the goods come back, the order's delivered quantity goes down and a "
        "credit note gives the money back. Replacement: the goods come back and a new "
        "order sends the same goods again, free of charge; the original order stays "
        "delivered and invoiced.",
    )
    line_ids = fields.One2many("o2c.return.line", "return_id", string="Lines", copy=True)
    order_ids = fields.Many2many(
        "sale.order", string="Orders", compute="_compute_order_ids", search="_search_order_ids"
    )
    date_request = fields.Datetime(
        string="Requested On", required=True, default=fields.Datetime.now, index=True
    )
    date_approved = fields.Datetime(string="Approved On", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_received = fields.Datetime(string="Received On", readonly=True, copy=False)
    date_done = fields.Datetime(string="Done On", readonly=True, copy=False, index=True)
    refuse_reason = fields.Text(string="Refusal Reason", copy=False, tracking=True)
    description = fields.Text(help="What the customer reported.")
    picking_ids = fields.One2many(
        "stock.picking", "o2c_return_id", string="Return Transfers", readonly=True
    )
    credit_note_ids = fields.Many2many(
        "account.move",
        "o2c_return_credit_note_rel",
        "return_id",
        "move_id",
        string="Credit Notes",
        readonly=True,
        copy=False,
    )
    replacement_order_ids = fields.Many2many(
        "sale.order",
        "o2c_return_replacement_rel",
        "return_id",
        "order_id",
        string="Replacement Orders",
        readonly=True,
        copy=False,
    )
    picking_count = fields.Integer(compute="_compute_counts")
    credit_note_count = fields.Integer(compute="_compute_counts")
    replacement_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.order_id")
    def _compute_order_ids(self):
        for request in self:
            request.order_ids = request.line_ids.order_id

    def _search_order_ids(self, operator, value):
        return [("line_ids.order_id", operator, value)]

    @api.depends("picking_ids", "credit_note_ids", "replacement_order_ids")
    def _compute_counts(self):
        for request in self:
            request.picking_count = len(request.picking_ids)
            request.credit_note_count = len(request.credit_note_ids)
            request.replacement_count = len(request.replacement_order_ids)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("partner_id", "line_ids")
    def _check_one_customer(self):
        for request in self:
            customer = request.partner_id.commercial_partner_id
            others = request.line_ids.order_id.filtered(
                lambda o, c=customer: o.partner_id.commercial_partner_id != c
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Return %(name)s is for customer %(customer)s, but order(s) %(orders)s "
                        "belong to %(others)s: one request covers the orders of one customer.",
                        name=request.name,
                        customer=customer.display_name,
                        orders=", ".join(others.mapped("name")),
                        others=", ".join(others.partner_id.commercial_partner_id.mapped("name")),
                    )
                )

    @api.constrains("state")
    def _check_state_quantities(self):
        self._o2c_check_quantities()

    def _o2c_check_quantities(self):
        """Each line asks back at most what was delivered, less what other live
        requests (or returns made outside any request) already take back."""
        Line = self.env["o2c.return.line"].sudo()
        for request in self.filtered(lambda r: r.state in returns.RETURN_LIVE_STATES):
            requested = []
            for line in request.line_ids:
                sale_line = line.sale_line_id
                delivered, returned_outside = request._o2c_delivered(sale_line)
                others = Line.search(
                    [
                        ("sale_line_id", "=", sale_line.id),
                        ("return_id", "!=", request.id),
                        ("return_id.state", "in", returns.RETURN_LIVE_STATES),
                    ]
                )
                requested.append(
                    returns.Requested(
                        key=sale_line,
                        quantity=line.quantity,
                        delivered=delivered,
                        returned_elsewhere=returned_outside + sum(others.mapped("quantity")),
                    )
                )
            problems = returns.over_returns(requested)
            if problems:
                raise ValidationError(
                    "\n".join(
                        self.env._(
                            "Return %(name)s: %(requested)s %(unit)s of %(product)s (order "
                            "%(order)s) asked back, but only %(returnable)s can be returned: "
                            "%(delivered)s delivered, %(returned)s already returned or on other "
                            "return requests.",
                            name=request.name,
                            requested=_qty(p.requested),
                            unit=p.key.product_uom_id.name,
                            product=p.key.product_id.display_name,
                            order=p.key.order_id.name,
                            returnable=_qty(p.returnable),
                            delivered=_qty(p.delivered),
                            returned=_qty(p.returned_elsewhere),
                        )
                        for p in problems
                    )
                )

    @api.model
    def _o2c_delivered_moves(self, sale_line):
        return sale_line.sudo().move_ids.filtered(
            lambda m: (
                m.state == "done"
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
            )
        )

    def _o2c_delivered(self, sale_line):
        """``(delivered, returned outside any request)`` of a sale line, in its unit:
        the goods that reached the customer, and those sent back by a return made
        directly in Inventory."""
        unit = sale_line.product_uom_id
        delivered = sum(
            m.product_uom._compute_quantity(m.quantity, unit)
            for m in self._o2c_delivered_moves(sale_line)
        )
        returned = sum(
            m.product_uom._compute_quantity(
                m.quantity if m.state == "done" else m.product_uom_qty, unit
            )
            for m in sale_line.sudo().move_ids
            if m.location_id.usage == "customer"
            and m.state != "cancel"
            and (
                not m.picking_id.o2c_return_id
                # Goods that came back on a request cancelled or refused since then
                # (before that was refused) stay returned.
                or (
                    m.state == "done"
                    and m.picking_id.o2c_return_id.state not in returns.RETURN_LIVE_STATES
                )
            )
        )
        return delivered, returned

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _o2c_check_write(self, vals):
        # Lines guard themselves (their inspection outcome changes after approval).
        locked = {"partner_id", "resolution"} & set(vals)
        if locked and any(r.state != "draft" for r in self):
            raise UserError(
                self.env._(
                    "Return %(names)s: the customer and resolution can only be changed "
                    "while the request is a draft.",
                    names=", ".join(self.filtered(lambda r: r.state != "draft").mapped("name")),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(r.state not in ("draft", "cancel") for r in self):
            raise UserError(self.env._("Only draft or cancelled return requests can be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _o2c_busy_message(self, names):
        return self.env._(
            "Return %(names)s is being processed by someone else; try again in a moment.",
            names=names,
        )

    def _o2c_move_to(self, action):
        for request in self:
            try:
                state = returns.next_state(request.state, action)
            except returns.TransitionError as error:
                raise UserError(
                    self.env._(
                        "Return %(name)s cannot go from %(state)s to %(action)s.",
                        name=request.name,
                        state=dict(STATE_SELECTION)[error.state],
                        action=action,
                    )
                ) from error
            request._o2c_trusted().state = state

    def _o2c_check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only Order to Cash managers or sales managers approve or refuse returns."
                )
            )

    def action_approve(self):
        """Approve the request and create the reverse transfers of the delivered
        goods with Odoo's own return wizard."""
        self._o2c_check_manager()
        self._o2c_lock()
        for request in self:
            if not request.line_ids:
                raise UserError(
                    self.env._("Return %(name)s has no line to approve.", name=request.name)
                )
            request._o2c_move_to("approve")
            request._o2c_trusted().write(
                {"date_approved": fields.Datetime.now(), "approved_by_id": self.env.uid}
            )
            request._o2c_check_quantities()
            request._o2c_trusted()._o2c_create_return_pickings()
        return True

    def action_refuse(self):
        self._o2c_check_manager()
        self._o2c_check_nothing_received()
        for request in self:
            if not (request.refuse_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Return %(name)s: write the refusal reason (field Refusal Reason) "
                        "before refusing.",
                        name=request.name,
                    )
                )
            request._o2c_move_to("refuse")
            request.message_post(
                body=plaintext2html(
                    self.env._("Return refused: %(reason)s", reason=request.refuse_reason)
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _o2c_check_nothing_received(self):
        """A request some goods already came back on cannot be cancelled or
        refused: stock and the order's delivered quantity already moved."""
        for request in self:
            done = request.picking_ids.filtered(lambda p: p.state == "done")
            if done:
                raise UserError(
                    self.env._(
                        "Return %(name)s cannot be cancelled or refused: return transfer(s) "
                        "%(pickings)s are already done. Resolve the request with what came "
                        "back instead.",
                        name=request.name,
                        pickings=", ".join(done.mapped("name")),
                    )
                )

    def action_cancel(self):
        self._o2c_check_nothing_received()
        for request in self:
            request._o2c_move_to("cancel")
            request.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ).action_cancel()
        return True

    def action_draft(self):
        self._o2c_move_to("draft")
        self._o2c_check_quantities()
        return True

    def action_done(self):
        """Apply the inspection outcome of each line and issue the resolution:
        a credit note per order, or a replacement order per order, for what came
        back."""
        self._o2c_lock()
        for request in self:
            if request.state != "received":
                raise UserError(
                    self.env._(
                        "Return %(name)s is %(state)s: only a received request can be resolved.",
                        name=request.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            request.state
                        ],
                    )
                )
            missing = request.line_ids.filtered(lambda line: not line.inspection)
            if missing:
                raise UserError(
                    self.env._(
                        "Return %(name)s: set the inspection outcome of %(products)s first.",
                        name=request.name,
                        products=", ".join(missing.product_id.mapped("display_name")),
                    )
                )
            if request.resolution == "refund":
                request._o2c_check_invoiced_before_refund()
            own = request._o2c_trusted()
            own._o2c_apply_inspection()
            if own.resolution == "refund":
                own._o2c_create_credit_notes()
            else:
                own._o2c_create_replacement_orders()
            own._o2c_move_to("done")
            own.date_done = fields.Datetime.now()
        return True

    def action_view_pickings(self):
        return self._o2c_open(self.picking_ids, "stock.action_picking_tree_all")

    def action_view_credit_notes(self):
        return self._o2c_open(self.credit_note_ids, "account.action_move_out_refund_type")

    def action_view_replacements(self):
        return self._o2c_open(self.replacement_order_ids, "sale.action_orders")

    def _o2c_open(self, records, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("id", "in", records.ids)]
        action["context"] = {"create": False}
        if len(records) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = records.id
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _o2c_create_return_pickings(self):
        """One return transfer per delivery the goods left with, made by Odoo's
        ``stock.return.picking`` wizard so that moves are linked to the delivered
        ones. A refund returns with ``to_refund`` (the order's delivered quantity
        goes down); a replacement does not, since the customer keeps what was
        invoiced by getting the goods again."""
        self.ensure_one()
        to_refund = self.resolution == "refund"
        taken = defaultdict(float)  # move -> quantity allocated by this request (move unit)
        plan = defaultdict(dict)  # picking -> {move: quantity in move unit}
        for line in self.line_ids:
            sale_line = line.sale_line_id
            product_unit = sale_line.product_id.uom_id
            candidates = []
            for move in self._o2c_delivered_moves(sale_line).sorted("date"):
                sent_back = sum(
                    r.product_uom._compute_quantity(
                        r.quantity if r.state == "done" else r.product_uom_qty, move.product_uom
                    )
                    for r in move.returned_move_ids
                    if r.state != "cancel"
                )
                left = move.quantity - sent_back - taken[move]
                candidates.append((move, move.product_uom._compute_quantity(left, product_unit)))
            wanted = sale_line.product_uom_id._compute_quantity(line.quantity, product_unit)
            try:
                allocation = returns.allocate(wanted, candidates)
            except ValueError as error:
                raise UserError(
                    self.env._(
                        "Return %(name)s: %(product)s of order %(order)s was not delivered "
                        "in the quantity asked back (%(qty)s).",
                        name=self.name,
                        product=sale_line.product_id.display_name,
                        order=sale_line.order_id.name,
                        qty=_qty(line.quantity),
                    )
                ) from error
            for move, quantity in allocation:
                in_move_unit = product_unit._compute_quantity(quantity, move.product_uom)
                taken[move] += in_move_unit
                plan[move.picking_id][move] = plan[move.picking_id].get(move, 0.0) + in_move_unit
        Wizard = self.env["stock.return.picking"].sudo().with_company(self.company_id)
        for picking, quantities in plan.items():
            wizard = Wizard.with_context(
                active_id=picking.id, active_model="stock.picking", active_ids=picking.ids
            ).create({"picking_id": picking.id})
            for wizard_line in wizard.product_return_moves:
                wizard_line.write(
                    {
                        "quantity": quantities.get(wizard_line.move_id, 0.0),
                        "to_refund": to_refund,
                    }
                )
            new_picking = wizard._create_return()
            trusted(new_picking).write(
                {"o2c_return_id": self.id, "origin": f"{self.name} ({picking.name})"}
            )
        self.message_post(
            body=plaintext2html(
                self.env._(
                    "Approved; return transfers: %(pickings)s",
                    pickings=", ".join(self.picking_ids.mapped("name")),
                )
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _o2c_mark_received(self):
        """Called when a return transfer is validated or cancelled: a request is
        received once all of its transfers, backorders included, are done or
        cancelled, and something came back."""
        for request in self.filtered(lambda r: r.state == "approved")._o2c_trusted():
            pickings = request.picking_ids
            if all(p.state in ("done", "cancel") for p in pickings) and any(
                p.state == "done" for p in pickings
            ):
                request._o2c_move_to("receive")
                request.date_received = fields.Datetime.now()

    def _o2c_received(self):
        """``{sale line: quantity}`` that came back through the request's done
        return transfers, in the sale line's unit."""
        received = defaultdict(float)
        for move in self.picking_ids.move_ids:
            if move.state == "done" and move.location_id.usage == "customer" and move.sale_line_id:
                sale_line = move.sale_line_id
                received[sale_line] += move.product_uom._compute_quantity(
                    move.quantity, sale_line.product_uom_id
                )
        return received

    def _o2c_received_by_line(self):
        """``{request line: quantity}``: what came back of each line, lines of the
        same sale line served in order."""
        left = self._o2c_received()
        by_line = {}
        for line in self.line_ids:
            take = min(line.quantity, left.get(line.sale_line_id, 0.0))
            by_line[line] = take
            left[line.sale_line_id] = left.get(line.sale_line_id, 0.0) - take
        return by_line

    def _o2c_check_invoiced_before_refund(self):
        """Lines invoiced on ordered quantities must be invoiced before their
        refund: otherwise no credit note is made and the later invoice bills
        the full ordered quantity, the returned units included."""
        for line in self.line_ids:
            sale_line = line.sale_line_id
            if sale_line.product_id.invoice_policy == "delivery":
                continue
            rounding = sale_line.product_uom_id.rounding
            if (
                float_compare(
                    sale_line.qty_invoiced, sale_line.product_uom_qty, precision_rounding=rounding
                )
                < 0
            ):
                raise UserError(
                    self.env._(
                        "Return %(name)s: %(product)s of order %(order)s is invoiced on ordered "
                        "quantities and not fully invoiced yet (%(invoiced)s of %(ordered)s). "
                        "Invoice the order first, then resolve the refund.",
                        name=self.name,
                        product=sale_line.product_id.display_name,
                        order=sale_line.order_id.name,
                        invoiced=_qty(sale_line.qty_invoiced),
                        ordered=_qty(sale_line.product_uom_qty),
                    )
                )

    def _o2c_return_move(self, line):
        return self.picking_ids.move_ids.filtered(
            lambda m: m.sale_line_id == line.sale_line_id and m.state == "done"
        )[:1]

    def _o2c_apply_inspection(self):
        """Restocked goods stay where the return put them; scrapped goods leave
        stock through a stock.scrap; goods for repair stay in stock, noted."""
        self.ensure_one()
        repair = []
        received = self._o2c_received_by_line()
        for line in self.line_ids:
            quantity = received[line]
            if float_is_zero(quantity, precision_rounding=line.product_uom_id.rounding):
                continue
            if line.inspection == "scrap" and not line.scrap_id:
                move = self._o2c_return_move(line)
                scrap = (
                    self.env["stock.scrap"]
                    .sudo()
                    .create(
                        {
                            "product_id": line.product_id.id,
                            "product_uom_id": line.product_uom_id.id,
                            "scrap_qty": quantity,
                            "location_id": move.location_dest_id.id,
                            "picking_id": move.picking_id.id,
                            "company_id": self.company_id.id,
                            "origin": self.name,
                        }
                    )
                )
                scrap.do_scrap()
                line.scrap_id = scrap
            elif line.inspection == "repair":
                repair.append(f"{_qty(quantity)} × {line.product_id.display_name}")
        if repair:
            self.message_post(
                body=plaintext2html(
                    self.env._("Kept aside for repair: %(lines)s", lines=", ".join(repair))
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _o2c_create_credit_notes(self):
        """A credit note per order for the returned quantities that were invoiced,
        built from the sale lines. Lines invoiced on delivered quantities are linked
        (their invoiced quantity follows the delivered one down); lines invoiced on
        ordered quantities are not, since Odoo would then invoice them again."""
        self.ensure_one()
        moves = self.env["account.move"]
        by_order = defaultdict(lambda: defaultdict(float))
        for sale_line, quantity in self._o2c_received().items():
            by_order[sale_line.order_id][sale_line] += quantity
        for order, lines in by_order.items():
            invoice_lines = []
            for sale_line, quantity in lines.items():
                refund = returns.refund_quantity(
                    quantity, sale_line.qty_invoiced, sale_line.qty_delivered
                )
                if refund > 0:
                    # In the customer's language, as Odoo's own invoicing does: otherwise
                    # the line's label gets the product's name in the user's language too.
                    values = sale_line.with_context(
                        lang=order.partner_invoice_id.lang
                    )._prepare_invoice_line(quantity=refund)
                    if sale_line.product_id.invoice_policy != "delivery":
                        # Invoiced on ordered quantities: linked to the sale line, the
                        # refund would make the order "to invoice" the same units again.
                        del values["sale_line_ids"]
                    invoice_lines.append(Command.create(values))
            if not invoice_lines:
                continue
            values = order._prepare_invoice()
            values.update(
                move_type="out_refund",
                invoice_line_ids=invoice_lines,
                invoice_origin=f"{self.name}, {order.name}",
                ref=self.name,
            )
            invoices = order.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )
            if len(invoices) == 1:
                # Like Odoo's reversal: the credit note points at what it credits.
                values["reversed_entry_id"] = invoices.id
            # Like sale's own invoicing: salesmen may issue documents they cannot edit.
            moves |= self.env["account.move"].sudo().with_company(order.company_id).create(values)
        if moves:
            self.credit_note_ids = [Command.link(m.id) for m in moves]
        else:
            self.message_post(
                body=plaintext2html(
                    self.env._(
                        "Nothing of the returned goods was invoiced: no credit note is needed, "
                        "the orders invoice less."
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )
        return moves

    def _o2c_create_replacement_orders(self):
        """A quotation per order sending the returned goods again, free of charge
        (the original order stays invoiced), to be confirmed like any order."""
        self.ensure_one()
        orders = self.env["sale.order"]
        by_order = defaultdict(lambda: defaultdict(float))
        for sale_line, quantity in self._o2c_received().items():
            if not float_is_zero(quantity, precision_rounding=sale_line.product_uom_id.rounding):
                by_order[sale_line.order_id][sale_line] += quantity
        for order, lines in by_order.items():
            orders |= orders.create(
                {
                    "partner_id": order.partner_id.id,
                    "partner_invoice_id": order.partner_invoice_id.id,
                    "partner_shipping_id": order.partner_shipping_id.id,
                    "company_id": order.company_id.id,
                    "pricelist_id": order.pricelist_id.id,
                    "warehouse_id": order.warehouse_id.id,
                    "user_id": order.user_id.id,
                    "team_id": order.team_id.id,
                    "o2c_channel_id": order.o2c_channel_id.id,
                    "o2c_payment_method_id": order.o2c_payment_method_id.id,
                    "origin": f"{self.name}, {order.name}",
                    "o2c_replaced_order_id": order.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": sale_line.product_id.id,
                                "product_uom_id": sale_line.product_uom_id.id,
                                "product_uom_qty": quantity,
                                "price_unit": sale_line.price_unit,
                                "discount": 100.0,
                                "tax_ids": [Command.set(sale_line.tax_ids.ids)],
                            }
                        )
                        for sale_line, quantity in lines.items()
                    ],
                }
            )
        self.replacement_order_ids = [Command.link(o.id) for o in orders]
        return orders
