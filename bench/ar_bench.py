"""The receivable reminder cron at volume, inside ``odoo shell`` on a database with
ar_reminders (aging: aging_bench.py).

The cron runs over N open invoices of N/10 customers, then over 4N invoices of 4N/10 new
customers (goal: time grows <= 4.6x for 4x data; the cron has no cap per run). Every
reminder goes out by email (Odoo's mail queue) and SMS (a gateway on 127.0.0.1); the
statement PDF attachment is switched off (wkhtmltopdf rendering per reminder is a constant
cost per customer, it does not change how the cron scales).
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import datetime, json, time
    from odoo import Command, fields
    from odoo.addons.ar_reminders.tests.sms_gateway import SmsGateway
    N = {invoices}
    gateway = SmsGateway().__enter__()
    company = env.company
    company.write({{'ar_sms_url': gateway.url, 'country_id': env.ref('base.vn').id}})
    env.ref('ar_reminders.level_7').send_sms = True
    # Statement PDFs (wkhtmltopdf, per reminder) are measured apart: see the note below.
    env['ar.reminder.level'].search([]).attach_statement = False
    today = fields.Date.today()
    due = today - datetime.timedelta(days=8)
    tag = str(time.time_ns())

    def dataset(invoices, label):
        customers = invoices // 10
        partners = env['res.partner'].create([{{
            'name': f'{{label}} {{tag}} {{i}}', 'email': f'c{{i}}.{{label}}@example.com',
            'phone': f'+84 9{{(i % 90) + 10:02d}} {{i % 1000:03d}} {{i % 1000:03d}}'}}
            for i in range(customers)])
        for start in range(0, invoices, 1000):
            moves = env['account.move'].create([{{
                'move_type': 'out_invoice', 'partner_id': partners[i % customers].id,
                'invoice_date': due, 'invoice_date_due': due,
                'invoice_line_ids': [Command.create({{'name': 'Goods', 'quantity': 1,
                    'price_unit': 1000 + i, 'tax_ids': []}})]}}
                for i in range(start, min(start + 1000, invoices))])
            moves.action_post()
            moves.write({{'invoice_date_due': due}})
            env.cr.commit()
        return partners

    def cron():
        env.invalidate_all()
        started = time.perf_counter()
        env['ar.reminder']._cron_send_reminders()
        env.cr.commit()
        return time.perf_counter() - started

    first = dataset(N, 'A')
    t1 = cron()
    n1 = env['ar.reminder'].search_count([('partner_id', 'in', first.ids)])
    # The second run must see only the second data set (4x), not the first one again.
    first.write({{'ar_no_reminder': True}})
    env.cr.commit()
    second = dataset(4 * N, 'B')
    t2 = cron()
    n2 = env['ar.reminder'].search_count([('partner_id', 'in', second.ids)])
    assert n1 == len(first) and n2 == len(second), (n1, len(first), n2, len(second))
    sms = len(gateway.received)

    gateway.__exit__(None, None, None)
    print('RESULT=' + json.dumps({{'t1': t1, 't2': t2, 'r1': n1, 'r2': n2, 'sms': sms}}))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--invoices", type=int, default=20000)
    args = parser.parse_args()
    result = run_in_shell(args.database, SCRIPT.format(invoices=args.invoices))
    n = args.invoices
    print(
        f"reminder cron, {n} invoices / {n // 10} customers : {result['t1']:8.2f} s ({result['r1']} reminders)"
    )
    print(
        f"reminder cron, {4 * n} invoices / {4 * n // 10} customers: {result['t2']:8.2f} s ({result['r2']} reminders)"
    )
    print(f"  SMS received by the gateway: {result['sms']}")
    print(f"  growth for 4x data: {result['t2'] / result['t1']:.2f}x  (goal <= 4.6x)")


if __name__ == "__main__":
    main()
