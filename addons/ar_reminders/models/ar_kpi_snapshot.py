import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import dso

PERIOD_DAYS = 90


class ArKpiSnapshot(models.Model):
    """Daily collection KPIs of a company, kept for trend graphs."""

    _name = "ar.kpi.snapshot"
    _description = "Collection KPI Snapshot"
    _order = "date desc, id desc"

    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    receivable = fields.Monetary()
    current_receivable = fields.Monetary(string="Not Yet Due")
    overdue = fields.Monetary()
    sales = fields.Monetary(string=f"Credit Sales ({PERIOD_DAYS} days)")
    dso = fields.Float(string="DSO", aggregator="avg")
    dso_simple = fields.Float(string="DSO (simple)", aggregator="avg")
    dso_countback = fields.Float(string="DSO (countback)", aggregator="avg")
    best_dso = fields.Float(string="Best Possible DSO", aggregator="avg")
    add = fields.Float(string="Average Days Delinquent", aggregator="avg")
    cei = fields.Float(string="Collection Effectiveness (%)", aggregator="avg")

    _company_date_unique = models.UniqueIndex("(company_id, date)")

    @api.model
    def _sales(self, company, date_from, date_to):
        """Credit sales (invoices minus credit notes, untaxed+tax) in company currency."""
        self.env.flush_all()
        [(amount,)] = self.env.execute_query(
            SQL(
                """
                SELECT COALESCE(SUM(amount_total_signed), 0) FROM account_move
                 WHERE company_id = %s AND state = 'posted'
                   AND move_type IN ('out_invoice', 'out_refund')
                   AND invoice_date > %s AND invoice_date <= %s
                """,
                company.id,
                date_from,
                date_to,
            )
        )
        return amount

    @api.model
    def _values(self, company, as_of):
        Aging = self.env["ar.aging"]
        receivable, current = Aging._totals(company.ids, as_of)
        start = as_of - datetime.timedelta(days=PERIOD_DAYS)
        sales = self._sales(company, start, as_of)
        opening, _opening_current = Aging._totals(company.ids, start)
        months = []
        end = as_of
        for _i in range(24):
            begin = end - relativedelta(months=1)
            months.append(((end - begin).days, self._sales(company, begin, end)))
            end = begin
        simple = dso.simple_dso(receivable, sales, PERIOD_DAYS)
        countback = dso.countback_dso(receivable, months)
        chosen = countback if company.ar_dso_method == "countback" else simple
        best = dso.best_possible_dso(current, sales, PERIOD_DAYS)
        return {
            "date": as_of,
            "company_id": company.id,
            "receivable": receivable,
            "current_receivable": current,
            "overdue": receivable - current,
            "sales": sales,
            "dso": chosen,
            "dso_simple": simple,
            "dso_countback": countback,
            "best_dso": best,
            "add": dso.average_days_delinquent(chosen, best),
            "cei": dso.collection_effectiveness(opening, sales, receivable, current),
        }

    @api.model
    def _cron_snapshot(self, as_of=None):
        """One snapshot per company and day (every company: a job, not a user's view)."""
        self = self.sudo()  # noqa: PLW0642
        as_of = as_of or fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            values = self._values(company, as_of)
            existing = self.search([("company_id", "=", company.id), ("date", "=", as_of)])
            if existing:
                existing.write(values)
            else:
                self.create(values)
