from odoo import fields, models

from ..tools import aging


class ArAgingWizard(models.TransientModel):
    _name = "ar.aging.wizard"
    _description = "Aging Report"

    as_of = fields.Date(string="As of", required=True, default=fields.Date.context_today)
    account_type = fields.Selection(
        [("asset_receivable", "Receivables"), ("liability_payable", "Payables")],
        required=True,
        default="asset_receivable",
    )
    group_by = fields.Selection(
        [("partner_id", "Partner"), ("user_id", "Salesperson"), ("currency_id", "Currency")],
        required=True,
        default="partner_id",
    )

    def action_open(self):
        self.ensure_one()
        company = self.env.company
        edges = company._ar_edges()
        labels = aging.bucket_labels(edges)
        Aging = self.env["ar.aging"]
        buckets = Aging._buckets(company.ids, self.as_of, self.account_type, self.group_by, edges)
        provision = (
            Aging._provision(company.ids, self.as_of)
            if self.account_type == "asset_receivable" and self.group_by == "partner_id"
            else {}
        )
        model = {
            "partner_id": "res.partner",
            "user_id": "res.users",
            "currency_id": "res.currency",
        }[self.group_by]
        lines = self.env["ar.aging.line"].create(
            [
                {
                    "wizard_id": self.id,
                    "name": self.env[model].browse(key).display_name
                    if key
                    else self.env._("(none)"),
                    "bucket": labels[index],
                    "sequence": index,
                    "amount": amount,
                    "provision": provision.get(key, 0.0) if index == 0 else 0.0,
                }
                for key, amounts in buckets.items()
                for index, amount in enumerate(amounts)
                if amount
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Aging as of %(date)s", date=self.as_of),
            "res_model": "ar.aging.line",
            "view_mode": "pivot,list",
            "domain": [("id", "in", lines.ids)],
            "context": {"pivot_measures": ["amount"]},
        }


class ArAgingLine(models.TransientModel):
    _name = "ar.aging.line"
    _description = "Aging Report Line"
    _order = "name, sequence"

    wizard_id = fields.Many2one("ar.aging.wizard", ondelete="cascade")
    name = fields.Char(string="Group")
    bucket = fields.Char()
    sequence = fields.Integer()
    amount = fields.Float()
    provision = fields.Float(string="Suggested Provision (Circular 48/2019)")
