-- Neutralized copies must not send SMS to real customers nor keep the gateway's credentials.
UPDATE res_company
   SET ar_sms_url = NULL,
       ar_sms_auth = NULL;
