from odoo import api, fields, models


class O2cChannel(models.Model):
    _name = "o2c.channel"
    _description = "Sales Channel"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Stable code integrations send with each order, e.g. shopee.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    channel_type = fields.Selection(
        [
            ("website", "Website"),
            ("marketplace", "Marketplace"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("b2b_portal", "B2B Portal"),
            ("api", "API"),
        ],
        required=True,
        default="api",
        tracking=True,
    )
    marketplace = fields.Selection(
        [("shopee", "Shopee"), ("lazada", "Lazada"), ("tiktok", "TikTok Shop"), ("other", "Other")],
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse", string="Default Warehouse", tracking=True, check_company=True
    )
    pricelist_id = fields.Many2one(
        "product.pricelist", string="Default Pricelist", tracking=True, check_company=True
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", string="Default Payment Terms", tracking=True, check_company=True
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    payment_method_ids = fields.Many2many(
        "o2c.payment.method",
        string="Allowed Payment Methods",
        help="Leave empty to accept every payment method.",
    )
    default_payment_method_id = fields.Many2one("o2c.payment.method")
    after_sales_days = fields.Integer(
        string="After-sales Window (days)",
        default=30,
        help="Days after payment during which returns and complaints are expected; "
        "a paid order closes when the window ends.",
    )
    order_count = fields.Integer(compute="_compute_order_count")

    _code_unique = models.UniqueIndex(
        "(company_id, code)", "A channel with this code already exists in this company."
    )

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("o2c_channel_id", "in", self.ids)], ["o2c_channel_id"], ["__count"]
            )
        )
        for channel in self:
            channel.order_count = counts.get(channel, 0)

    @api.onchange("channel_type")
    def _onchange_channel_type(self):
        if self.channel_type != "marketplace":
            self.marketplace = False

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_to_cash.action_o2c_pipeline")
        action["domain"] = [("o2c_channel_id", "=", self.id)]
        action["context"] = {"default_o2c_channel_id": self.id}
        return action
