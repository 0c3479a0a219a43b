import itertools
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import matching

BILL_MATCH_STATES = [
    (matching.BILL_READY, "Ready to pay"),
    (matching.BILL_HOLD, "On hold"),
    (matching.BILL_EXCEPTION, "Exception"),
    (matching.BILL_APPROVED, "Approved"),
]


# Open order lines read per page when linking bill lines to orders.
LINK_PAGE = 20
# Context value only this module's code can set (a Python object: RPC cannot send it):
# match results and approvals are written by the match itself, never by hand.
TRUSTED = object()
# Database sequence numbering bills in the order they are first matched.
RANK_SEQUENCE = "purchase_bill_match_rank_seq"
# What the match applies to: vendor bills and purchase receipts (both pay a vendor).
BILL_TYPES = ("in_invoice", "in_receipt")


class _OpenQuantities:
    """Quantities of order lines not yet billed (ordered, and received for products
    billed on receipt), read once and lowered as bill lines are linked to them."""

    def __init__(self):
        self._ordered = {}
        self._received = {}

    @staticmethod
    def qty_in(line, po_line):
        """The bill line's quantity in the order line's unit."""
        if not line.product_uom_id or not po_line.product_uom_id:
            return line.quantity
        return line.product_uom_id._compute_quantity(
            line.quantity, po_line.product_uom_id, raise_if_failure=False
        )

    def ordered(self, po_line):
        if po_line not in self._ordered:
            self._ordered[po_line] = po_line.product_qty - po_line.qty_invoiced
        return self._ordered[po_line]

    def received(self, po_line):
        if po_line not in self._received:
            basis = (
                po_line.qty_received
                if po_line.product_id.purchase_method == "receive"
                else po_line.product_qty
            )
            self._received[po_line] = basis - po_line.qty_invoiced
        return self._received[po_line]

    def choose(self, line, candidates):
        """The first candidate whose received quantity covers ``line``, else the first
        whose ordered quantity does, else None."""
        fallback = None
        for po_line in candidates:
            qty = self.qty_in(line, po_line)
            if matching.covers(self.received(po_line), qty):
                return po_line
            if fallback is None and matching.covers(self.ordered(po_line), qty):
                fallback = po_line
        return fallback

    def take(self, line, po_line):
        qty = self.qty_in(line, po_line)
        self._ordered[po_line] = self.ordered(po_line) - qty
        self._received[po_line] = self.received(po_line) - qty


class AccountMove(models.Model):
    _inherit = "account.move"

    bill_match_enabled = fields.Boolean(related="company_id.bill_match_enabled")
    bill_match_state = fields.Selection(
        BILL_MATCH_STATES,
        string="Match status",
        copy=False,
        readonly=True,
        index="btree_not_null",
        tracking=True,
        help="Three-way match of the bill against purchase orders and receipts. "
        "Bills on hold or in exception cannot be paid.",
    )
    bill_match_issue_ids = fields.One2many(
        "purchase.bill.match.issue", "move_id", string="Match issues", readonly=True
    )
    bill_match_open_issue_ids = fields.One2many(
        "purchase.bill.match.issue",
        "move_id",
        string="Open match issues",
        domain=[("is_open", "=", True)],
        readonly=True,
    )
    bill_match_reasons = fields.Char(string="Match reasons", copy=False, readonly=True)
    bill_match_owner_id = fields.Many2one(
        "res.users",
        string="Match owner",
        copy=False,
        readonly=True,
        tracking=True,
        help="Who resolves the match problem: the buyer of the purchase order, "
        "or the receiver when the problem is the received quantity.",
    )
    bill_match_first_pass = fields.Boolean(string="Matched first time", copy=False, readonly=True)
    bill_match_date_evaluated = fields.Datetime(string="Last matched", copy=False, readonly=True)
    bill_match_rank = fields.Integer(
        string="Match order",
        copy=False,
        readonly=True,
        help="Order in which bills were matched for the first time: of two bills of the "
        "same order line, the one matched first keeps the quantity.",
    )
    bill_match_date_exception = fields.Datetime(string="Held since", copy=False, readonly=True)
    bill_match_date_resolved = fields.Datetime(string="Match resolved", copy=False, readonly=True)
    bill_match_hours_to_resolve = fields.Float(
        string="Hours to resolve",
        compute="_compute_bill_match_hours_to_resolve",
        store=True,
        aggregator="avg",
    )
    bill_match_age_days = fields.Integer(string="Days held", compute="_compute_bill_match_age_days")
    bill_match_approved_by_id = fields.Many2one(
        "res.users", string="Approved by", copy=False, readonly=True
    )
    bill_match_approval_reason = fields.Text(string="Approval reason", copy=False, readonly=True)

    @api.depends("bill_match_date_exception", "bill_match_date_resolved")
    def _compute_bill_match_hours_to_resolve(self):
        for move in self:
            start = move.bill_match_date_exception
            end = move.bill_match_date_resolved
            move.bill_match_hours_to_resolve = (
                (end - start).total_seconds() / 3600.0 if start and end else 0.0
            )

    def _compute_bill_match_age_days(self):
        now = fields.Datetime.now()
        for move in self:
            held = move.bill_match_state in matching.BLOCKING_STATES
            start = move.bill_match_date_exception
            move.bill_match_age_days = (now - start).days if held and start else 0

    # ------------------------------------------------------------------
    # CRUD / Odoo flow
    # ------------------------------------------------------------------

    @api.model
    def _bill_match_protected_fields(self):
        return {
            name
            for name in self._fields
            if name.startswith("bill_match_") and name != "bill_match_enabled"
        }

    def _bill_match_trusted(self):
        return self.with_context(bill_match_write=TRUSTED)

    def _bill_match_refuse_manual(self, vals_list):
        if self.env.context.get("bill_match_write") is TRUSTED:
            return
        touched = sorted(
            {f for vals in vals_list for f in vals} & self._bill_match_protected_fields()
        )
        if touched:
            raise UserError(
                self.env._(
                    "The three-way match sets %(fields)s itself: match the bill again or "
                    "have an AP manager approve it.",
                    fields=", ".join(touched),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._bill_match_refuse_manual(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._bill_match_refuse_manual([vals])
        result = super().write(vals)
        if "matched_payment_ids" in vals:
            # The bill side of the payment link: a payment in process marks the bill paid.
            self.filtered(
                lambda m: m.matched_payment_ids.filtered(
                    lambda p: p.state in ("in_process", "paid")
                )
            )._bill_match_check_payable()
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._bill_match_evaluate()
        return posted

    def button_draft(self):
        res = super().button_draft()
        # Reset to draft, the bill is matched again when posted. Not when the company
        # turned the match off: posting would not match it again, and a held bill must
        # not come back payable through a reset (it keeps its state until approved).
        self.filtered(
            lambda m: m.bill_match_state and m.company_id.bill_match_enabled
        )._bill_match_trusted().write(
            {
                "bill_match_state": False,
                "bill_match_approved_by_id": False,
                "bill_match_approval_reason": False,
            }
        )
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_bill_match_evaluate(self):
        """Match again (button): re-evaluate the selected posted bills."""
        bills = self._bill_match_bills()
        if not bills:
            raise UserError(
                self.env._(
                    "Three-way match applies to posted vendor bills of companies "
                    "with the match enabled (Purchase settings)."
                )
            )
        bills._bill_match_evaluate(manual=True)
        return True

    def action_bill_match_approve(self):
        """Open the approval wizard (AP managers only)."""
        self._bill_match_check_approver()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve bill exception"),
            "res_model": "purchase.bill.match.approve",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "account.move", "active_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _bill_match_reason_labels(self):
        return {
            matching.NO_PO: self.env._("No purchase order"),
            matching.PRICE_OVER_TOLERANCE: self.env._("Price over tolerance"),
            matching.QTY_OVER_RECEIVED: self.env._("Quantity over received"),
            matching.ALREADY_BILLED: self.env._("Already billed"),
            matching.UOM_MISMATCH: self.env._("Unit of measure mismatch"),
        }

    def _bill_match_bills(self):
        return self.filtered(
            lambda m: (
                m.move_type in BILL_TYPES
                and m.state == "posted"
                and m.company_id.bill_match_enabled
            )
        )

    def _bill_match_extra_holds(self):
        """Hook: extra reasons that put this bill on hold.

        Other modules (e.g. the e-invoice intake bridge) extend it and
        return a list of ``(reason_code, message)``; any entry puts an
        otherwise matching bill on hold until the reason disappears on a
        later evaluation or the AP manager approves the bill. Called once
        per bill during matching, in sudo (matching reads orders and
        receipts the posting user may not see); codes should not collide
        with the line reason codes of ``tools/matching.py``.
        """
        self.ensure_one()
        return []

    @api.private
    def _bill_match_evaluate(self, manual=False):
        """Match the posted vendor bills in ``self`` and store the results.

        Approved bills keep their approval unless they now match cleanly.
        Does nothing for companies with the match disabled.
        """
        # sudo: the AP user posting a bill reads orders and receipts it may
        # have no rights on; the domains below keep each bill's company.
        bills = self._bill_match_bills().sudo()
        if not bills:
            return
        bills._bill_match_link_po_lines()
        lines = bills.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")
        bills._bill_match_assign_rank()
        billed_before = bills._bill_match_billed_before(lines)
        now = fields.Datetime.now()
        labels = self._bill_match_reason_labels()
        state_vals = {}
        lines_by_bill = defaultdict(lambda: self.env["account.move.line"])
        for line in lines:
            lines_by_bill[line.move_id] |= line
        for bill in bills:
            bill_lines = lines_by_bill[bill]
            qty_on_bill = defaultdict(float)
            for line in bill_lines.filtered(lambda ln: ln._bill_match_po_line()):
                qty_on_bill[line.purchase_line_id] += line._bill_match_qty_in_po_uom()
            line_reasons = []
            found = {}
            results = {}
            for line in bill_lines:
                before = billed_before.get((bill.id, line.purchase_line_id.id), 0.0)
                result = line._bill_match_evaluate_line(qty_on_bill[line.purchase_line_id], before)
                results[line] = line._bill_match_result_vals(result, before)
                line_reasons.append(result.reasons)
                for code in result.reasons:
                    found[line.id, code] = labels.get(code, code)
            bill_lines._bill_match_write_results(results)
            extra = bill._bill_match_extra_holds()
            for code, message in extra:
                found[0, code] = message
            state = matching.evaluate_bill(line_reasons, [code for code, __ in extra])
            bill._bill_match_sync_issues(found, now)
            state_vals[bill] = bill._bill_match_state_vals(state, found, now)
        bills._bill_match_write_states(state_vals, manual)

    def _bill_match_state_vals(self, state, found, now):
        """Values to write on this bill for a new match ``state``."""
        self.ensure_one()
        vals = {
            "bill_match_date_evaluated": now,
            "bill_match_reasons": ", ".join(sorted(set(found.values()))),
        }
        if not self.bill_match_date_evaluated:
            vals["bill_match_first_pass"] = state == matching.BILL_READY
        if self.bill_match_state == matching.BILL_APPROVED and state != matching.BILL_READY:
            return vals
        vals["bill_match_state"] = state
        if state in matching.BLOCKING_STATES:
            if not self.bill_match_date_exception or self.bill_match_date_resolved:
                vals["bill_match_date_exception"] = now
                vals["bill_match_date_resolved"] = False
            codes = {code for __, code in found}
            vals["bill_match_owner_id"] = self._bill_match_owner(matching.route_owner(codes)).id
        else:
            vals["bill_match_owner_id"] = False
            if self.bill_match_date_exception and not self.bill_match_date_resolved:
                vals["bill_match_date_resolved"] = now
        return vals

    def _bill_match_write_states(self, vals_by_bill, manual):
        """Write the new states (bills with equal values together: most bills
        of a batch are simply ready) and route or release held bills."""
        before = {
            bill: (bill.bill_match_state in matching.BLOCKING_STATES, bill.bill_match_owner_id)
            for bill in vals_by_bill
        }
        groups = defaultdict(list)
        for bill, vals in vals_by_bill.items():
            groups[tuple(sorted(vals.items()))].append(bill.id)
        for items, ids in groups.items():
            self.browse(ids)._bill_match_trusted().write(dict(items))
        for bill, (was_held, old_owner) in before.items():
            if bill.bill_match_state in matching.BLOCKING_STATES:
                bill._bill_match_route(old_owner if was_held else None)
            elif was_held:
                bill._bill_match_close_activities()
                if not manual:
                    bill.message_post(body=self.env._("Three-way match: the bill now matches."))

    def _bill_match_route(self, old_owner):
        """One activity for the owner of a held bill (moved when the owner
        changes)."""
        self.ensure_one()
        owner = self.bill_match_owner_id
        if old_owner is not None and old_owner == owner:
            return
        self.activity_unlink(["purchase_bill_match.mail_activity_bill_match"])
        if owner:
            self.activity_schedule(
                "purchase_bill_match.mail_activity_bill_match",
                user_id=owner.id,
                note=self.bill_match_reasons,
            )

    def _bill_match_close_activities(self):
        self.activity_feedback(["purchase_bill_match.mail_activity_bill_match"])

    def _bill_match_sync_issues(self, found, now):
        """Open new issues, resolve the ones that disappeared."""
        self.ensure_one()
        open_issues = self.bill_match_issue_ids.filtered("is_open")
        kept = self.env["purchase.bill.match.issue"]
        for issue in open_issues:
            key = (issue.move_line_id.id or 0, issue.reason_code)
            if key in found:
                kept |= issue
        (open_issues - kept).write({"date_resolved": now})
        existing = {(i.move_line_id.id or 0, i.reason_code) for i in kept}
        self.env["purchase.bill.match.issue"].create(
            [
                {
                    "move_id": self.id,
                    "move_line_id": line_id or False,
                    "reason_code": code,
                    "message": message,
                    "date_open": now,
                }
                for (line_id, code), message in found.items()
                if (line_id, code) not in existing
            ]
        )

    def _bill_match_owner(self, role):
        """Buyer of the first purchase order, or for ``receiver`` the
        responsible of its open (else last done) receipt."""
        self.ensure_one()
        orders = self.invoice_line_ids.filtered(
            lambda ln: ln._bill_match_po_line()
        ).purchase_line_id.order_id
        if role == "receiver":
            pickings = orders.picking_ids.filtered(
                lambda p: p.picking_type_code == "incoming" and p.state != "cancel"
            )
            open_pickings = pickings.filtered(lambda p: p.state != "done")
            for picking in open_pickings or pickings.sorted("date_done", reverse=True):
                if picking.user_id:
                    return picking.user_id
        return orders.user_id[:1]

    def _bill_match_link_po_lines(self):
        """Link product lines without a purchase order line to an open order line of the
        same vendor, product and company (bills created by intake know the vendor and
        products, not the order).

        The only open line is taken whatever its quantity. Among several, the oldest
        whose received quantity not yet billed covers the bill line (first in, first
        out), else the oldest whose ordered quantity does (the match then holds the bill
        until the goods arrive): a supplier billing many orders of the same product gets
        each bill linked to the next order. When none covers it, the line stays unlinked
        (``no_po``) for a person to choose.
        """
        lines = self.invoice_line_ids.filtered(
            lambda ln: ln.display_type == "product" and ln.product_id and not ln.purchase_line_id
        )
        open_qty = _OpenQuantities()  # lowered as this batch's lines take quantities
        for line in lines:
            key = (line.move_id.commercial_partner_id.id, line.product_id.id, line.company_id.id)
            found = self._bill_match_open_po_lines(key, open_qty)
            first = next(found, None)
            second = next(found, None) if first else None
            if first and not second:
                chosen = first
            else:
                candidates = itertools.chain(filter(None, (first, second)), found)
                chosen = open_qty.choose(line, candidates)
            if chosen:
                # purchase_line_id is not tracked: skip the tracking pass, which reads
                # the description of every field of the line on each write.
                line.with_context(tracking_disable=True).purchase_line_id = chosen
                open_qty.take(line, chosen)

    def _bill_match_open_po_lines(self, key, open_qty):
        """Open order lines of ``key`` (vendor, product, company), oldest first, read a
        page at a time: the first pages hold what the next bills take."""
        partner_id, product_id, company_id = key
        domain = [
            ("product_id", "=", product_id),
            ("order_id.partner_id", "child_of", partner_id),
            ("company_id", "=", company_id),
            ("order_id.state", "=", "purchase"),
            ("order_id.invoice_status", "!=", "invoiced"),
            ("display_type", "=", False),
        ]
        offset = 0
        while True:
            page = self.env["purchase.order.line"].search(
                domain, order="date_order, id", limit=LINK_PAGE, offset=offset
            )
            for po_line in page:
                if open_qty.ordered(po_line) > matching.EPSILON:
                    yield po_line
            if len(page) < LINK_PAGE:
                return
            offset += LINK_PAGE

    def _bill_match_assign_rank(self):
        """Number the bills matched for the first time, in id order, from a database
        sequence (concurrent transactions never share a number)."""
        new = self.filtered(lambda m: not m.bill_match_rank).sorted("id")
        if not new:
            return
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                RANK_SEQUENCE,
                len(new),
            )
        )
        ranks = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute(
            SQL(
                "UPDATE account_move m SET bill_match_rank = v.rank "
                "FROM (VALUES %s) AS v(id, rank) WHERE m.id = v.id",
                SQL(", ").join(
                    SQL("(%s, %s)", move.id, rank) for move, rank in zip(new, ranks, strict=True)
                ),
            )
        )
        new.invalidate_recordset(["bill_match_rank"])

    def init(self):
        result = super().init()
        self.env.cr.execute(SQL("CREATE SEQUENCE IF NOT EXISTS %s", SQL.identifier(RANK_SEQUENCE)))
        return result

    def _bill_match_billed_before(self, bill_lines):
        """Quantity (order line unit) billed on the order lines of
        ``bill_lines`` by posted bills and credit notes that come before the
        bill of each line.

        A bill counts for another when it was matched first (``bill_match_rank``, the
        posting order: a bill created earlier but posted later does not take the
        quantity back), then by id;
        a credit note counts when the bill it reverses counts, or by its own id when it
        reverses none. Returns ``{(bill_id, po_line_id): qty}``.
        """
        po_lines = bill_lines.purchase_line_id
        if not po_lines:
            return {}
        others = self.env["account.move.line"].search(
            [
                ("purchase_line_id", "in", po_lines.ids),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "in", (*BILL_TYPES, "in_refund")),
                ("display_type", "=", "product"),
            ]
        )

        def rank(move):
            bill = move.reversed_entry_id or move
            # Bills matched before ranks existed (or while the match was off) came first.
            return (bill.bill_match_rank or 0, bill.id)

        by_po_line = defaultdict(list)
        for line in others:
            if not line._bill_match_po_line():
                continue  # a bill of another vendor or company does not bill this order
            move = line.move_id
            sign = -1 if move.move_type == "in_refund" else 1
            qty = sign * line._bill_match_qty_in_po_uom()
            by_po_line[line.purchase_line_id.id].append((move.id, rank(move), qty))
        result = {}
        for line in bill_lines.filtered("purchase_line_id"):
            key = (line.move_id.id, line.purchase_line_id.id)
            if key in result:
                continue
            own = rank(line.move_id)
            result[key] = sum(
                qty
                for move_id, other, qty in by_po_line[line.purchase_line_id.id]
                if move_id != line.move_id.id and other < own
            )
        return result

    # ------------------------------------------------------------------
    # Payment hold
    # ------------------------------------------------------------------

    def _bill_match_blocked(self):
        """Bills in ``self`` that must not be paid now."""
        # Turning the match off does not release bills already held: each needs a match
        # or an approval with a reason, like before. A draft bill of a company matching
        # its bills is not matched yet: paying it (Odoo allows a payment on a draft)
        # would mark it paid the moment it is posted, whatever the match then finds.
        return self.filtered(
            lambda m: (
                m.bill_match_state in matching.BLOCKING_STATES
                or (
                    m.move_type in BILL_TYPES
                    and m.state == "draft"
                    and m.company_id.bill_match_enabled
                )
            )
        )

    def _bill_match_check_payable(self):
        """UserError naming every bill of ``self`` whose payment is held."""
        blocked = self.sudo()._bill_match_blocked()
        if not blocked:
            return
        states = dict(self._fields["bill_match_state"]._description_selection(self.env))
        states[False] = self.env._("not matched yet, post the bill first")
        details = "\n".join(
            self.env._(
                "- %(bill)s: %(state)s (%(reasons)s)",
                bill=bill.display_name,
                state=states[bill.bill_match_state],
                reasons=bill.bill_match_reasons or "-",
            )
            for bill in blocked
        )
        raise UserError(
            self.env._(
                "Payment blocked by the three-way match until the bill matches or "
                "an AP manager approves it:\n%(details)s",
                details=details,
            )
        )

    def _bill_match_check_reconcile(self):
        """Refuse a reconciliation of held bills with anything but their own
        credit notes or reversals (``self``: every move being reconciled)."""
        moves = self.sudo()
        held = moves._bill_match_blocked()
        if not held:
            return
        others = moves - held
        reversals = others.filtered(
            lambda m: (
                m.move_type == "in_refund"
                and m.reversed_entry_id in held
                and not m._bill_match_moves_cash()
            )
        )
        if others - reversals:
            held._bill_match_check_payable()

    def _bill_match_moves_cash(self):
        """Whether this entry books anything on a bank, cash, credit card or outstanding
        payment account: such a "credit note" would pay the bill it reverses."""
        self.ensure_one()
        journals = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("type", "in", ("bank", "cash", "credit")),
                ]
            )
        )
        money = (
            journals.default_account_id
            | journals.suspense_account_id
            | journals.inbound_payment_method_line_ids.payment_account_id
            | journals.outbound_payment_method_line_ids.payment_account_id
        )
        return any(
            line.account_id.account_type in ("asset_cash", "liability_credit_card")
            or line.account_id in money
            for line in self.line_ids
        )

    def _bill_match_check_approver(self):
        if not self.env.user.has_group("purchase_bill_match.group_bill_match_approver"):
            raise AccessError(
                self.env._(
                    "Only users of the group 'Approve bill exceptions' can approve "
                    "bills held by the three-way match."
                )
            )

    def _bill_match_approve(self, reason):
        """Release held bills; the reason is tracked in the chatter."""
        self._bill_match_check_approver()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give a reason to approve the bill exception."))
        bills = self.filtered(lambda m: m.bill_match_state in matching.BLOCKING_STATES)
        not_held = self - bills
        if not_held:
            raise UserError(
                self.env._(
                    "Only bills on hold or in exception can be approved: %(bills)s",
                    bills=", ".join(not_held.mapped("display_name")),
                )
            )
        now = fields.Datetime.now()
        for bill in bills:
            bill._bill_match_trusted().write(
                {
                    "bill_match_state": matching.BILL_APPROVED,
                    "bill_match_approved_by_id": self.env.user.id,
                    "bill_match_approval_reason": reason,
                    "bill_match_date_resolved": now,
                }
            )
            bill._bill_match_close_activities()
            bill.message_post(
                body=self.env._(
                    "Three-way match exception approved by %(user)s (%(reasons)s). "
                    "Reason: %(reason)s",
                    user=self.env.user.name,
                    reasons=bill.bill_match_reasons or "-",
                    reason=reason,
                )
            )

    @api.model
    def _bill_match_reevaluate_po_lines(self, po_lines, returned=None):
        """Re-evaluate held bills billing ``po_lines`` (after a receipt), and the unpaid
        ready ones billing ``returned`` order lines (goods sent back to the vendor lower
        the received quantity a bill was matched against)."""
        companies = po_lines.company_id.filtered("bill_match_enabled")
        if not companies:
            return
        states = Domain("bill_match_state", "in", list(matching.BLOCKING_STATES))
        if returned:
            states |= (
                Domain("bill_match_state", "=", matching.BILL_READY)
                & Domain("payment_state", "in", ("not_paid", "partial"))
                & Domain("invoice_line_ids.purchase_line_id", "in", returned.ids)
            )
        bills = self.search(
            Domain("move_type", "in", BILL_TYPES)
            & Domain("state", "=", "posted")
            & Domain("company_id", "in", companies.ids)
            & states
            & Domain("invoice_line_ids.purchase_line_id", "in", po_lines.ids)
        )
        bills._bill_match_evaluate()
