from odoo import fields, models
from odoo.fields import Domain

RECHECK_FIELDS = {
    "name",
    "phone",
    "street",
    "city",
    "state_id",
    "country_id",
    "vat",
    "is_company",
    "credit_limit",
    "use_partner_credit_limit",
    "trust",
}
# Up to this many customers changed at once, only their orders are re-matched.
SLA_REMATCH_PER_CUSTOMER_MAX = 50


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Intake matches customers on the E.164 number phone_validation stores.
    phone_sanitized = fields.Char(index="btree_not_null")

    def write(self, vals):
        result = super().write(vals)
        if RECHECK_FIELDS.intersection(vals):
            # Completed customer data or a new limit may release held quotations.
            self.env["sale.order"]._o2c_recheck_held(
                [("partner_id", "child_of", self.commercial_partner_id.ids)],
                self.env.companies,
                held_only=False,
            )
        if {"category_id", "parent_id"} & set(vals):
            self._o2c_queue_sla_rematch()
        return result

    def _o2c_queue_sla_rematch(self):
        """Queue the SLA re-match of the open orders of these customers (and their
        contacts), whose tags may have changed, in the companies they have some in;
        a mass change queues the companies' open orders instead of one request per
        customer."""
        if not self:
            return
        Order = self.env["sale.order"].sudo()
        domain = Order._o2c_sla_open_domain() & Domain("partner_id", "child_of", self.ids)
        companies = self.env["res.company"].browse(
            company.id for [company] in Order._read_group(domain, ["company_id"])
        )
        partners = self if len(self) <= SLA_REMATCH_PER_CUSTOMER_MAX else None
        self.env["o2c.sla.rematch"]._o2c_request(companies, partners)

    o2c_vip = fields.Boolean(
        string="VIP Customer",
        help="Orders of VIP customers are released to the warehouse before other orders "
        "promised for the same day.",
    )
