"""Issue N posted invoices end to end against a local T-VAN vs Odoo posting them.

Inside ``odoo shell`` on a database with einvoice_vn: N draft customer invoices are posted
(Odoo's own work, the baseline), then issued (XML built, validated, signed with xmlsec,
sent over HTTP to a provider on 127.0.0.1 that verifies every signature, answer stored
and archived). Goal: issuing <= 3x posting.
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import base64, json, time
    from odoo import Command, fields
    from odoo.addons.einvoice_vn.tests.certs import make_pkcs12
    from odoo.addons.einvoice_vn.tests.provider_server import ProviderServer
    N = {count}
    company = env.company
    server = ProviderServer().__enter__()
    cert = env['einvoice.vn.certificate'].create({{
        'name': 'bench', 'pkcs12': base64.b64encode(make_pkcs12('0100109106')),
        'password': 'secret'}})
    company.write({{
        'vat': '0100109106', 'street': '12 Tràng Tiền', 'city': 'Hoàn Kiếm',
        'einvoice_vn_provider': 'tvan', 'einvoice_vn_url': server.url,
        'einvoice_vn_username': 'seller', 'einvoice_vn_password': 'secret',
        'einvoice_vn_certificate_id': cert.id}})
    journal = env['account.journal'].search(
        [('type', '=', 'sale'), ('company_id', '=', company.id)], limit=1)
    symbol = env['einvoice.vn.symbol'].create({{'template': '1',
        'name': 'C' + fields.Date.today().strftime('%y') + 'TBN'}})
    journal.write({{'einvoice_vn_enabled': True, 'einvoice_vn_symbol_id': symbol.id}})
    tax = env['account.tax'].create({{'name': 'bench 10%', 'amount': 10,
        'amount_type': 'percent', 'type_tax_use': 'sale'}})
    partner = env['res.partner'].create({{'name': 'Bench buyer', 'vat': '0100109106-001'}})
    product = env['product.product'].create({{'name': 'Bench product', 'list_price': 100000}})
    moves = env['account.move'].create([{{
        'move_type': 'out_invoice', 'partner_id': partner.id, 'journal_id': journal.id,
        'invoice_date': fields.Date.today(),
        'invoice_line_ids': [Command.create({{'product_id': product.id, 'quantity': 1 + i % 7,
            'price_unit': 100000, 'tax_ids': [Command.set(tax.ids)]}})]}} for i in range(N)])
    env.cr.commit()
    started = time.perf_counter()
    for move in moves:
        move.action_post()
    env.flush_all()
    post = time.perf_counter() - started
    env.cr.commit()
    started = time.perf_counter()
    for move in moves:
        move.action_einvoice_vn_issue()
    env.flush_all()
    issue = time.perf_counter() - started
    states = moves.mapped('einvoice_vn_state')
    assert states == ['accepted'] * N, set(states)
    assert set(server.state.creations.values()) == {{1}}
    env.cr.rollback()
    server.__exit__(None, None, None)
    print('RESULT=' + json.dumps({{'post': post, 'issue': issue}}))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    result = run_in_shell(args.database, SCRIPT.format(count=args.count))
    print(f"invoices: {args.count}")
    print(f"  Odoo posting (action_post)        : {result['post']:7.2f} s")
    print(f"  e-invoice issue end to end (ours) : {result['issue']:7.2f} s")
    print(f"  issue / post: {result['issue'] / result['post']:.2f}x  (goal <= 3x)")


if __name__ == "__main__":
    main()
