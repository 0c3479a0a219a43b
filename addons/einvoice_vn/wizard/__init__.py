from . import einvoice_vn_correction, einvoice_vn_inbound_upload
