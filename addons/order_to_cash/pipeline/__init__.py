"""Pure-Python core of order_to_cash: no odoo import, tested with plain pytest."""
