"""Stage 7 KPIs over 100,000 orders vs a bare SQL aggregate over the same rows.

Inside ``odoo shell`` on a database with order_to_cash (a copy of main_spb, e.g.
``o2c_kpi_bench``). Set-up, not timed, once per database: one real order (two lines,
confirmed, delivered, its parcel at a carrier) is made with the ORM, then cloned with SQL
``INSERT ... SELECT`` into N orders with their lines, delivery orders, stock moves and
parcels, over 30 days, three channels, two carriers, two salespeople; 5 % cancelled, 9 %
short in the first delivery, 70 % delivered by the carrier, 2/3 paid; committed, ANALYZE.

Measured, best of 3 runs each, on the same rows (orders accepted in the 30 days):
- bare SQL: one query computing per channel the same numbers (orders, cancellations,
  median and p90 of every transition with ``percentile_cont``, OTIF by promised date,
  perfect orders, fill rate, delivered SLA, complaints, rating, COD outstanding) in
  PostgreSQL, over the same joins (lines, first deliveries, parcels, credit notes,
  returns, complaints);
- ours: ``sale.order.o2c_kpis(date_from, date_to, "channel")`` (record rules, one SQL row
  per order, the formulas of ``pipeline/kpis.py`` in Python).

The two results are compared (orders, OTIF, fill rate, medians) before the ratio is
printed: ours / bare (goal <= 3x).
"""

import argparse
import textwrap

from shell import run_in_shell

SCRIPT = textwrap.dedent(
    """
    import datetime, json, time
    from odoo import Command
    from odoo.tools import SQL
    N = {count}
    TAG = 'KPI-BENCH-'
    env = env(user=env.ref('base.user_admin'))
    cr = env.cr
    START = datetime.datetime(2026, 10, 1)
    date_from, date_to = '2026-10-01', '2026-10-30'
    cr.execute("SELECT count(*) FROM sale_order WHERE name LIKE %s", [TAG + '%'])
    have = cr.fetchone()[0]
    if have != N:
        su = env(su=True)
        cr.execute("SELECT id FROM sale_order WHERE name LIKE %s", [TAG + '%'])
        assert not cr.fetchall(), 'run on a fresh copy of main_spb'
        stamp = str(time.time_ns())
        wh = su['stock.warehouse'].create({{'name': 'KPI bench', 'code': 'KB' + stamp[-3:]}})
        partner = su['res.partner'].create({{
            'name': 'KPI bench customer', 'phone': '+84 900 000 007', 'street': '1 Lê Lợi',
            'city': 'Phường Sài Gòn', 'state_id': env.ref('base.state_vn_VN-SG').id,
            'country_id': env.ref('base.vn').id}})
        products = su['product.product'].create([{{
            'name': f'KPI bench {{i}}', 'is_storable': True, 'type': 'consu',
            'list_price': 100.0}} for i in range(2)])
        for product in products:
            su['stock.quant']._update_available_quantity(product, wh.lot_stock_id, 10)
        channels = su['o2c.channel'].create([{{
            'name': f'KPI bench {{c}}', 'code': f'kb-{{c}}-{{stamp}}', 'channel_type': 'website'}}
            for c in 'ABC'])
        carriers = su['o2c.carrier.account'].create([
            {{'name': 'KPI bench GHN', 'carrier': 'ghn', 'shop_id': '1'}},
            {{'name': 'KPI bench GHTK', 'carrier': 'ghtk'}}])
        users = env.ref('base.user_admin') | su['res.users'].create(
            {{'name': 'KPI bench seller', 'login': 'kpi-bench-' + stamp}})
        template = su['sale.order'].create({{
            'partner_id': partner.id, 'warehouse_id': wh.id,
            'order_line': [Command.create({{'product_id': p.id, 'product_uom_qty': q}})
                           for p, q in zip(products, (2, 1))]}})
        template.action_confirm()
        picking = template.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        su['o2c.shipment'].create({{'carrier_account_id': carriers[0].id,
            'picking_id': picking.id, 'tracking_ref': 'KB-TEMPLATE-' + stamp,
            'cod_amount': 100000}})
        env.flush_all()

        def columns(table):
            cr.execute(\"\"\"SELECT column_name FROM information_schema.columns
                           WHERE table_name = %s AND column_name != 'id'
                             AND is_generated = 'NEVER'\"\"\", [table])
            return [r[0] for r in cr.fetchall()]

        def clone(table, source, overrides, extra_from=''):
            cols = columns(table)
            exprs = [overrides.get(c, 't.' + c) for c in cols]
            cr.execute(f"INSERT INTO {{table}} ({{', '.join(cols)}}) SELECT "
                       f"{{', '.join(exprs)}} FROM {{source}} {{extra_from}}")

        i_ts = lambda hours: f"(TIMESTAMP '{{START}}' + (i % 30) * interval '1 day' + (i % 600) * interval '1 minute' + {{hours}})"
        acc = i_ts("interval '0 hour'")
        ver = f"({{acc}} + (1 + i % 7) * interval '1 hour')"
        pack = f"({{ver}} + (2 + i % 13) * interval '1 hour')"
        ship = f"({{pack}} + (1 + i % 5) * interval '1 hour')"
        delivered = f"CASE WHEN i % 10 < 7 THEN {{ship}} + (12 + i % 48) * interval '1 hour' END"
        paid = f"CASE WHEN i % 4 > 0 THEN {{ship}} + (20 + i % 90) * interval '1 hour' END"
        cancel = "i % 20 = 0"
        channel_ids = ','.join(str(c) for c in channels.ids)
        user_ids = ','.join(str(u) for u in users.ids)
        cr.execute("CREATE TEMP TABLE kb_i AS SELECT generate_series(1, %s) AS i", [N])
        clone('sale_order', 'sale_order t CROSS JOIN kb_i', {{
            'name': f"'{{TAG}}' || i",
            'state': f"CASE WHEN {{cancel}} THEN 'cancel' ELSE 'sale' END",
            'o2c_channel_id': f"(ARRAY[{{channel_ids}}])[1 + i % 3]",
            'user_id': f"(ARRAY[{{user_ids}}])[1 + i % 2]",
            'o2c_external_ref': 'NULL',
            'date_order': acc, 'create_date': acc,
            'o2c_date_accepted': acc,
            'o2c_date_verified': f"CASE WHEN {{cancel}} THEN NULL ELSE {{ver}} END",
            'o2c_date_packed': f"CASE WHEN {{cancel}} THEN NULL ELSE {{pack}} END",
            'o2c_date_shipped': f"CASE WHEN {{cancel}} THEN NULL ELSE {{ship}} END",
            'o2c_date_delivered': f"CASE WHEN {{cancel}} THEN NULL ELSE {{delivered}} END",
            'o2c_date_paid': f"CASE WHEN {{cancel}} THEN NULL ELSE {{paid}} END",
            'commitment_date': f"{{acc}} + interval '72 hours'",
        }}, f'WHERE t.id = {{template.id}}')
        cr.execute("CREATE TEMP TABLE kb_order AS SELECT id, substr(name, %s)::int AS i "
                   "FROM sale_order WHERE name LIKE %s", [len(TAG) + 1, TAG + '%'])
        clone('sale_order_line',
              'sale_order_line t CROSS JOIN kb_order o',
              {{'order_id': 'o.id', 'state': "CASE WHEN o.i % 20 = 0 THEN 'cancel' ELSE 'sale' END"}},
              f'WHERE t.order_id = {{template.id}}')
        clone('stock_picking', 'stock_picking t CROSS JOIN kb_order o',
              {{'name': "'KB/' || o.i", 'origin': "'KB/' || o.i", 'sale_id': 'o.id'}},
              f'WHERE t.id = {{picking.id}} AND o.i % 20 != 0')
        cr.execute(\"\"\"CREATE TEMP TABLE kb_line AS
            SELECT l.id, l.order_id, l.product_id, o.i FROM sale_order_line l
              JOIN kb_order o ON o.id = l.order_id\"\"\")
        clone('stock_move', \"\"\"stock_move t JOIN kb_line l ON l.product_id = t.product_id
              JOIN stock_picking p ON p.sale_id = l.order_id\"\"\",
              {{'sale_line_id': 'l.id', 'picking_id': 'p.id', 'reference': "p.name",
               'quantity': 'CASE WHEN l.i % 11 = 0 THEN t.quantity - 1 ELSE t.quantity END'}},
              f'WHERE t.picking_id = {{picking.id}}')
        carrier_ids = ','.join(str(c) for c in carriers.ids)
        clone('o2c_shipment', \"\"\"o2c_shipment t JOIN stock_picking p ON p.sale_id IS NOT NULL
              JOIN kb_order o ON o.id = p.sale_id\"\"\", {{
            'picking_id': 'p.id', 'sale_order_id': 'o.id',
            'tracking_ref': "'KB' || o.i", 'name': "'KB' || o.i", 'client_ref': 'p.name',
            'carrier_account_id': f"(ARRAY[{{carrier_ids}}])[1 + o.i % 2]",
            'state': "CASE WHEN o.i % 10 < 7 THEN 'delivered' ELSE 'in_transit' END",
            'cod_remitted': 'o.i % 4 = 0',
        }}, f"WHERE t.picking_id = {{picking.id}} AND o.i % 10 < 8")
        # The template itself is not one of the measured orders.
        cr.execute("UPDATE sale_order SET o2c_date_accepted = '2026-01-01' WHERE id = %s",
                   [template.id])
        cr.commit()
    cr.execute('ANALYZE')
    env.invalidate_all()

    # Not a sample: what the formulas of pipeline/kpis.py compute, in PostgreSQL.
    bare = SQL(\"\"\"
    WITH orders AS (
        SELECT so.* FROM sale_order so
         WHERE so.company_id = ANY(%(companies)s)
           AND so.o2c_date_accepted >= %(start)s AND so.o2c_date_accepted < %(end)s
    ),
    lines AS (
        SELECT l.id, l.order_id, l.product_uom_qty, l.customer_lead FROM sale_order_line l
          JOIN orders o ON o.id = l.order_id
          JOIN product_product pp ON pp.id = l.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
         WHERE l.display_type IS NULL AND l.is_downpayment IS NOT TRUE AND pt.type = 'consu'
    ),
    fd AS (
        SELECT m.sale_line_id, SUM(m.quantity) AS qty FROM stock_move m
          JOIN lines l ON l.id = m.sale_line_id
          JOIN stock_picking p ON p.id = m.picking_id
          JOIN stock_location d ON d.id = m.location_dest_id
         WHERE m.state = 'done' AND p.backorder_id IS NULL AND d.usage = 'customer'
         GROUP BY m.sale_line_id
    ),
    lf AS (
        SELECT l.order_id, COUNT(*) AS n,
               COUNT(*) FILTER (WHERE COALESCE(fd.qty, 0) >= l.product_uom_qty) AS full_lines,
               SUM(l.product_uom_qty) AS units,
               SUM(LEAST(COALESCE(fd.qty, 0), l.product_uom_qty)) AS filled,
               MIN(l.customer_lead) AS min_lead, MAX(l.customer_lead) AS max_lead
          FROM lines l LEFT JOIN fd ON fd.sale_line_id = l.id GROUP BY l.order_id
    ),
    sh AS (
        SELECT s.sale_order_id AS order_id, bool_or(s.state = 'lost') AS damaged,
               SUM(s.cod_amount) FILTER (WHERE s.state = 'delivered'
                   AND s.cod_remitted IS NOT TRUE AND s.cod_amount > 0) AS cod
          FROM o2c_shipment s JOIN orders o ON o.id = s.sale_order_id
         WHERE s.state != 'cancelled' GROUP BY 1
    ),
    cn AS (
        SELECT sol.order_id,
               COUNT(DISTINCT am.id) FILTER (WHERE am.move_type = 'out_refund'
                   AND am.state = 'posted') AS n,
               bool_and(am.state = 'posted') FILTER (WHERE am.move_type = 'out_invoice'
                   AND am.state != 'cancel') AS posted
          FROM sale_order_line sol
          JOIN orders o ON o.id = sol.order_id
          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
          JOIN account_move_line aml ON aml.id = rel.invoice_line_id
          JOIN account_move am ON am.id = aml.move_id
         WHERE am.move_type IN ('out_invoice', 'out_refund') GROUP BY 1
    ),
    ret AS (
        SELECT rl.order_id FROM o2c_return_line rl JOIN o2c_return r ON r.id = rl.return_id
          JOIN orders o ON o.id = rl.order_id
         WHERE r.state NOT IN ('refused', 'cancel') AND rl.reason IS NOT NULL GROUP BY 1
    ),
    cmp AS (
        SELECT c.order_id, bool_or(c.category = 'billing') AS billing FROM o2c_complaint c
          JOIN orders o ON o.id = c.order_id WHERE c.state != 'cancel' GROUP BY 1
    ),
    f AS (
        SELECT o.o2c_channel_id AS key, o.state,
               o.o2c_date_accepted AS acc, o.o2c_date_verified AS ver, o.o2c_date_packed AS pack,
               o.o2c_date_shipped AS ship, o.o2c_date_delivered AS deliv, o.o2c_date_paid AS paid,
               COALESCE(o.o2c_date_delivered,
                        CASE WHEN sh.order_id IS NULL THEN o.o2c_date_shipped END) AS got,
               COALESCE(o.commitment_date, o.date_order + interval '1 day' *
                   CASE WHEN o.picking_policy = 'direct' THEN lf.min_lead ELSE lf.max_lead END)
                   AS due,
               o.o2c_date_shipped IS NOT NULL AND lf.n > 0 AND lf.full_lines >= lf.n AS in_full,
               COALESCE(lf.n, 0) AS n, COALESCE(lf.full_lines, 0) AS full_lines,
               COALESCE(lf.units, 0) AS units, COALESCE(lf.filled, 0) AS filled,
               COALESCE(sh.damaged, FALSE) AS damaged, COALESCE(sh.cod, 0) AS cod,
               o.invoice_status = 'invoiced' AND cn.posted IS TRUE AND COALESCE(cn.n, 0) = 0
                   AND cmp.billing IS NOT TRUE AS invoice_ok,
               ret.order_id IS NOT NULL AS returned, cmp.order_id IS NOT NULL AS complained,
               NULLIF(o.o2c_rating, 0) AS rating,
               o.o2c_sla_due_delivered AS due_deliv
          FROM orders o LEFT JOIN lf ON lf.order_id = o.id
          LEFT JOIN sh ON sh.order_id = o.id LEFT JOIN cn ON cn.order_id = o.id
          LEFT JOIN ret ON ret.order_id = o.id LEFT JOIN cmp ON cmp.order_id = o.id
    ),
    g AS (
        SELECT f.*, state = 'sale' AND due IS NOT NULL AND (got IS NOT NULL OR due < %(now)s)
                   AS measured,
               got IS NOT NULL AND got <= due AS on_time
          FROM f
    )
    SELECT key, COUNT(*), COUNT(*) FILTER (WHERE state = 'cancel'),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ver - acc) / 3600)
               FILTER (WHERE state != 'cancel' AND ver >= acc),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ver - acc) / 3600)
               FILTER (WHERE state != 'cancel' AND ver >= acc),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM pack - ver) / 3600)
               FILTER (WHERE state != 'cancel' AND pack >= ver),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM pack - ver) / 3600)
               FILTER (WHERE state != 'cancel' AND pack >= ver),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ship - pack) / 3600)
               FILTER (WHERE state != 'cancel' AND ship >= pack),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ship - pack) / 3600)
               FILTER (WHERE state != 'cancel' AND ship >= pack),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM deliv - ship) / 3600)
               FILTER (WHERE state != 'cancel' AND deliv >= ship),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM deliv - ship) / 3600)
               FILTER (WHERE state != 'cancel' AND deliv >= ship),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM paid - acc) / 3600)
               FILTER (WHERE state != 'cancel' AND paid >= acc),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM paid - acc) / 3600)
               FILTER (WHERE state != 'cancel' AND paid >= acc),
           COUNT(*) FILTER (WHERE measured),
           COUNT(*) FILTER (WHERE measured AND on_time AND in_full),
           COUNT(*) FILTER (WHERE measured AND on_time AND in_full AND NOT damaged
                            AND NOT returned AND invoice_ok),
           SUM(n) FILTER (WHERE state != 'cancel' AND ship IS NOT NULL),
           SUM(full_lines) FILTER (WHERE state != 'cancel' AND ship IS NOT NULL),
           SUM(units) FILTER (WHERE state != 'cancel' AND ship IS NOT NULL),
           SUM(filled) FILTER (WHERE state != 'cancel' AND ship IS NOT NULL),
           SUM(cod) FILTER (WHERE state != 'cancel'),
           COUNT(*) FILTER (WHERE state = 'sale' AND complained),
           AVG(rating) FILTER (WHERE state != 'cancel'),
           COUNT(*) FILTER (WHERE state != 'cancel' AND due_deliv IS NOT NULL
                            AND (got IS NOT NULL OR due_deliv < %(now)s)),
           COUNT(*) FILTER (WHERE state != 'cancel' AND got <= due_deliv)
      FROM g GROUP BY key
    \"\"\", companies=env.companies.ids, start=date_from, end='2026-10-31',
        now=datetime.datetime.now())

    def best(fn):
        times = []
        for _ in range(3):
            env.invalidate_all()
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        return min(times), times, result

    t_bare, bare_times, rows = best(lambda: env.execute_query(bare))
    t_ours, our_times, ours = best(
        lambda: env['sale.order'].o2c_kpis(date_from, date_to, 'channel'))
    # Where our time goes: the SQL row query alone (one row of facts per order).
    t_rows, _rows_times, _rows = best(lambda: env['o2c.kpi']._fetch(
        datetime.date(2026, 10, 1), datetime.date(2026, 10, 30), 'channel'))
    by_key = {{g['key']: g['kpis'] for g in ours['groups']}}

    def close(a, b):
        # o2c_kpis says False (XML-RPC's "no value") where SQL says NULL
        a = None if a is False else a
        return (a is None and b is None) or abs(a - b) < 1e-6

    for row in rows:
        k = by_key[row[0]]
        assert k['orders'] == row[1] and k['cancellation']['cancelled'] == row[2], row[:3]
        cycle = k['cycle_time_hours']
        for n, key in enumerate(['accepted_verified', 'verified_packed', 'packed_shipped',
                                 'shipped_delivered', 'order_to_cash']):
            assert close(cycle[key]['median'], row[3 + 2 * n]), (key, cycle[key], row)
            assert close(cycle[key]['p90'], row[4 + 2 * n]), (key, cycle[key], row)
        assert (k['otif']['measured'], k['otif']['otif'], k['perfect_order']['perfect']) == \\
            tuple(row[13:16]), (k['otif'], row[13:16])
        assert (k['fill_rate']['lines'], k['fill_rate']['lines_filled']) == tuple(row[16:18])
        assert abs(k['fill_rate']['units_filled'] - float(row[19])) < 1e-6
        assert abs(k['cod_outstanding']['amount'] - float(row[20] or 0)) < 0.01
        assert k['complaints']['orders_with_complaint'] == row[21]
        assert close(k['rating']['average'], row[22] and float(row[22]))
        sla = k['sla_compliance']['delivered']
        assert (sla['measured'], sla['met']) == (row[23], row[24]), (sla, row[23:25])
    print('RESULT=' + json.dumps({{'orders': ours['total']['orders'], 'groups': len(rows),
        'bare': t_bare, 'ours': t_ours, 'bare_all': bare_times, 'ours_all': our_times,
        'rows': t_rows,
        'otif': ours['total']['otif']['rate'],
        'o2c_median': ours['total']['cycle_time_hours']['order_to_cash']['median']}}))
    """
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--count", type=int, default=100000)
    args = parser.parse_args()
    r = run_in_shell(args.database, SCRIPT.format(count=args.count))
    print(f"KPIs over {r['orders']} orders, {r['groups']} channels (best of 3):")
    print(
        f"  bare SQL aggregate (percentile_cont)  : {r['bare'] * 1000:8.1f} ms  "
        f"{[round(v * 1000) for v in r['bare_all']]}"
    )
    print(
        f"  o2c_kpis (SQL rows + pipeline/kpis.py): {r['ours'] * 1000:8.1f} ms  "
        f"{[round(v * 1000) for v in r['ours_all']]}"
    )
    print(f"    of which the SQL row query        : {r['rows'] * 1000:8.1f} ms")
    print(f"  OTIF {r['otif']:.3f}, order to cash median {r['o2c_median']:.1f} h")
    print(f"  ours / bare: {r['ours'] / r['bare']:.2f}x  (goal <= 3x)")


if __name__ == "__main__":
    main()
