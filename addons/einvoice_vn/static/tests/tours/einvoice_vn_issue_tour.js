import { registry } from "@web/core/registry";

// An invoice -> issue its e-invoice -> the document with its authority code -> the invoice
// as printed, with the code, the QR and (sandbox) the demo watermark.
registry.category("web_tour.tours").add("einvoice_vn_issue", {
    steps: () => [
        {
            content: "Issue the e-invoice",
            trigger: ".o_statusbar_buttons button[name='action_einvoice_vn_issue']",
            run: "click",
        },
        {
            content: "The invoice's e-invoice is accepted",
            trigger: "button[name='action_einvoice_vn_open_document']:contains('Accepted')",
        },
        {
            content: "Open the e-invoice",
            trigger: "button[name='action_einvoice_vn_open_document']",
            run: "click",
        },
        {
            content: "The document shows its authority code (MCCQT)",
            trigger: ".o_form_view .o_field_widget[name='authority_code'] span:not(:empty)",
        },
        {
            content: "and says it is a demo",
            trigger: ".alert-warning:contains('DEMO – không có giá trị')",
        },
        {
            content: "Show the invoice as printed",
            trigger: ".o_statusbar_buttons button[name='action_show_invoice']",
            run: "click",
        },
        {
            content: "The printed invoice carries the authority code, the QR and the watermark",
            trigger: ":iframe .page:contains('Mã của cơ quan thuế'):has(img[src*='barcode_type=QR']) .o_einvoice_vn_watermark",
        },
    ],
});
