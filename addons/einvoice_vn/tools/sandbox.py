"""The sandbox provider: answers like the tax authority, inside Odoo, for the demo only.

It checks the seller's signature, gives the invoice an authority code (MCCQT, 34 upper-case
hex characters, derived from the transaction UUID so that a retry gets the same code) and
signs it as the "tax authority" (``DSCKS/CQT``, over ``DLHDon`` and ``MCCQT``) with a demo
key made on this database. Nothing leaves the server, and what it issues has no legal value.

It serves only the demo tax id :data:`DEMO_MST`: a company with a real tax id cannot issue
through it by accident. No odoo import.
"""

import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree

from . import signer
from .providers import FINAL, REJECTED, Issued, ProviderError

# A tax id with a valid check digit, kept for the demo company (no real company is meant).
DEMO_MST = "0999999990"
AUTHORITY_NAME = "TỔNG CỤC THUẾ (DEMO – KHÔNG CÓ GIÁ TRỊ)"
AUTHORITY_TAX_ID = "DEMO-CQT"
WATERMARK = "DEMO – không có giá trị"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def make_pkcs12(common_name, tax_id, password, days=3650):
    """A self-signed certificate and key as PKCS#12 bytes, for the demo only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.USER_ID, f"MST:{tax_id}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"demo", key, cert, None, serialization.BestAvailableEncryption(password.encode())
    )


def authority_code(transaction_uuid):
    """The sandbox's MCCQT of a transaction: the same for every retry."""
    return hashlib.sha256(f"sandbox:{transaction_uuid}".encode()).hexdigest()[:34].upper()


class SandboxClient:
    """``issue(document)`` like the other clients, answered here by the demo authority."""

    def __init__(self, authority_certificate):
        self.authority = authority_certificate

    def issue(self, document):
        seller = (document.get("seller_tax_id") or "").replace("-", "")
        if seller != DEMO_MST:
            raise ProviderError(
                FINAL,
                f"the sandbox issues for the demo tax id {DEMO_MST} only, not {seller or '-'}",
            )
        try:
            root = etree.fromstring(document["xml"], _PARSER)
            signer.verify(root)
        except (etree.XMLSyntaxError, signer.SignError) as exc:
            raise ProviderError(REJECTED, f"sandbox: {exc}", [str(exc)]) from exc
        code = authority_code(document["transaction_uuid"])
        mccqt = etree.Element("MCCQT", Id="MCCQT")
        mccqt.text = code
        signatures = root.find("DSCKS")
        signatures.addprevious(mccqt)
        signer.sign(
            root,
            self.authority,
            signature_id="CQT",
            holder="CQT",
            extra_references=[mccqt],
        )
        signed = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return Issued(authority_code=code, signed_xml=signed, raw={"sandbox": True})
