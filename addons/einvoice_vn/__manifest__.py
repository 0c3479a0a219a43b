{
    "name": "Vietnam E-invoices",
    "summary": "Vietnamese e-invoices: XML per the tax authority format, xmlsec signing, "
    "provider sending, lifecycle",
    "version": "19.0.0.1.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["account"],
    "data": [
        "security/einvoice_vn_security.xml",
        "views/einvoice_vn_menus.xml",
    ],
    "installable": True,
}
