"""Import and posting of a carrier's COD statement of N lines vs the plain Odoo work it wraps.

Inside ``odoo shell`` on a database with order_to_cash. Set-up, not timed: N confirmed and
invoiced cash-on-delivery orders of 200 customers, a delivered parcel each at a GHN
account, and the GHN statement of those N parcels as CSV, committed.

- baseline: what an accountant does in plain Odoo for the same statement: one journal entry
  moving each customer's collected cash to the COD clearing account with the carrier's
  fees, posted, and each customer's credit reconciled with their invoices (one
  reconciliation plan, as Odoo's payment register does);
- ours: ``o2c.cod.statement._o2c_import`` (read the CSV, check every line, match each to its
  parcel, store the statement and its lines) then ``action_post`` (the same entry and
  reconciliation, parcels marked remitted).

Each run is rolled back; baseline and ours alternate twice at N and at N/5, the best of
each is kept. Printed: ours / baseline at N (goal <= 1.3x) and ours at N / ours at N/5
(goal <= 5.5x, linear).
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import json, time
    from collections import defaultdict
    from odoo import Command
    N = {count}
    SMALL = N // 5
    stamp = str(time.time_ns())
    company = env.company
    Account = env['account.account']
    clearing = Account.create({{'code': 'B' + stamp[-6:], 'name': 'COD GHN bench',
                                'account_type': 'asset_current', 'reconcile': True}})
    fee_account = Account.create({{'code': 'F' + stamp[-6:], 'name': 'GHN fees bench',
                                   'account_type': 'expense'}})
    journal = env['account.journal'].search([('type', '=', 'general'),
                                             ('company_id', '=', company.id)], limit=1)
    account = env['o2c.carrier.account'].create({{
        'name': f'GHN bench {{stamp}}', 'carrier': 'ghn', 'poll_enabled': False,
        'cod_journal_id': journal.id, 'cod_clearing_account_id': clearing.id,
        'cod_fee_account_id': fee_account.id}})
    customers = env['res.partner'].create([{{'name': f'COD customer {{i}} {{stamp}}'}}
                                           for i in range(200)])
    product = env['product.product'].create({{
        'name': f'COD bench {{stamp}}', 'type': 'service', 'invoice_policy': 'order',
        'list_price': 100000.0, 'taxes_id': [Command.clear()]}})
    orders = env['sale.order'].create([{{
        'partner_id': customers[i % 200].id,
        'order_line': [Command.create({{'product_id': product.id,
                                        'product_uom_qty': 1 + i % 3}})]}}
        for i in range(N)])
    orders.action_confirm()
    invoices = orders._create_invoices(grouped=True)
    invoices.action_post()
    shipments = env['o2c.shipment'].create([{{
        'carrier_account_id': account.id, 'tracking_ref': f'GB{{stamp[-6:]}}{{i:06d}}',
        'sale_order_id': order.id, 'cod_amount': order.amount_total, 'state': 'delivered'}}
        for i, order in enumerate(orders)])
    header = ('Mã đơn GHN,Mã đơn khách hàng,Tiền thu hộ (COD),Tổng phí,'
              'Tiền chuyển khoản,Ngày đối soát')

    def csv(parcels):
        rows = [header]
        for parcel in parcels:
            cod = int(parcel.cod_amount)
            rows.append(f'{{parcel.tracking_ref}},,{{cod}},20000,{{cod - 20000}},25/11/2026')
        return ('\\n'.join(rows) + '\\n').encode('utf-8-sig')

    files = {{N: csv(shipments), SMALL: csv(shipments[:SMALL])}}
    env.cr.commit()
    env.cr.execute('ANALYZE')
    env.invalidate_all()

    def baseline(n):
        parcels = shipments[:n]
        env.flush_all()
        started = time.perf_counter()
        by_customer = defaultdict(float)
        for parcel in parcels:
            by_customer[parcel.sale_order_id.partner_id] += parcel.cod_amount
        fees = 20000.0 * n
        collected = sum(by_customer.values())
        move = env['account.move'].create({{
            'move_type': 'entry', 'journal_id': journal.id, 'ref': 'COD by hand',
            'line_ids': [Command.create({{
                'name': 'COD', 'partner_id': partner.id,
                'account_id': partner.property_account_receivable_id.id, 'credit': amount}})
                for partner, amount in by_customer.items()] + [
                Command.create({{'name': 'COD', 'account_id': clearing.id,
                                 'debit': collected - fees}}),
                Command.create({{'name': 'Fees', 'account_id': fee_account.id,
                                 'debit': fees}})]}})
        move.action_post()
        open_lines = defaultdict(lambda: env['account.move.line'])
        for line in parcels.sale_order_id.invoice_ids.line_ids:
            if line.account_id.account_type == 'asset_receivable':
                open_lines[line.partner_id] |= line
        plan = [line + open_lines[line.partner_id] for line in move.line_ids
                if line.account_id.account_type == 'asset_receivable']
        env['account.move.line']._reconcile_plan(plan)
        env.flush_all()
        elapsed = time.perf_counter() - started
        assert all(parcels.sale_order_id.invoice_ids.mapped(
            lambda m: m.payment_state in ('paid', 'in_payment')))
        env.cr.rollback()
        env.invalidate_all()
        return elapsed

    def ours(n):
        parcels = shipments[:n]
        env.flush_all()
        started = time.perf_counter()
        statement, created = env['o2c.cod.statement']._o2c_import(account, 'ghn.csv', files[n])
        statement.action_post()
        env.flush_all()
        elapsed = time.perf_counter() - started
        assert created and len(statement.line_ids) == n
        assert set(statement.line_ids.mapped('kind')) == {{'matched'}}
        assert all(parcels.mapped('cod_remitted'))
        assert all(parcels.sale_order_id.invoice_ids.mapped(
            lambda m: m.payment_state in ('paid', 'in_payment')))
        env.cr.rollback()
        env.invalidate_all()
        return elapsed

    result = {{'base': [], 'ours': [], 'base_small': [], 'ours_small': []}}
    for _ in range(2):
        result['base'].append(baseline(N))
        result['ours'].append(ours(N))
        result['base_small'].append(baseline(SMALL))
        result['ours_small'].append(ours(SMALL))
    print('RESULT=' + json.dumps(result))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    r = run_in_shell(args.database, SCRIPT.format(count=args.count))
    best = {key: min(values) for key, values in r.items()}
    n, small = args.count, args.count // 5
    print(f"COD statement lines: {n} (and {small}), 200 customers (best of 2 each)")
    print(f"  plain Odoo entry + reconciliation ({n})   : {best['base']:7.2f} s")
    print(f"  import + match + post (ours, {n})         : {best['ours']:7.2f} s")
    print(f"  ours / Odoo at {n}: {best['ours'] / best['base']:.2f}x  (goal <= 1.3x)")
    print(
        f"  plain Odoo ({small}): {best['base_small']:7.2f} s; ours ({small}): {best['ours_small']:7.2f} s"
    )
    print(
        f"  ours {n} / ours {small}: {best['ours'] / best['ours_small']:.2f}x  (goal <= 5.5x, linear)"
    )


if __name__ == "__main__":
    main()
