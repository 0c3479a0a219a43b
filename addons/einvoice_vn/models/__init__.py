from . import (
    account_journal,
    account_move,
    account_move_send,
    einvoice_vn_certificate,
    einvoice_vn_document,
    einvoice_vn_symbol,
    ir_attachment,
    res_company,
    res_partner,
)
