"""Certificates of supplier e-invoice signatures: the signer's own, its identifiers and the
path to a trusted certification authority. No odoo import, no network (no CRL or OCSP).
Use it through :mod:`.inbound`.
"""

import base64
import re

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from .inbound_read import child, children


def certificate_node(signature):
    """The first KeyInfo/X509Data/X509Certificate of the signature: the signer's own."""
    for data in children(child(signature, "KeyInfo"), "X509Data"):
        for node in children(data, "X509Certificate"):
            return node
    return None


_UID = re.compile(r"\b(MST|CMND|CCCD)\s*:\s*([0-9]{9,13}(?:-[0-9]{3})?)", re.IGNORECASE)


def embedded_certificate(signature):
    """The X509 certificate a signature carries; ValueError when there is none or it is
    damaged."""
    node = certificate_node(signature)
    if node is None or not (node.text or "").strip():
        raise ValueError("the signature carries no X509Certificate")
    der = base64.b64decode("".join(node.text.split()), validate=True)
    return x509.load_der_x509_certificate(der)


def certificate_ids(cert):
    """The (kind, id) pairs of ``UID=MST:...``, ``CMND:`` or ``CCCD:`` in the subject."""
    return [
        (kind.upper(), ident)
        for attribute in cert.subject
        for kind, ident in _UID.findall(str(attribute.value))
    ]


def load_certificates(values):
    """x509 certificates from PEM or DER bytes (or certificates already loaded)."""
    certificates = []
    for value in values or ():
        if isinstance(value, x509.Certificate):
            certificates.append(value)
        elif b"-----BEGIN" in value:
            certificates.append(x509.load_pem_x509_certificate(value))
        else:
            certificates.append(x509.load_der_x509_certificate(value))
    return certificates


def chain_certificates(signature):
    """The other certificates of KeyInfo/X509Data (intermediate CAs some signers include);
    those that cannot be read are ignored, since KeyInfo is not signed."""
    found = []
    nodes = [
        node
        for data in children(child(signature, "KeyInfo"), "X509Data")
        for node in children(data, "X509Certificate")
    ]
    for node in nodes[1:]:
        try:
            found.append(
                x509.load_der_x509_certificate(
                    base64.b64decode("".join((node.text or "").split()), validate=True)
                )
            )
        except ValueError:
            continue
    return found


def _is_ca(cert):
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def chain_to(cert, trusted, intermediates=(), depth=4):
    """[cert, ..., trusted anchor] when ``cert`` was issued by a trusted certificate,
    directly or through CA certificates among ``intermediates``, each link's signature
    verified; None otherwise."""
    anchor = issuer_of(cert, trusted)
    if anchor is not None:
        return [cert, anchor]
    if depth <= 0:
        return None
    for candidate in intermediates:
        if candidate == cert or not _is_ca(candidate) or issuer_of(cert, [candidate]) is None:
            continue
        others = [other for other in intermediates if other != candidate]
        rest = chain_to(candidate, trusted, others, depth - 1)
        if rest:
            return [cert, *rest]
    return None


def issuer_of(cert, issuers):
    """The certificate among ``issuers`` that signed ``cert``, or None."""
    for issuer in issuers:
        if issuer.subject != cert.issuer:
            continue
        key = issuer.public_key()
        try:
            if isinstance(key, rsa.RSAPublicKey):
                key.verify(
                    cert.signature,
                    cert.tbs_certificate_bytes,
                    padding.PKCS1v15(),
                    cert.signature_hash_algorithm,
                )
            elif isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(
                    cert.signature,
                    cert.tbs_certificate_bytes,
                    ec.ECDSA(cert.signature_hash_algorithm),
                )
            else:
                continue
        except InvalidSignature:
            continue
        return issuer
    return None
