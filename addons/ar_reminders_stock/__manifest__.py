{
    "name": "Receivable Reminders - Stop Shipments",
    "summary": "A reminder level that stops shipments: delivery orders to the customer cannot "
    "be validated until the overdue invoices are paid",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["ar_reminders", "stock"],
    "data": ["views/stock_picking_views.xml"],
    "auto_install": True,
    "installable": True,
}
