import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount, format_date, formatLang

from ..tools import aging

TOP_CUSTOMERS = 10
TREND_MONTHS = 12
RECENT_DAYS = 30
PROMISE_SOON_DAYS = 7


class ArDashboard(models.AbstractModel):
    """The collector's landing screen: what is owed and overdue now, how it ages, the DSO
    trend from the daily snapshots, promises and reminders, and the customers to call.

    Everything is for the current company only: amounts of companies with different
    currencies are never added up."""

    _name = "ar.dashboard"
    _description = "Collections Dashboard"

    @api.model
    def ar_dashboard(self):
        if not self.env.user.has_group("ar_reminders.group_ar_collector"):
            raise AccessError(self.env._("The collections dashboard is for collectors."))
        company = self.env.company
        today = fields.Date.context_today(self)
        currency = company.currency_id

        def money(amount):
            return format_amount(self.env, amount, currency)

        now = self.env["ar.kpi.snapshot"]._values(company, today)
        edges = company._ar_edges()
        Aging = self.env["ar.aging"]
        buckets = [0.0] * (len(edges) + 2)
        for amounts in Aging._buckets(
            company.ids, today, group_by="currency_id", edges=edges
        ).values():
            for index, amount in enumerate(amounts):
                buckets[index] += amount
        receivable = sum(buckets)
        overdue = receivable - buckets[0]

        return {
            "company": company.name,
            "date": format_date(self.env, today),
            "cards": self._cards(company, today, now, receivable, overdue, money),
            "aging": self._aging(edges, buckets, money),
            "trend": self._trend(company, today),
            "customers": self._customers(company, today, edges, money),
            "reminders": self._recent_reminders(company, today),
        }

    def _cards(self, company, today, now, receivable, overdue, money):
        Promise = self.env["ar.promise"]
        open_promises = Promise.search([("company_id", "=", company.id), ("state", "=", "open")])
        soon = open_promises.filtered(
            lambda p: today <= p.date <= today + datetime.timedelta(days=PROMISE_SOON_DAYS)
        )
        broken = Promise.search_count(
            [
                ("company_id", "=", company.id),
                ("state", "=", "broken"),
                ("date", ">=", today - datetime.timedelta(days=RECENT_DAYS)),
            ]
        )

        def number(value, digits=1):
            # In the user's language: 86,2 in Vietnamese, 86.2 in English.
            return formatLang(self.env, value, digits=digits)

        share = f"{number(overdue / receivable * 100, 0)} %" if receivable else "–"
        return [
            {"name": "receivable", "label": self.env._("Receivable"), "value": money(receivable)},
            {
                "name": "overdue",
                "label": self.env._("Overdue"),
                "value": money(overdue),
                "note": self.env._("%(share)s of receivable", share=share),
                "alert": bool(overdue),
            },
            {
                "name": "dso",
                "label": self.env._("DSO"),
                "value": self.env._("%(days)s days", days=number(now["dso"])),
                "note": self.env._("best possible %(days)s", days=number(now["best_dso"])),
            },
            {
                "name": "add",
                "label": self.env._("Average days delinquent"),
                "value": self.env._("%(days)s days", days=number(now["add"])),
            },
            {
                "name": "cei",
                "label": self.env._("Collection effectiveness"),
                "value": f"{number(now['cei'])} %",
            },
            {
                "name": "promises",
                "label": self.env._("Open promises to pay"),
                "value": money(sum(open_promises.mapped("amount"))),
                "note": self.env._(
                    "%(count)s open, %(soon)s due within %(days)s days, %(broken)s broken "
                    "in the last %(recent)s days",
                    count=len(open_promises),
                    soon=len(soon),
                    days=PROMISE_SOON_DAYS,
                    broken=broken,
                    recent=RECENT_DAYS,
                ),
                "alert": bool(broken),
            },
        ]

    def _aging(self, edges, buckets, money):
        total = sum(amount for amount in buckets if amount > 0) or 1.0
        labels = aging.bucket_labels(edges)
        titles = [self.env._("Not due")] + [
            self.env._("%(label)s days", label=label) for label in labels[1:]
        ]
        return [
            {
                "key": labels[index],
                "label": titles[index],
                "amount": money(amount),
                "percent": round(max(amount, 0.0) / total * 100, 1),
            }
            for index, amount in enumerate(buckets)
        ]

    def _trend(self, company, today):
        """The last snapshot of each of the past months (the current one included)."""
        start = (today - relativedelta(months=TREND_MONTHS - 1)).replace(day=1)
        snapshots = self.env["ar.kpi.snapshot"].search(
            [("company_id", "=", company.id), ("date", ">=", start), ("date", "<=", today)],
            order="date",
        )
        by_month = {}
        for snapshot in snapshots:
            by_month[snapshot.date.strftime("%Y-%m")] = snapshot
        return [
            {
                "month": snapshot.date.strftime("%m/%Y"),
                "date": format_date(self.env, snapshot.date),
                "dso": round(snapshot.dso, 1),
                "cei": round(snapshot.cei, 1),
            }
            for snapshot in by_month.values()
        ]

    def _customers(self, company, today, edges, money):
        labels = aging.bucket_labels(edges)
        rows = []
        by_partner = self.env["ar.aging"]._buckets(company.ids, today, edges=edges)
        for partner_id, amounts in by_partner.items():
            overdue = sum(amounts[1:])
            if not partner_id or overdue <= 0:
                continue
            oldest = max(index for index, amount in enumerate(amounts) if amount > 0)
            rows.append((overdue, partner_id, sum(amounts), labels[oldest]))
        rows.sort(reverse=True)
        partners = self.env["res.partner"].browse([row[1] for row in rows[:TOP_CUSTOMERS]])
        last_levels = self._last_levels(company, partners)
        return [
            {
                "id": partner_id,
                "name": self.env["res.partner"].browse(partner_id).display_name,
                "overdue": money(overdue),
                "receivable": money(total),
                "oldest": self.env._("%(label)s days", label=oldest),
                "level": last_levels.get(partner_id, ""),
            }
            for overdue, partner_id, total, oldest in rows[:TOP_CUSTOMERS]
        ]

    def _last_levels(self, company, partners):
        reminders = self.env["ar.reminder"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "in", ("sent", "partial")),
            ],
            order="date desc, id desc",
        )
        levels = {}
        for reminder in reminders:
            levels.setdefault(reminder.partner_id.id, reminder.level_id.name)
        return levels

    def _recent_reminders(self, company, today):
        groups = self.env["ar.reminder"]._read_group(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("sent", "partial")),
                ("date", ">", today - datetime.timedelta(days=RECENT_DAYS)),
            ],
            ["level_id"],
            ["__count"],
        )
        return [
            {"level": level.name, "count": count}
            for level, count in sorted(
                groups, key=lambda group: (group[0].offset_days, group[0].id)
            )
        ]

    @api.model
    def action_open_customer(self, partner_id):
        """The customer's open invoices and credit notes in the current company."""
        partner = self.env["res.partner"].browse(int(partner_id)).exists()
        if not partner:
            raise UserError(self.env._("Customer %(id)s does not exist.", id=partner_id))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open items of %(partner)s", partner=partner.display_name),
            "res_model": "account.move",
            "views": [[False, "list"], [False, "form"]],
            "domain": [
                ("partner_id", "child_of", partner.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            "context": {"create": False, "default_move_type": "out_invoice"},
        }
