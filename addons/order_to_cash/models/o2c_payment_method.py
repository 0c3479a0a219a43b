from odoo import fields, models


class O2cPaymentMethod(models.Model):
    _name = "o2c.payment.method"
    _description = "Order Payment Method"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, help="Stable code used by integrations, e.g. cod, bank_transfer."
    )
    sequence = fields.Integer(default=10)
    is_cod = fields.Boolean(
        string="Cash on Delivery", help="The carrier collects the amount at delivery."
    )
    active = fields.Boolean(default=True)

    _code_unique = models.UniqueIndex("(code)", "A payment method with this code already exists.")
