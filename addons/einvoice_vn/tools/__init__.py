"""Pure-Python core of einvoice_vn: no odoo import, tested with plain pytest."""
