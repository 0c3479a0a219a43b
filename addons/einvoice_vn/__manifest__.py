{
    "name": "Vietnam E-invoices",
    "summary": "Vietnamese e-invoices: tax authority XML, xmlsec signature, provider sending "
    "for the authority code, lifecycle, adjustments and replacements; supplier e-invoices "
    "received, verified and turned into vendor bills",
    "version": "19.0.1.2.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["account", "l10n_vn", "base_vat", "mail"],
    "external_dependencies": {"python": ["lxml", "xmlsec", "cryptography", "requests"]},
    "data": [
        # security
        "security/einvoice_vn_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        # wizards (their action is used by the invoice form)
        "wizard/einvoice_vn_correction_views.xml",
        "wizard/einvoice_vn_inbound_upload_views.xml",
        # views
        "views/einvoice_vn_document_views.xml",
        "views/einvoice_vn_inbound_views.xml",
        "views/einvoice_vn_certificate_views.xml",
        "views/einvoice_vn_symbol_views.xml",
        "views/account_move_views.xml",
        "views/config_views.xml",
        # reports
        "report/einvoice_vn_report.xml",
        # menus
        "views/einvoice_vn_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "einvoice_vn/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}
