{
    "name": "Vietnam E-invoices: Bill Match Bridge",
    "summary": "Supplier e-invoices whose checks fail hold the vendor bill's payment",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["einvoice_vn", "purchase_bill_match"],
    "auto_install": True,
    "installable": True,
}
