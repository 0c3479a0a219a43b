from odoo import api, models
from odoo.tools import SQL

from ..tools import aging


class ArAging(models.AbstractModel):
    """Aging of receivables or payables as of any date, computed in SQL.

    The residual of each journal item as of the date is its current residual plus the
    reconciliations made after that date, so a report for last month's end is right even if
    the invoices are paid since.
    """

    _name = "ar.aging"
    _description = "Aging of Receivables and Payables"

    @api.model
    def _rows_query(self, company_ids, as_of, account_type, with_user=False):
        """Open items as of a date. The stored residual is today's; adding back the
        reconciliations dated after ``as_of`` gives the residual on that date (usually few
        rows to add back, so this costs little more than reading the stored residual).
        The salesperson (``user_id``) is read from the moves only when ``with_user``."""
        user = SQL("move.invoice_user_id") if with_user else SQL("NULL::integer")
        moves = SQL("JOIN account_move move ON move.id = aml.move_id") if with_user else SQL()
        return SQL(
            """
            WITH later AS (
                SELECT debit_move_id AS line_id, amount
                  FROM account_partial_reconcile
                 WHERE max_date > %(as_of)s AND company_id = ANY(%(companies)s)
                UNION ALL
                SELECT credit_move_id, -amount
                  FROM account_partial_reconcile
                 WHERE max_date > %(as_of)s AND company_id = ANY(%(companies)s)
            ), added AS (
                SELECT line_id, SUM(amount) AS amount FROM later GROUP BY line_id
            )
            SELECT aml.id AS line_id,
                   COALESCE(p.commercial_partner_id, aml.partner_id) AS partner_id,
                   %(user)s AS user_id,
                   aml.currency_id AS currency_id,
                   COALESCE(aml.date_maturity, aml.date) AS due_date,
                   aml.amount_residual + COALESCE(added.amount, 0) AS residual
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              %(moves)s
              LEFT JOIN res_partner p ON p.id = aml.partner_id
              LEFT JOIN added ON added.line_id = aml.id
             WHERE aml.parent_state = 'posted'
               AND account.account_type = %(account_type)s
               AND aml.company_id = ANY(%(companies)s)
               AND aml.date <= %(as_of)s
               AND (aml.amount_residual != 0 OR added.amount IS NOT NULL)
               AND aml.amount_residual + COALESCE(added.amount, 0) != 0
            """,
            as_of=as_of,
            companies=list(company_ids),
            account_type=account_type,
            user=user,
            moves=moves,
        )

    @api.model
    def _buckets(
        self,
        company_ids,
        as_of,
        account_type="asset_receivable",
        group_by="partner_id",
        edges=aging.DEFAULT_EDGES,
    ):
        """{group value: [residual per bucket]}; the buckets of ``aging.bucket_labels``."""
        cases = [SQL("WHEN %s - rows.due_date <= 0 THEN 0", as_of)]
        for index, edge in enumerate(edges, start=1):
            cases.append(SQL("WHEN %s - rows.due_date <= %s THEN %s", as_of, edge, index))
        query = SQL(
            """
            SELECT rows.%(group)s, CASE %(cases)s ELSE %(last)s END AS bucket, SUM(rows.residual)
              FROM (%(rows)s) rows
             GROUP BY 1, 2
            """,
            group=SQL.identifier(group_by),
            cases=SQL(" ").join(cases),
            last=len(edges) + 1,
            rows=self._rows_query(
                company_ids, as_of, account_type, with_user=group_by == "user_id"
            ),
        )
        self.env.flush_all()  # raw SQL: pending ORM writes must be in the tables first
        result = {}
        for key, bucket, amount in self.env.execute_query(query):
            result.setdefault(key, [0.0] * (len(edges) + 2))[bucket] += amount
        return result

    @api.model
    def _provision(self, company_ids, as_of):
        """Suggested bad-debt provision per customer (Circular 48/2019)."""
        self.env.flush_all()
        result = {}
        for partner_id, due_date, residual in self.env.execute_query(
            SQL(
                "SELECT r.partner_id, r.due_date, r.residual FROM (%s) r WHERE r.residual > 0",
                self._rows_query(company_ids, as_of, "asset_receivable"),
            )
        ):
            rate = aging.provision_rate(due_date, as_of)
            if rate:
                result[partner_id] = result.get(partner_id, 0.0) + float(rate) * residual
        return result

    @api.model
    def _totals(self, company_ids, as_of):
        """Total and not-yet-due receivables as of a date."""
        total = current = 0.0
        for amounts in self._buckets(company_ids, as_of, group_by="currency_id").values():
            total += sum(amounts)
            current += amounts[0]
        return total, current
