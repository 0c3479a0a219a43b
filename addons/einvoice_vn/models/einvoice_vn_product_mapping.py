import re

from odoo import api, fields, models


def name_key(name):
    """A supplier's line name as compared: case and spacing do not matter."""
    return re.sub(r"\s+", " ", (name or "").strip()).casefold()


class EinvoiceVnProductMapping(models.Model):
    """A supplier's name (or code) for one of our products, learnt when a bill created from
    the supplier's e-invoice is posted with that product on the line."""

    _name = "einvoice.vn.product.mapping"
    _description = "Supplier E-invoice Product Mapping"
    _order = "partner_id, supplier_name"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Vendor", required=True, index=True, check_company=True
    )
    supplier_code = fields.Char(string="Supplier's Code")
    supplier_name = fields.Char(string="Supplier's Name", required=True)
    name_key = fields.Char(compute="_compute_name_key", store=True, index=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", check_company=True
    )

    _name_unique = models.UniqueIndex(
        "(company_id, partner_id, name_key)",
        "This supplier's name is already mapped to a product.",
    )

    @api.depends("supplier_name")
    def _compute_name_key(self):
        for mapping in self:
            mapping.name_key = name_key(mapping.supplier_name)

    @api.model
    def _find_product(self, company, partner, code, name):
        """The product mapped to this supplier's line: its code first, then its name."""
        domain = [("company_id", "=", company.id), ("partner_id", "=", partner.id)]
        if code:
            mapping = self.search([*domain, ("supplier_code", "=", code)], limit=1)
            if mapping:
                return mapping.product_id
        if name:
            mapping = self.search([*domain, ("name_key", "=", name_key(name))], limit=1)
            if mapping:
                return mapping.product_id
        return self.env["product.product"]

    @api.model
    def _learn(self, company, partner, code, name, product):
        """Remember (or correct) the product the user confirmed for this supplier's line."""
        key = name_key(name)
        if not key or not product:
            return
        mapping = self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "=", partner.id),
                ("name_key", "=", key),
            ],
            limit=1,
        )
        vals = {"product_id": product.id, "supplier_code": code or False}
        if mapping:
            if mapping.product_id != product or (code and mapping.supplier_code != code):
                mapping.write(vals)
        else:
            self.create(
                {
                    **vals,
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "supplier_name": name,
                }
            )
