-- Neutralized copies must not issue real e-invoices nor keep provider credentials.
UPDATE res_company
   SET einvoice_vn_provider = 'none',
       einvoice_vn_url = NULL,
       einvoice_vn_auth_url = NULL,
       einvoice_vn_username = NULL,
       einvoice_vn_password = NULL;
