from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..pipeline import checks as rules

RULE_SELECTION = [
    (rules.CUSTOMER_DATA, "Customer data complete"),
    (rules.TAX_ID, "Tax ID present and valid"),
    (rules.PAYMENT_METHOD, "Payment method allowed for the channel"),
    (rules.CREDIT, "Credit exposure within limit"),
    (rules.STOCK, "Stock available"),
    (rules.DUPLICATE, "Duplicate suspicion"),
    (rules.MARGIN, "Minimum margin / price below cost"),
]


class O2cCheck(models.Model):
    """One configurable verification rule (stage 2).

    The rule logic is in ``pipeline/checks.py``; this model reads the order,
    calls the rule with plain values and words the outcome.
    """

    _name = "o2c.check"
    _description = "Order Verification Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    rule = fields.Selection(RULE_SELECTION, required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    severity = fields.Selection(
        [("block", "Blocking"), ("warn", "Warning")],
        required=True,
        default="block",
        tracking=True,
        help="A failed blocking rule puts the order on hold; a warning is only shown.",
    )
    channel_ids = fields.Many2many(
        "o2c.channel",
        string="Channels",
        tracking=True,
        help="Leave empty to apply the rule to the orders of every channel, and to orders "
        "without a channel when the company verifies manual orders (Sales settings).",
    )
    company_id = fields.Many2one("res.company", index=True)
    min_margin = fields.Float(
        string="Minimum Margin (%)",
        tracking=True,
        help="For the margin rule: orders below this margin fail. "
        "Lines sold below cost always fail.",
    )

    @api.constrains("company_id", "channel_ids")
    def _check_channel_company(self):
        # A rule of one company cannot watch another company's channels; a rule shared by
        # all companies (no company) may be scoped to channels of any of them.
        for check in self.filtered("company_id"):
            foreign = check.channel_ids.filtered(
                lambda c, company=check.company_id: c.company_id not in (company, c.browse())
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s belongs to %(company)s and cannot apply to the channels "
                        "of another company: %(channels)s.",
                        rule=check.name,
                        company=check.company_id.name,
                        channels=", ".join(foreign.mapped("display_name")),
                    )
                )

    @api.model
    def _applicable(self, order):
        """Active rules for this order's company and channel, by sequence.

        Orders without a channel (typed in the backend) are verified only when their
        company opts in: installing the addon must not hold a company's usual orders.
        """
        if not order.o2c_channel_id and not order.company_id.o2c_verify_manual_orders:
            return self.browse()
        return self.search(
            [
                ("company_id", "in", [order.company_id.id, False]),
                "|",
                ("channel_ids", "=", False),
                ("channel_ids", "in", order.o2c_channel_id.ids),
            ]
        )

    def _evaluate(self, order, run_cache=None):
        """Run this rule on ``order`` and return the pure core's Outcome.

        ``run_cache`` is shared by the orders of one run of the rules, for values that
        do not change during the run (a customer's receivable, for instance).
        """
        self.ensure_one()
        method = getattr(self, f"_evaluate_{self.rule}")
        if self.rule in ("credit", "duplicate"):
            return method(order, {} if run_cache is None else run_cache)
        return method(order)

    def _evaluate_customer_data(self, order):
        partner = order.partner_shipping_id or order.partner_id
        customer = order.partner_id
        country = partner.country_id
        province = partner.state_id if country.state_ids else True
        return rules.check_customer_data(
            name=customer.name,
            phone=partner.phone or customer.phone,
            street=partner.street,
            province=province,
            ward=partner.city,
            country_code=country.code,
        )

    def _evaluate_tax_id(self, order):
        partner = order.partner_id.commercial_partner_id
        valid = None
        if partner.vat:
            if partner.country_id.code in ("VN", False) or (partner.vat or "").upper().startswith(
                "VN"
            ):
                valid = rules.is_valid_vn_tax_id(partner.vat)
            elif hasattr(partner, "_run_vat_test"):
                valid = bool(
                    partner._run_vat_test(partner.vat, partner.country_id, partner.is_company)
                )
        return rules.check_tax_id(partner.is_company, partner.vat, partner.country_id.code, valid)

    def _evaluate_payment_method(self, order):
        channel = order.o2c_channel_id
        allowed = set(channel.payment_method_ids.mapped("code"))
        if not allowed:
            return rules.Outcome(True, "ok", {})
        return rules.check_payment_method(order.o2c_payment_method_id.code, allowed)

    def _evaluate_credit(self, order, run_cache):
        partner = order.partner_id.commercial_partner_id.with_company(order.company_id).sudo()
        key = ("credit", partner.id, order.company_id.id)
        if key not in run_cache:
            run_cache[key] = (partner.credit, self._uninvoiced_amount(partner, order.company_id))
        receivable, to_invoice = run_cache[key]
        amount = order.amount_total / (order.currency_rate or 1.0)
        if order.state == "sale":
            amount = 0.0  # already counted among the confirmed orders
        return rules.check_credit(
            receivable=receivable,
            to_invoice=to_invoice,
            order_amount=amount,
            limit=partner.credit_limit,
            trust=partner.trust or "normal",
        )

    def _uninvoiced_amount(self, partner, company):
        """Confirmed orders not yet invoiced, in company currency. Sale's own
        ``credit_to_invoice`` is only filled when the company enables credit
        limits, while this rule is configured on its own."""
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("partner_invoice_id", "child_of", partner.id),
                    ("state", "=", "sale"),
                    ("invoice_status", "=", "to invoice"),
                ]
            )
        )
        today = fields.Date.context_today(self)
        return sum(
            o.currency_id._convert(o.amount_to_invoice, company.currency_id, company, today)
            for o in orders
        )

    def _evaluate_stock(self, order):
        lines = order.order_line.filtered(
            lambda line: line.product_id.is_storable and not line.display_type
        )
        if order.state == "sale":
            return rules.Outcome(True, "ok", {})
        return rules.check_stock(
            {
                "product": line.product_id.display_name,
                "needed": line.product_uom_qty,
                "free": line.free_qty_today,
            }
            for line in lines
        )

    def _evaluate_duplicate(self, order, run_cache):
        # Candidates share the stored, indexed signature of (product, quantity) lines,
        # looked up once for all the orders of the run.
        if "duplicates" not in run_cache:
            run_cache["duplicates"] = order._o2c_duplicate_candidates()
        day = fields.Datetime.to_datetime(order.date_order or fields.Datetime.now()).date()
        customer = order.partner_id.commercial_partner_id
        others = [
            other
            for other in run_cache["duplicates"].get(order.o2c_line_signature, [])
            if other.id != order.id
            and other.company_id == order.company_id
            and other.partner_id.commercial_partner_id == customer
            and fields.Datetime.to_datetime(other.date_order).date() == day
        ]
        signature = order._o2c_line_signature_tuple()
        return rules.check_duplicate(
            signature, {so.name: so._o2c_line_signature_tuple() for so in others}
        )

    def _evaluate_margin(self, order):
        rate = order.currency_rate or 1.0
        lines = []
        for line in order.order_line.filtered(lambda ln: ln.product_id and not ln.display_type):
            qty = line.product_uom_id._compute_quantity(
                line.product_uom_qty, line.product_id.uom_id
            )
            cost = line.product_id.with_company(order.company_id).standard_price * qty
            lines.append(
                {
                    "product": line.product_id.display_name,
                    "subtotal": line.price_subtotal / rate,
                    "cost": cost,
                }
            )
        return rules.check_margin(lines, self.min_margin)

    def _describe(self, order, outcome):
        """A translated sentence for the outcome, values included."""
        self.ensure_one()
        _ = self.env._
        values = outcome.values
        currency = order.company_id.currency_id

        def money(amount):
            return format_amount(self.env, amount, currency)

        if outcome.passed:
            return _("OK")
        messages = {
            (rules.CUSTOMER_DATA, "missing"): lambda: _(
                "Missing customer data: %(fields)s",
                fields=", ".join(self._field_label(f) for f in values["fields"]),
            ),
            (rules.TAX_ID, "missing"): lambda: _("The company customer has no tax ID."),
            (rules.TAX_ID, "invalid"): lambda: _(
                "Tax ID %(vat)s is not valid (check digit or length).", vat=values["vat"]
            ),
            (rules.PAYMENT_METHOD, "missing"): lambda: _("The order has no payment method."),
            (rules.PAYMENT_METHOD, "not_allowed"): lambda: _(
                "Payment method %(method)s is not allowed on this channel (allowed: %(allowed)s).",
                method=values["method"],
                allowed=", ".join(values["allowed"]),
            ),
            (rules.CREDIT, "bad_trust"): lambda: _(
                "The customer is on credit hold (debtor trust: bad)."
            ),
            (rules.CREDIT, "over_limit"): lambda: _(
                "Credit exposure %(exposure)s exceeds the limit %(limit)s by %(excess)s.",
                exposure=money(values["exposure"]),
                limit=money(values["limit"]),
                excess=money(values["excess"]),
            ),
            (rules.STOCK, "short"): lambda: _(
                "Not enough free stock: %(lines)s",
                lines="; ".join(
                    _(
                        "%(product)s needs %(needed)s, %(free)s free",
                        product=line["product"],
                        needed=line["needed"],
                        free=line["free"],
                    )
                    for line in values["lines"]
                ),
            ),
            (rules.DUPLICATE, "duplicate"): lambda: _(
                "Same customer, same lines, same day as %(orders)s.",
                orders=", ".join(values["orders"]),
            ),
            (rules.MARGIN, "below_cost"): lambda: _(
                "Sold below cost: %(products)s", products=", ".join(values["products"])
            ),
            (rules.MARGIN, "low_margin"): lambda: _(
                "Margin %(margin)s%% is below the minimum of %(minimum)s%%.",
                margin=values["margin"],
                minimum=values["minimum"],
            ),
        }
        return messages[(self.rule, outcome.code)]()

    def _field_label(self, name):
        _ = self.env._
        return {
            "name": _("name"),
            "phone": _("phone"),
            "street": _("street"),
            "province": _("province"),
            "ward": _("ward (city field)"),
        }[name]
