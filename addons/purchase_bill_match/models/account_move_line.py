from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import matching
from .account_move import TRUSTED


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    bill_match_state = fields.Selection(
        [
            (matching.LINE_MATCHED, "Matched"),
            (matching.LINE_WITHIN_TOLERANCE, "Within tolerance"),
            (matching.LINE_EXCEPTION, "Exception"),
        ],
        string="Match",
        copy=False,
        readonly=True,
    )
    bill_match_reasons = fields.Char(string="Match reasons", copy=False, readonly=True)
    bill_match_price_variance = fields.Float(
        string="Price variance",
        copy=False,
        readonly=True,
        help="Bill unit price minus order unit price (bill currency, order unit).",
    )
    bill_match_qty_variance = fields.Float(
        string="Quantity variance",
        copy=False,
        readonly=True,
        help="Quantity billed above what was received and not yet billed.",
    )
    bill_match_po_price_unit = fields.Float(string="Order price used", copy=False, readonly=True)
    bill_match_qty_received = fields.Float(
        string="Received quantity used", copy=False, readonly=True
    )
    bill_match_qty_billed_before = fields.Float(string="Billed before", copy=False, readonly=True)

    # The match results on lines are written by the match only (like the bill's own).

    def _bill_match_refuse_manual(self, vals_list):
        if self.env.context.get("bill_match_write") is TRUSTED:
            return
        protected = {name for name in self._fields if name.startswith("bill_match_")}
        touched = sorted({f for vals in vals_list for f in vals} & protected)
        if touched:
            raise UserError(
                self.env._(
                    "The three-way match sets %(fields)s itself: match the bill again.",
                    fields=", ".join(touched),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._bill_match_refuse_manual(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._bill_match_refuse_manual([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _bill_match_po_line(self):
        """The purchase order line this line bills, when it is an order of the bill's
        vendor in the bill's company; else none (a line linked to another vendor's or
        company's order is matched as having no order, and reads nothing of it)."""
        self.ensure_one()
        po_line = self.purchase_line_id
        move = self.move_id
        if po_line and (
            po_line.company_id != move.company_id
            or po_line.order_id.partner_id.commercial_partner_id != move.commercial_partner_id
        ):
            return po_line.browse()
        return po_line

    def _bill_match_uom_convertible(self):
        self.ensure_one()
        bill_uom = self.product_uom_id
        po_uom = self.purchase_line_id.product_uom_id
        if not bill_uom or not po_uom or bill_uom == po_uom:
            return True
        return bill_uom._has_common_reference(po_uom)

    def _bill_match_qty_in_po_uom(self):
        self.ensure_one()
        po_uom = self.purchase_line_id.product_uom_id
        if not self.product_uom_id or not po_uom or not self._bill_match_uom_convertible():
            return self.quantity
        return self.product_uom_id._compute_quantity(
            self.quantity, po_uom, rounding_method="HALF-UP"
        )

    def _bill_match_input(self, qty_on_bill, billed_before):
        """Plain values for :func:`matching.evaluate_line`."""
        self.ensure_one()
        po_line = self._bill_match_po_line()
        if not po_line:
            return matching.LineInput(has_po=False)
        if not self._bill_match_uom_convertible():
            return matching.LineInput(has_po=True, uom_convertible=False, same_uom=False)
        move = self.move_id
        bill_price = self.price_unit * (1 - (self.discount or 0.0) / 100.0)
        if self.product_uom_id and self.product_uom_id != po_line.product_uom_id:
            bill_price = self.product_uom_id._compute_price(bill_price, po_line.product_uom_id)
        po_price = po_line.price_unit * (1 - (po_line.discount or 0.0) / 100.0)
        date = move.invoice_date or fields.Date.context_today(self)
        if po_line.currency_id and po_line.currency_id != move.currency_id:
            po_price = po_line.currency_id._convert(
                po_price, move.currency_id, move.company_id, date, round=False
            )
        return matching.LineInput(
            has_po=True,
            bill_qty=qty_on_bill,
            bill_price_unit=bill_price,
            po_price_unit=po_price,
            received_qty=po_line.qty_received,
            ordered_qty=po_line.product_qty,
            billed_before=billed_before,
            needs_receipt=po_line.product_id.type == "consu",
            same_uom=self.product_uom_id == po_line.product_uom_id,
        )

    def _bill_match_tolerance(self):
        """Effective tolerance: vendor > product category > company; the
        absolute price tolerance converted into the bill's currency."""
        self.ensure_one()
        move = self.move_id
        company = move.company_id
        vendor = move.commercial_partner_id.with_company(company)
        category = self.product_id.categ_id.with_company(company)
        tolerance = matching.resolve_tolerance(
            company._bill_match_tolerance(),
            category._bill_match_tolerance() if category else None,
            vendor._bill_match_tolerance() if vendor else None,
        )
        if tolerance.price_amount and move.currency_id != company.currency_id:
            amount = company.currency_id._convert(
                tolerance.price_amount,
                move.currency_id,
                company,
                move.invoice_date or fields.Date.context_today(self),
                round=False,
            )
            tolerance = matching.Tolerance(
                tolerance.price_percent, amount, tolerance.qty_percent, tolerance.qty_amount
            )
        return tolerance

    def _bill_match_evaluate_line(self, qty_on_bill, billed_before):
        self.ensure_one()
        values = self._bill_match_input(qty_on_bill, billed_before)
        return matching.evaluate_line(values, self._bill_match_tolerance())

    def _bill_match_result_vals(self, result, billed_before):
        self.ensure_one()
        labels = self.env["account.move"]._bill_match_reason_labels()
        po_line = self._bill_match_po_line()
        return {
            "bill_match_state": result.state,
            "bill_match_reasons": ", ".join(labels.get(r, r) for r in result.reasons),
            "bill_match_price_variance": result.price_variance,
            "bill_match_qty_variance": result.qty_variance,
            "bill_match_po_price_unit": po_line.price_unit if po_line else 0.0,
            "bill_match_qty_received": po_line.qty_received if po_line else 0.0,
            "bill_match_qty_billed_before": billed_before if po_line else 0.0,
        }

    def _bill_match_write_results(self, vals_by_line):
        """Store match results of posted lines.

        Goes straight to the ORM's base write: account.move.line.write
        re-balances and re-synchronises the whole move on every call (most of
        the matching time on a batch of bills), and none of its checks
        concerns these informative fields (not hashed, not lock-date
        protected, no accounting effect). Lines with equal values are
        written together.
        """
        groups = defaultdict(list)
        for line, vals in vals_by_line.items():
            groups[tuple(sorted(vals.items()))].append(line.id)
        for items, ids in groups.items():
            models.Model.write(self.browse(ids), dict(items))

    # ------------------------------------------------------------------
    # Payment hold
    # ------------------------------------------------------------------

    def action_register_payment(self, ctx=None):
        self.move_id._bill_match_check_payable()
        return super().action_register_payment(ctx=ctx)

    def _reconcile_plan_with_sync(self, plan_list, all_amls):
        # Single point every reconciliation goes through (payment wizard,
        # payments, bank statement lines, manual matching): a held bill may
        # only be reconciled with its own credit notes / reversals. A plan run inside a
        # checked one (the exchange difference or cash basis entries Odoo posts and
        # reconciles with the bill while reconciling it) carries the marker.
        if self.env.context.get("bill_match_reconcile") is TRUSTED:
            return super()._reconcile_plan_with_sync(plan_list, all_amls)
        for plan in plan_list:
            plan["amls"].move_id._bill_match_check_reconcile()
        trusted = self.with_context(bill_match_reconcile=TRUSTED)
        return super(AccountMoveLine, trusted)._reconcile_plan_with_sync(plan_list, all_amls)
