from odoo import api, fields, models


class ArReminderPolicy(models.Model):
    """A reminder policy: its levels, and the customers it applies to."""

    _name = "ar.reminder.policy"
    _description = "Receivable Reminder Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10, help="The first matching policy applies.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    is_default = fields.Boolean(
        string="Company Default", help="Applies to customers no other policy matches."
    )
    category_ids = fields.Many2many(
        "res.partner.category", string="Customer Tags", help="Customers with one of these tags."
    )
    payment_term_ids = fields.Many2many(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        help="Customers with one of these terms.",
    )
    industry_ids = fields.Many2many(
        "res.partner.industry", string="Customer Categories", help="Customers of these industries."
    )
    level_ids = fields.One2many("ar.reminder.level", "policy_id", string="Levels", copy=True)

    _default_unique = models.UniqueIndex(
        "(company_id) WHERE is_default AND active", "A company has one default policy."
    )

    @api.model
    def _for_partner(self, partner, company, policies=None):
        """The policy of a customer: its own, the first matching one, or the default.
        ``policies``: the company's policies when the caller has read them already."""
        partner = partner.commercial_partner_id.with_company(company)
        # The customer's own policy in this company (company-dependent, and a policy of
        # another company never applies here).
        own = partner.ar_policy_id
        if own and own.company_id == company:
            return own
        if policies is None:
            policies = self.search([("company_id", "=", company.id)])
        term = partner.with_company(company).property_payment_term_id
        for policy in policies.filtered(lambda p: not p.is_default):
            if (
                (policy.category_ids and policy.category_ids & partner.category_id)
                or (policy.payment_term_ids and term in policy.payment_term_ids)
                or (policy.industry_ids and partner.industry_id in policy.industry_ids)
            ):
                return policy
        return policies.filtered("is_default")[:1]
