"""Aging at volume, inside ``odoo shell`` on a database with ar_reminders.

Data: 10,000 posted invoices of 2,000 customers over the last two years, each due in ten
monthly instalments (100,000 receivable journal items spread over every bucket); 1,000 of
them paid in part ten days ago, so an aging as of an earlier date has payments to add back.
The data is created once per database and reused by later runs.

Measured, best of 5 runs each, on the same rows:
- bare SQL: GROUP BY partner and bucket on the stored residual (today only);
- ours as of today: residual as of the date (stored residual + reconciliations after it),
  commercial partner, configurable buckets (goal <= 3x the bare query);
- ours as of 30 days ago (printed for information).
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import datetime, json, time
    from odoo import Command, fields
    from odoo.tools import SQL
    INVOICES, CUSTOMERS, INSTALMENTS = {invoices}, {invoices} // 5, 10
    company = env.company
    today = fields.Date.today()
    tag = 'aging-bench'
    partners = env['res.partner'].search([('ref', '=like', tag + '-%')], order='id')
    if not partners:
        partners = env['res.partner'].create([{{'name': f'Aging {{i}}', 'ref': f'{{tag}}-{{i}}'}}
                                              for i in range(CUSTOMERS)])
        term = env['account.payment.term'].create({{
            'name': 'Aging bench: 10 monthly instalments',
            'line_ids': [Command.create({{'value': 'percent', 'value_amount': 10,
                                          'delay_type': 'days_after', 'nb_days': 30 * k}})
                         for k in range(INSTALMENTS)]}})
        for start in range(0, INVOICES, 1000):
            moves = env['account.move'].create([{{
                'move_type': 'out_invoice', 'partner_id': partners[i % CUSTOMERS].id,
                'invoice_date': today - datetime.timedelta(days=i % 730),
                'invoice_payment_term_id': term.id,
                'invoice_line_ids': [Command.create({{'name': 'Goods', 'quantity': 1,
                    'price_unit': 1000 + i, 'tax_ids': []}})]}}
                for i in range(start, min(start + 1000, INVOICES))])
            moves.action_post()
            env.cr.commit()
        paid = env['account.move'].search([('partner_id', 'in', partners.ids)], limit=INVOICES // 10)
        env['account.payment.register'].with_context(
            active_model='account.move', active_ids=paid.ids).create({{
                'payment_date': today - datetime.timedelta(days=10),
                'group_payment': False}})._create_payments()
        env.cr.commit()
    env.cr.execute('ANALYZE')

    lines = env['account.move.line'].search_count([('account_type', '=', 'asset_receivable'),
                                                    ('parent_state', '=', 'posted')])
    bare = SQL(\"\"\"
        SELECT aml.partner_id,
               CASE WHEN %s - aml.date_maturity <= 0 THEN 0
                    WHEN %s - aml.date_maturity <= 30 THEN 1
                    WHEN %s - aml.date_maturity <= 60 THEN 2
                    WHEN %s - aml.date_maturity <= 90 THEN 3
                    WHEN %s - aml.date_maturity <= 120 THEN 4 ELSE 5 END,
               SUM(aml.amount_residual)
          FROM account_move_line aml JOIN account_account a ON a.id = aml.account_id
         WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
           AND aml.company_id = %s AND aml.amount_residual != 0
         GROUP BY 1, 2\"\"\", today, today, today, today, today, company.id)
    Aging = env['ar.aging']
    past = today - datetime.timedelta(days=30)

    def best(fn):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        return min(times), result

    t_bare, rows = best(lambda: env.execute_query(bare))
    t_ours, ours = best(lambda: Aging._buckets(company.ids, today))
    t_past, _ = best(lambda: Aging._buckets(company.ids, past))
    assert len(rows) == sum(1 for amounts in ours.values() for a in amounts if a), 'same groups'
    assert abs(sum(r[2] for r in rows) - sum(sum(a) for a in ours.values())) < 0.01, 'same total'
    print('RESULT=' + json.dumps({{'lines': lines, 'bare': t_bare, 'ours': t_ours,
                                   'past': t_past}}))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--invoices", type=int, default=10000)
    args = parser.parse_args()
    result = run_in_shell(args.database, SCRIPT.format(invoices=args.invoices))
    print(f"aging over {result['lines']} receivable journal items (best of 5):")
    print(f"  bare SQL GROUP BY (stored residual)  : {result['bare'] * 1000:8.1f} ms")
    print(f"  ours, as of today                    : {result['ours'] * 1000:8.1f} ms")
    print(f"  ours, as of 30 days ago              : {result['past'] * 1000:8.1f} ms")
    print(f"  ratio: {result['ours'] / result['bare']:.2f}x  (goal <= 3x)")


if __name__ == "__main__":
    main()
