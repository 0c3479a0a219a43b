"""Supplier e-invoice intake and three-way match vs Odoo creating and posting the same bills.

Inside ``odoo shell`` on a database with einvoice_vn and purchase_bill_match (the bridge
installs itself). Set-up, not timed: a buyer company, one vendor, two products with the
vendor's product codes, N confirmed purchase orders of two lines, all received; N supplier
e-invoices signed by the vendor (throw-away CA), one per order.

- baseline: Odoo creating each bill with its lines linked to the order lines, then posting it
  (``account.move.create`` + ``action_post``), what an accountant does without us;
- ours: the same N bills through ``einvoice.vn.inbound.import_files`` (hardened parse, seller
  signature and certificate, tax ids, amounts and words, duplicate key, archived XML, vendor
  bill with products and taxes mapped), then ``action_post``, which links each line to its
  order line and three-way matches it against ordered and received quantities.

Both runs are rolled back: each starts from the same orders and receipts (autovacuum is
paused on the tables involved meanwhile, see below). Printed: ours / baseline at N (goal
<= 1.5x) and ours at N vs ours at N/4 (goal <= 4.6x, linear).
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import base64, datetime, json, time
    from odoo import Command, fields
    from odoo.addons.einvoice_vn.tests import supplier_invoices as si
    N = {count}
    SMALL = N // 4
    company = env.company
    company.write({{'vat': si.BUYER_MST, 'bill_match_enabled': True}})
    currency = env.ref('base.VND')
    currency.active = True
    def tax(amount):
        return env['account.tax'].create({{'name': 'bench purchase %s%%' % amount,
            'amount': amount, 'amount_type': 'percent', 'type_tax_use': 'purchase',
            'company_id': company.id}})
    taxes = {{'10%': tax(10), '8%': tax(8)}}
    vendor = env['res.partner'].create({{'name': 'Công ty TNHH Phân phối Sao Mai',
        'vat': si.SELLER_MST, 'is_company': True}})
    specs = [('NM500', 'Nước mắm Phú Quốc 500ml', 10, 85000, '10%'),
             ('CF250', 'Cà phê rang xay 250g', 3, 120000, '8%')]
    products = []
    for code, name, qty, price, rate in specs:
        products.append(env['product.product'].create({{
            'name': name, 'type': 'consu', 'is_storable': True, 'purchase_method': 'receive',
            'supplier_taxes_id': [Command.set(taxes[rate].ids)],
            'seller_ids': [Command.create({{'partner_id': vendor.id, 'product_code': code,
                                           'price': price}})]}}))
    orders = env['purchase.order'].create([{{
        'partner_id': vendor.id, 'currency_id': currency.id,
        'order_line': [Command.create({{'product_id': product.id, 'product_qty': spec[2],
            'price_unit': spec[3], 'tax_ids': [Command.set(taxes[spec[4]].ids)]}})
            for product, spec in zip(products, specs)]}} for i in range(N)])
    orders.button_confirm()
    pickings = orders.picking_ids
    for move in pickings.move_ids:
        move.quantity = move.product_uom_qty
    pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
    assert set(pickings.mapped('state')) == {{'done'}}, set(pickings.mapped('state'))
    cert = si.default_cert(si.SELLER_MST)
    lines = [{{'code': s[0], 'name': s[1], 'uom': 'Chai', 'quantity': s[2], 'price': s[3],
              'tax': s[4]}} for s in specs]
    files = [{{'name': 'HD_%05d.xml' % i, 'content': base64.b64encode(si.make_invoice(
        certificate=cert, number=str(i + 1), lines=lines,
        signing_time=datetime.datetime.now() - datetime.timedelta(hours=1),
        date=fields.Date.today())).decode()}} for i in range(N)]
    env.cr.commit()
    # Each phase is rolled back. Autovacuum would then record the accounting tables as
    # empty (reltuples = 0) in the middle of the run, and PostgreSQL would plan every
    # later query of Odoo's as if they held one row, slowing whichever phase comes next
    # in proportion to its own rows. A company with committed history never sees that:
    # keep the statistics as they are for the duration of the bench, for both sides.
    TABLES = ['account_move', 'account_move_line', 'account_partial_reconcile',
              'purchase_order_line', 'einvoice_vn_inbound', 'einvoice_vn_inbound_check',
              'purchase_bill_match_issue', 'ir_attachment', 'mail_message']
    for table in TABLES:
        env.cr.execute('ALTER TABLE %s SET (autovacuum_enabled = false)' % table)
    env.cr.commit()

    def baseline(count):
        company.bill_match_enabled = False  # plain Odoo: no matching (rolled back below)
        env.flush_all()
        started = time.perf_counter()
        for order in orders[:count]:
            bill = env['account.move'].create({{
                'move_type': 'in_invoice', 'partner_id': vendor.id,
                'invoice_date': fields.Date.today(), 'currency_id': currency.id,
                'ref': order.name,
                'invoice_line_ids': [Command.create({{
                    'product_id': line.product_id.id, 'quantity': line.product_qty,
                    'price_unit': line.price_unit, 'tax_ids': [Command.set(line.tax_ids.ids)],
                    'purchase_line_id': line.id}}) for line in order.order_line]}})
            bill.action_post()
        env.flush_all()
        elapsed = time.perf_counter() - started
        env.cr.rollback()
        env.invalidate_all()
        return elapsed

    def ours(count):
        started = time.perf_counter()
        results = env['einvoice.vn.inbound'].import_files(files[:count])
        errors = [r['error'] for r in results if r['error']]
        assert not errors, errors[:3]
        bills = env['account.move'].browse([r['move_id'] for r in results])
        for bill in bills:
            bill.action_post()
        env.flush_all()
        elapsed = time.perf_counter() - started
        states = set(bills.mapped('bill_match_state'))
        checks = set(bills.einvoice_vn_inbound_id.check_ids.mapped('result'))
        env.cr.rollback()
        env.invalidate_all()
        assert states == {{'ready'}}, states
        assert 'fail' not in checks, checks
        return elapsed

    result = {{'base': baseline(N), 'ours': ours(N), 'ours_small': ours(SMALL),
              'base_small': baseline(SMALL)}}
    for table in TABLES:
        env.cr.execute('ALTER TABLE %s RESET (autovacuum_enabled)' % table)
    env.cr.commit()
    print('RESULT=' + json.dumps(result))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    n, small = args.count, args.count // 4
    r = run_in_shell(args.database, SCRIPT.format(count=n))
    print(f"supplier invoices: {n} (and {small}), each with its purchase order and receipt")
    print(f"  Odoo create + post the bills ({n})          : {r['base']:7.2f} s")
    print(f"  intake + checks + match + post (ours, {n})  : {r['ours']:7.2f} s")
    print(f"  ours / Odoo at {n}: {r['ours'] / r['base']:.2f}x  (goal <= 1.5x)")
    print(
        f"  Odoo create + post ({small}): {r['base_small']:7.2f} s; ours ({small}): {r['ours_small']:7.2f} s"
    )
    print(f"  ours {n} / ours {small}: {r['ours'] / r['ours_small']:.2f}x  (goal <= 4.6x, linear)")


if __name__ == "__main__":
    main()
