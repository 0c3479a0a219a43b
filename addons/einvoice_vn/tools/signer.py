"""Seller signature of an ``HDon`` with xmlsec, and verification of any signature in it.

Signature (W3C XML-DSig, RSA-SHA256, inclusive c14n) in ``DSCKS/NBan/Signature`` with two
references: ``#<DLHDon@Id>`` (enveloped transform) and ``#<Object@Id>``, an Object holding
SignatureProperties/SignatureProperty/SigningTime. KeyInfo/X509Data carries the subject name
and the certificate. Verification registers every ``Id`` attribute as an XML ID and accepts
RSA-SHA1 as well, which real sellers still use.
"""

import base64
import datetime
import re
from dataclasses import dataclass

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

DSIG = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DSIG}
SIGNING_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class SignError(ValueError):
    """Key material or document that cannot be signed."""


@dataclass
class Certificate:
    """Key and certificate of a seller, loaded from PKCS#12."""

    key_pem: bytes
    cert_pem: bytes
    subject: str
    issuer: str
    serial: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    tax_id: str

    @classmethod
    def from_pkcs12(cls, data, password):
        try:
            key, cert, _chain = pkcs12.load_key_and_certificates(
                data, password.encode() if isinstance(password, str) else password
            )
        except (ValueError, TypeError) as exc:
            raise SignError(f"cannot open the PKCS#12 file: {exc}") from exc
        if key is None or cert is None:
            raise SignError("the PKCS#12 file holds no private key or no certificate")
        subject = cert.subject.rfc4514_string()
        return cls(
            key_pem=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            cert_pem=cert.public_bytes(serialization.Encoding.PEM),
            subject=subject,
            issuer=cert.issuer.rfc4514_string(),
            serial=format(cert.serial_number, "X"),
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            tax_id=tax_id_of_subject(subject),
        )


def tax_id_of_subject(subject):
    """The MST in ``UID=MST:0106869738-002`` of a certificate subject, or ''."""
    match = re.search(r"MST:([0-9]{10}(?:-[0-9]{3})?)", subject or "")
    return match.group(1) if match else ""


def _dsig(tag):
    return f"{{{DSIG}}}{tag}"


# Signature and digest algorithms by name: we sign RSA-SHA256; SHA1 exists because real
# sellers still send it and the intake tests must build such invoices.
ALGORITHMS = {
    "sha256": (xmlsec.Transform.RSA_SHA256, xmlsec.Transform.SHA256),
    "sha1": (xmlsec.Transform.RSA_SHA1, xmlsec.Transform.SHA1),
}


# Root element -> (the element its taxpayer signs, where the taxpayer's MST is).
SIGNED_DATA = {
    "HDon": ("DLHDon", "DLHDon/NDHDon/NBan/MST"),
    "TBao": ("DLTBao", "DLTBao/MST"),  # 04/SS-HĐĐT, signed in DSCKS/NNT
}


def sign(
    root,
    certificate,
    signing_time=None,
    signature_id="seller",
    digest="sha256",
    holder="NBan",
    extra_references=(),
):
    """Sign ``root`` (an HDon element, or a TBao notice with ``holder="NNT"``) in
    place; return the Signature.

    By default as the seller (``DSCKS/NBan``). ``holder`` names another signer's element
    under DSCKS (``CQT`` for the tax authority), ``extra_references`` elements with an
    ``Id`` signed as well (the authority signs ``MCCQT``), ``digest`` is "sha256" or "sha1".
    """
    if digest not in ALGORITHMS:
        raise SignError(f"unknown digest {digest!r} (known: {', '.join(ALGORITHMS)})")
    method, digest_method = ALGORITHMS[digest]
    data_tag, tax_id_path = SIGNED_DATA.get(root.tag, SIGNED_DATA["HDon"])
    data = root.find(data_tag)
    if data is None or not data.get("Id"):
        raise SignError(f"{root.tag} has no {data_tag} with an Id attribute")
    seller_tax_id = (root.findtext(tax_id_path) or "").strip()
    if holder in ("NBan", "NNT") and certificate.tax_id and certificate.tax_id != seller_tax_id:
        raise SignError(
            f"the certificate belongs to MST {certificate.tax_id}, "
            f"the invoice seller is MST {seller_tax_id or '(none)'}"
        )
    signing_time = signing_time or datetime.datetime.now()
    signatures = root.find("DSCKS")
    if signatures is None:
        signatures = etree.SubElement(root, "DSCKS")
    signer_node = signatures.find(holder)
    if signer_node is None:
        signer_node = etree.SubElement(signatures, holder)
    signature = xmlsec.template.create(
        signer_node,
        xmlsec.Transform.C14N,
        method,
        name=signature_id,
        ns="ds",
    )
    signature.set("Id", signature_id)
    signer_node.append(signature)
    ref = xmlsec.template.add_reference(signature, digest_method, uri=f"#{data.get('Id')}")
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    for extra in extra_references:
        if not extra.get("Id"):
            raise SignError(f"element {extra.tag} to sign has no Id attribute")
        extra_ref = xmlsec.template.add_reference(
            signature, digest_method, uri=f"#{extra.get('Id')}"
        )
        xmlsec.template.add_transform(extra_ref, xmlsec.Transform.C14N)
    object_id = f"{signature_id}-SigningTime"
    obj_ref = xmlsec.template.add_reference(signature, digest_method, uri=f"#{object_id}")
    xmlsec.template.add_transform(obj_ref, xmlsec.Transform.C14N)
    key_info = xmlsec.template.ensure_key_info(signature)
    x509_data = xmlsec.template.add_x509_data(key_info)
    subject_name = xmlsec.template.x509_data_add_subject_name(x509_data)
    subject_name.text = certificate.subject
    xmlsec.template.x509_data_add_certificate(x509_data)
    obj = etree.SubElement(signature, _dsig("Object"), Id=object_id)
    props = etree.SubElement(obj, _dsig("SignatureProperties"))
    prop = etree.SubElement(props, _dsig("SignatureProperty"), Target=f"#{signature_id}")
    etree.SubElement(prop, "SigningTime").text = signing_time.strftime(SIGNING_TIME_FORMAT)

    ctx = xmlsec.SignatureContext()
    try:
        key = xmlsec.Key.from_memory(certificate.key_pem, xmlsec.KeyFormat.PEM)
        key.load_cert_from_memory(certificate.cert_pem, xmlsec.KeyFormat.CERT_PEM)
    except xmlsec.Error as exc:
        raise SignError(f"xmlsec cannot load the key: {exc}") from exc
    ctx.key = key
    ctx.register_id(data, "Id")
    ctx.register_id(obj, "Id")
    for extra in extra_references:
        ctx.register_id(extra, "Id")
    ctx.sign(signature)
    return signature


def _register_ids(ctx, root):
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("Id"):
            ctx.register_id(node, "Id")


def _certificate_key(signature):
    node = signature.find(".//ds:X509Certificate", NS)
    if node is None or not (node.text or "").strip():
        raise SignError("the signature carries no X509Certificate")
    der = base64.b64decode("".join(node.text.split()))
    return xmlsec.Key.from_memory(der, xmlsec.KeyFormat.CERT_DER, None), der


def verify(root, signature=None):
    """Verify one signature (default: the seller's) with the certificate it carries.

    Return the certificate's subject; raise SignError when the signature does not match.
    """
    if signature is None:
        signature = root.find("DSCKS/NBan/ds:Signature", NS)
    if signature is None:
        raise SignError("no seller signature in DSCKS/NBan")
    key, der = _certificate_key(signature)
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    _register_ids(ctx, root)
    try:
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise SignError(f"signature does not verify: {exc}") from exc
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()


def verify_all(root):
    """Verify every signature of the document (seller, tax authority, ...)."""
    return [verify(root, sig) for sig in root.iterfind(".//ds:Signature", NS)]
