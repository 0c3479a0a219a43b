"""Pure-Python core of ar_reminders: no odoo import, tested with plain pytest."""
