from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    o2c_verify_manual_orders = fields.Boolean(
        string="Verify Manual Orders",
        help="Apply the verification rules to quotations typed in the backend without a "
        "sales channel too. Off by default: installing Order to Cash then changes nothing "
        "for orders that do not come through a channel.",
    )

    o2c_wave_max_orders = fields.Integer(
        string="Orders per Pick Wave",
        default=20,
        help="Default cap on orders in one pick wave; a warehouse may set its own.",
    )
    o2c_wave_max_lines = fields.Integer(
        string="Lines per Pick Wave",
        default=100,
        help="Default cap on stock moves in one pick wave; a warehouse may set its own.",
    )
    o2c_release_max_waves = fields.Integer(
        string="Pick Waves per Release",
        default=10,
        help="Default number of pick waves one release run creates; 0 for no limit.",
    )
