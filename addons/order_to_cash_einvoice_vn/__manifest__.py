{
    "name": "Order to Cash - Vietnam E-invoices",
    "summary": "Invoices the Order to Cash job posts are queued as Vietnamese e-invoices "
    "when their sales channel says so",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["order_to_cash", "einvoice_vn"],
    "data": ["views/o2c_channel_views.xml"],
    "auto_install": True,
    "installable": True,
}
