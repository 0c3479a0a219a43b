{
    "name": "Order to Cash - Vietnamese Demo Story",
    "summary": "Demo data only: a Vietnamese distributor with its users, customers, channels, "
    "orders at every stage, e-invoices issued through the sandbox, reminders, a promise to "
    "pay and six months of collection KPIs",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["order_to_cash", "einvoice_vn", "ar_reminders", "l10n_vn"],
    "external_dependencies": {"python": ["stdnum"]},
    # Nothing without demo data: the story is built only in demo databases.
    "data": [],
    "demo": [
        "demo/o2c_demo_vn_story.xml",
    ],
    "auto_install": True,
    "installable": True,
}
