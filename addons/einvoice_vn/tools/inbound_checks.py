"""The checks of a supplier e-invoice read by :mod:`.inbound_read`. No odoo import, no network.

Each check gives a :class:`Check` with a stable ``key`` and ``params`` so that the Odoo model
renders a translated message; the English template is in :data:`MESSAGES`. Use it through
:mod:`.inbound`.
"""

import base64
import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import xmlsec
from cryptography.x509.oid import NameOID
from lxml import etree

from . import mst
from .amount_words import amount_in_words, normalize_words, words_to_amount
from .builder import rate_value
from .inbound_read import child, children, compact_tax_id, element_path, local_name
from .inbound_trust import (
    certificate_ids,
    certificate_node,
    chain_certificates,
    chain_to,
    embedded_certificate,
    load_certificates,
)

SIGNING_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Dates and times in the XML are GMT+7 (QĐ 1271/2025, part I, IV.2).
VN_TZ = datetime.timezone(datetime.timedelta(hours=7))
SIGNATURE_METHODS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "RSA-SHA1",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "RSA-SHA256",
}
# 34 characters issued by the authority; the cash-register form (QĐ 1271/2025):
# M, invoice type 1-6, year of issue, 5 characters given by the authority, 11 digits.
AUTHORITY_CODE = re.compile(r"[0-9A-Za-z]{34}")
CASH_REGISTER_CODE = re.compile(r"M([1-6])-(\d{2})-([0-9A-Z]{5})-(\d{11})")
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

CHECK_CODES = (
    "seller_signature",
    "certificate",
    "authority",
    "buyer_tax_id",
    "seller_tax_id",
    "amounts",
    "words",
)

# English text of each check message; ``Check.key`` names one, ``Check.params`` fills it.
MESSAGES = {
    "seller_signature.ok": "The seller's signature (%(algorithm)s) verifies over DLHDon "
    "#%(data_id)s and its SigningTime object.",
    "seller_signature.missing": "The invoice has no seller signature in DSCKS/NBan.",
    "seller_signature.several": "DSCKS/NBan holds %(count)s signatures; one is expected.",
    "signature.duplicate_id": "The Id value %(id)s is used by %(count)s elements: references "
    "to it are ambiguous (signature wrapping).",
    "signature.bad_uri": "The signature reference URI %(uri)s is not a same-document "
    "reference #<Id>.",
    "signature.unresolved": "The signature reference %(uri)s points to no element.",
    "signature.foreign_reference": "The signature reference %(uri)s points to %(path)s, not to "
    "%(expected)s: it signs an element we do not read (signature wrapping).",
    "signature.missing_reference": "The signature does not reference %(expected)s.",
    "signature.repeated_reference": "The signature references %(expected)s %(count)s times.",
    "signature.transform": "The signature reference %(uri)s uses the transform "
    "%(algorithm)s; only the enveloped signature and canonicalization transforms are "
    "accepted.",
    "signature.algorithm": "The signature method %(algorithm)s is not accepted (RSA-SHA1 or "
    "RSA-SHA256).",
    "signature.invalid": "The signature does not verify: %(error)s (the signed content was "
    "changed after signing, or the signature is forged).",
    "signature.no_certificate": "The signature carries no usable X509Certificate: %(error)s",
    "certificate.ok": "Certificate %(subject)s, issued by the trusted %(issuer)s, was valid at "
    "SigningTime %(signing_time)s (%(not_before)s to %(not_after)s) and its %(id_kind)s "
    "%(cert_id)s is the seller's MST %(seller_id)s.",
    "certificate.ok_issuer_not_checked": "Certificate %(subject)s was valid at SigningTime "
    "%(signing_time)s (%(not_before)s to %(not_after)s) and its %(id_kind)s %(cert_id)s is "
    "the seller's MST %(seller_id)s; its issuer %(issuer)s was not checked (no trusted "
    "certification authority is configured).",
    "certificate.untrusted_issuer": "Certificate %(subject)s was issued by %(issuer)s, which "
    "is not one of the trusted certification authorities.",
    "certificate.missing": "No seller signature, so no certificate to check.",
    "certificate.corrupted": "The seller's certificate cannot be read: %(error)s",
    "certificate.no_signing_time": "The seller's signature has no SigningTime in its "
    "signed Object.",
    "certificate.bad_signing_time": "SigningTime %(value)s is not a date and time "
    "YYYY-MM-DDThh:mm:ss.",
    "certificate.not_valid_at_signing": "Certificate %(subject)s was not valid at "
    "SigningTime %(signing_time)s: it is valid from %(not_before)s to %(not_after)s.",
    "certificate.signed_in_future": "SigningTime %(signing_time)s is later than now (%(now)s).",
    "certificate.no_uid": "The certificate subject %(subject)s carries no UID=MST:, CMND: or "
    "CCCD: identifier.",
    "certificate.uid_mismatch": "The certificate belongs to %(id_kind)s %(cert_id)s, the "
    "seller on the invoice is MST %(seller_id)s.",
    "authority.ok": "The tax authority's signature (%(subject)s) verifies over DLHDon, MCCQT "
    "%(code)s and its SigningTime object.",
    "authority.untrusted_issuer": "The authority certificate %(subject)s was issued by "
    "%(issuer)s, which is not one of the trusted certification authorities.",
    "authority.not_authority": "MCCQT is signed by %(subject)s, which is not a tax authority "
    "certificate (accepted MST or names: %(allowed)s).",
    "authority.signed_by_seller": "MCCQT is signed by %(subject)s, whose MST %(tax_id)s is "
    "the seller's: it is not the tax authority's signature.",
    "authority.signed_by_buyer": "MCCQT is signed by %(subject)s, whose MST %(tax_id)s is "
    "the buyer's: it is not the tax authority's signature.",
    "authority.not_identified": "A signature over DLHDon and MCCQT %(code)s verifies, but its "
    "signer %(subject)s (issued by %(issuer)s) was not identified as the tax authority: no "
    "tax authority MST is configured (Accounting settings, Vendor Bills).",
    "authority.issuer_not_checked": "The signature over DLHDon and MCCQT %(code)s is made by "
    "%(subject)s, but its issuer %(issuer)s was not checked (no trusted certification "
    "authority is configured): the tax authority is not proven.",
    "authority.cash_register": "Cash-register invoice: MCCQT %(code)s has the form "
    "M<type>-<year>-<5 characters>-<11 digits>; such codes carry no authority signature.",
    "authority.cash_register_mismatch": "Cash-register MCCQT %(code)s says invoice type "
    "%(code_type)s of year 20%(code_year)s, the invoice is KHMSHDon %(template)s of %(year)s.",
    "authority.without_code": "Invoice without authority code (KHHDon %(symbol)s, message "
    "type %(message_type)s): there is no MCCQT or authority signature to check.",
    "authority.code_missing": "KHHDon %(symbol)s is an invoice with authority code, but the "
    "file has no MCCQT (message type %(message_type)s).",
    "authority.bad_code": "MCCQT %(code)s is neither a 34-character authority code nor a "
    "cash-register code M1-25-XXXXX-00000000001.",
    "authority.no_signature": "MCCQT %(code)s is present but DSCKS/CQT holds no tax "
    "authority signature.",
    "authority.no_code_id": "MCCQT %(code)s has no Id attribute, so the authority "
    "signature cannot cover it.",
    "authority.several": "DSCKS/CQT holds %(count)s signatures; one is expected.",
    "authority.unexpected_code": "KHHDon %(symbol)s is an invoice without authority code, "
    "yet the file carries MCCQT %(code)s.",
    "buyer_tax_id.ok": "The buyer MST %(buyer)s is ours.",
    "buyer_tax_id.branch": "The buyer MST %(buyer)s is another unit (head office or branch) "
    "of our MST %(ours)s.",
    "buyer_tax_id.missing": "The invoice names no buyer MST (NMua/MST): it is not addressed to us.",
    "buyer_tax_id.mismatch": "The buyer MST %(buyer)s is not ours (%(ours)s).",
    "seller_tax_id.ok": "The seller MST %(seller)s is valid.",
    "seller_tax_id.citizen_id": "The seller MST %(seller)s is a 12-digit citizen id "
    "(household business): it has no check digit.",
    "seller_tax_id.invalid": "The seller MST %(seller)s is not a valid tax id (check digit or "
    "form).",
    "amounts.ok": "Lines, per-rate totals, tax and total add up.",
    "amounts.rounding": "Amounts differ by rounding only (written ≠ computed): %(details)s.",
    "amounts.mismatch": "Amounts do not add up (written ≠ computed): %(details)s.",
    "amounts.missing": "The invoice has no %(element)s: the amounts cannot be checked.",
    "words.ok": "The amount in words matches %(total)s.",
    "words.variant": "The amount in words %(words)r is a wording variant of %(total)s "
    "(expected %(expected)r).",
    "words.mismatch": "The amount in words %(words)r says %(said)s, the total is %(total)s.",
    "check.error": "The check could not run on this file: %(error)s",
    "words.unreadable": "The amount in words %(words)r cannot be read as a number; the total "
    "is %(total)s.",
}


# -- checks ----------------------------------------------------------------------------------


@dataclass
class Check:
    code: str
    result: str  # 'pass' | 'warning' | 'fail' | 'not_checked'
    message: str
    key: str
    params: dict = field(default_factory=dict)


def _check(check_code, result, key, /, **params):
    return Check(check_code, result, MESSAGES[key] % params, key, params)


class _Refused(Exception):
    """A signature refused by our own rules: carries the message key and params."""

    def __init__(self, key, **params):
        super().__init__(MESSAGES[key] % params)
        self.key = key
        self.params = params


def _ids(root):
    """Every element by Id (and xml:id, which libxml2 resolves by itself)."""
    found = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in ("Id", XML_ID):
            value = node.get(attribute)
            if value:
                found.setdefault(value, []).append(node)
    return found


def _signing_time_node(obj):
    for node in obj.iter():
        if isinstance(node.tag, str) and local_name(node) == "SigningTime":
            return node
    return None


def _signature_object(signature):
    """The Object of this Signature that holds the SigningTime.

    Usually SignatureProperties/SignatureProperty/SigningTime; some providers write
    SignedProperties/SignedProperty or put SigningTime in a namespace of their own.
    """
    for obj in children(signature, "Object"):
        if _signing_time_node(obj) is not None:
            return obj
    return None


def signing_time_of(signature):
    """The SigningTime text of the signature's own Object, or ''."""
    obj = _signature_object(signature)
    if obj is None:
        return ""
    return (_signing_time_node(obj).text or "").strip()


def _verify_signature(root, signature, expected):
    """Verify ``signature`` after checking what it references.

    ``expected`` maps a label ("HDon/DLHDon") to the one element each reference
    must resolve to. Every reference must be a ``#Id`` pointing at exactly one of them,
    each of them referenced once; Id values must be unique in the whole document.
    Return the algorithm name; raise _Refused.
    """
    ids = _ids(root)
    for value, nodes in ids.items():
        if len(nodes) > 1:
            raise _Refused("signature.duplicate_id", id=value, count=len(nodes))
    signed_info = child(signature, "SignedInfo")
    method = child(signed_info, "SignatureMethod")
    algorithm_uri = method.get("Algorithm", "") if method is not None else ""
    if algorithm_uri not in SIGNATURE_METHODS:
        raise _Refused("signature.algorithm", algorithm=algorithm_uri or "(none)")
    _check_references(signed_info, ids, expected)
    _xmlsec_verify(signature, ids)
    return SIGNATURE_METHODS[algorithm_uri]


def _check_references(signed_info, ids, expected):
    seen = dict.fromkeys(expected, 0)
    for reference in children(signed_info, "Reference"):
        uri = reference.get("URI")
        # A bare "#Id": no whole-document "" reference, no XPointer expression.
        if uri is None or not re.fullmatch(r"#[^\s#()'\"\[\]/]+", uri):
            raise _Refused("signature.bad_uri", uri=repr(uri))
        for transform in children(child(reference, "Transforms"), "Transform"):
            if transform.get("Algorithm") not in ALLOWED_REFERENCE_TRANSFORMS:
                raise _Refused("signature.transform", uri=uri, algorithm=transform.get("Algorithm"))
        nodes = ids.get(uri[1:])
        if not nodes:
            raise _Refused("signature.unresolved", uri=uri)
        label = next((name for name, node in expected.items() if node is nodes[0]), None)
        if label is None:
            raise _Refused(
                "signature.foreign_reference",
                uri=uri,
                path=element_path(nodes[0]),
                expected=" or ".join(expected),
            )
        seen[label] += 1
    for label, count in seen.items():
        if count == 0:
            raise _Refused("signature.missing_reference", expected=label)
        if count > 1:
            raise _Refused("signature.repeated_reference", expected=label, count=count)


# Only the transforms real invoices use: no XPath, XSLT or XPointer.
_CANONICAL = (
    xmlsec.Transform.C14N,
    xmlsec.Transform.C14N_COMMENTS,
    xmlsec.Transform.C14N11,
    xmlsec.Transform.C14N11_COMMENTS,
    xmlsec.Transform.EXCL_C14N,
    xmlsec.Transform.EXCL_C14N_COMMENTS,
)
_DIGESTS = (xmlsec.Transform.SHA1, xmlsec.Transform.SHA256)
REFERENCE_TRANSFORMS = (xmlsec.Transform.ENVELOPED, *_CANONICAL, *_DIGESTS)
SIGNATURE_TRANSFORMS = (
    *_CANONICAL,
    *_DIGESTS,
    xmlsec.Transform.RSA_SHA1,
    xmlsec.Transform.RSA_SHA256,
)


ALLOWED_REFERENCE_TRANSFORMS = {transform.href for transform in REFERENCE_TRANSFORMS}


def _xmlsec_verify(signature, ids):
    node = certificate_node(signature)
    try:
        if node is None or not (node.text or "").strip():
            raise ValueError("no X509Certificate element")
        der = base64.b64decode("".join(node.text.split()), validate=True)
        key = xmlsec.Key.from_memory(der, xmlsec.KeyFormat.CERT_DER, None)
    except (ValueError, xmlsec.Error) as exc:
        raise _Refused("signature.no_certificate", error=str(exc) or type(exc).__name__) from exc
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    for transform in REFERENCE_TRANSFORMS:
        ctx.enable_reference_transform(transform)
    for transform in SIGNATURE_TRANSFORMS:
        ctx.enable_signature_transform(transform)
    for value, nodes in ids.items():
        if nodes[0].get("Id") == value:
            ctx.register_id(nodes[0], "Id")
    try:
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise _Refused("signature.invalid", error=str(exc) or type(exc).__name__) from exc


def _signatures(hdon, holder):
    """The signatures under DSCKS/<holder>; some providers write an empty second DSCKS."""
    return [
        signature
        for signatures in children(hdon, "DSCKS")
        for signer_node in children(signatures, holder)
        for signature in children(signer_node, "Signature")
    ]


def _signed_scope(invoice):
    """The HDon whose signatures we verify, alone in its own document.

    In a T-VAN message the envelope may hold other invoices using the same Id values
    ("data" is common) and anything else a sender adds: each HDon is checked on a copy of
    itself (serialised with its in-scope namespaces, so canonical forms do not change),
    where a reference can only resolve inside this HDon.
    """
    if invoice.root is invoice.hdon:
        return invoice.hdon
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(etree.tostring(invoice.hdon), parser)


def check_seller_signature(invoice):
    hdon = _signed_scope(invoice)
    signatures = _signatures(hdon, "NBan")
    if not signatures:
        return _check("seller_signature", "fail", "seller_signature.missing")
    if len(signatures) > 1:
        return _check("seller_signature", "fail", "seller_signature.several", count=len(signatures))
    signature = signatures[0]
    data = child(hdon, "DLHDon")
    obj = _signature_object(signature)
    expected = {"HDon/DLHDon": data, "Signature/Object (SigningTime)": obj}
    try:
        algorithm = _verify_signature(hdon, signature, expected)
    except _Refused as refused:
        return _check("seller_signature", "fail", refused.key, **refused.params)
    return _check(
        "seller_signature",
        "pass",
        "seller_signature.ok",
        algorithm=algorithm,
        data_id=data.get("Id"),
    )


def parse_signing_time(value):
    """SigningTime (GMT+7 when it names no zone) as an aware datetime; ValueError if bad."""
    moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment


def check_certificate(invoice, now, trusted_issuers=None):
    """The seller's certificate: readable, valid at SigningTime, naming the seller's MST, and
    issued by one of ``trusted_issuers`` (x509 certificates; None: issuer not checked)."""
    signatures = _signatures(invoice.hdon, "NBan")
    if not signatures:
        return _check("certificate", "fail", "certificate.missing")
    signature = signatures[0]
    try:
        cert = embedded_certificate(signature)
        subject = cert.subject.rfc4514_string()
        # cryptography < 42 has only the naive UTC attributes.
        not_before = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        not_after = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    except ValueError as exc:
        return _check("certificate", "fail", "certificate.corrupted", error=str(exc))
    value = signing_time_of(signature)
    if not value:
        return _check("certificate", "fail", "certificate.no_signing_time")
    try:
        signing_time = parse_signing_time(value)
    except ValueError:
        return _check("certificate", "fail", "certificate.bad_signing_time", value=value)
    dates = {
        "subject": subject,
        "signing_time": value,
        "not_before": not_before.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "not_after": not_after.strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    if not not_before <= signing_time <= not_after:
        return _check("certificate", "fail", "certificate.not_valid_at_signing", **dates)
    if signing_time > now + datetime.timedelta(minutes=10):
        return _check(
            "certificate",
            "fail",
            "certificate.signed_in_future",
            signing_time=value,
            now=now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    uids = certificate_ids(cert)
    if not uids:
        return _check("certificate", "fail", "certificate.no_uid", subject=subject)
    seller = compact_tax_id(invoice.seller_tax_id)
    matched = [(kind, ident) for kind, ident in uids if compact_tax_id(ident) == seller]
    if not matched:
        kind, ident = uids[0]
        return _check(
            "certificate",
            "fail",
            "certificate.uid_mismatch",
            id_kind=kind,
            cert_id=ident,
            seller_id=invoice.seller_tax_id,
        )
    kind, ident = matched[0]
    issuer = cert.issuer.rfc4514_string()
    if trusted_issuers is not None and not chain_to(
        cert, trusted_issuers, chain_certificates(signature)
    ):
        return _check(
            "certificate", "fail", "certificate.untrusted_issuer", subject=subject, issuer=issuer
        )
    # Without a trust list anyone can make a CA that issues a certificate naming the seller:
    # the certificate is then only as good as its issuer, which nobody checked.
    return _check(
        "certificate",
        "pass" if trusted_issuers is not None else "warning",
        "certificate.ok" if trusted_issuers is not None else "certificate.ok_issuer_not_checked",
        id_kind=kind,
        cert_id=ident,
        seller_id=invoice.seller_tax_id,
        issuer=issuer,
        **dates,
    )


def _authority_without_signature(invoice, cash, with_code, signatures):
    """The authority check of a cash-register code or of an invoice without MCCQT, where
    no authority signature is expected; None when the signature must be verified."""
    code, symbol = invoice.authority_code, invoice.symbol
    message_type = invoice.message_type or "-"
    if cash:
        code_type, code_year = cash.group(1), cash.group(2)
        if code_type != invoice.template or code_year != f"{invoice.date.year % 100:02d}":
            return _check(
                "authority",
                "warning",
                "authority.cash_register_mismatch",
                code=code,
                code_type=code_type,
                code_year=code_year,
                template=invoice.template,
                year=invoice.date.year,
            )
        if not signatures:
            return _check("authority", "pass", "authority.cash_register", code=code)
    if code:
        return None
    if invoice.message_type == "202" or with_code or signatures:
        return _check(
            "authority", "fail", "authority.code_missing", symbol=symbol, message_type=message_type
        )
    return _check(
        "authority",
        "not_checked",
        "authority.without_code",
        symbol=symbol,
        message_type=message_type,
    )


def _authority_signer(
    invoice, signature, code, authority_tax_ids, trusted_issuers, authority_names
):
    """The failed or warning check when the signer of DSCKS/CQT is not proven to be the tax
    authority, None when it is."""
    # The signature verifies with the key it carries: only the certificate's identity, from
    # a trusted issuer, says that the tax authority, not the seller, made it.
    cert = embedded_certificate(signature)
    subject = cert.subject.rfc4514_string()
    issuer = cert.issuer.rfc4514_string()
    signer_ids = [compact_tax_id(ident) for kind, ident in certificate_ids(cert) if kind == "MST"]
    for party, tax_id in (("seller", invoice.seller_tax_id), ("buyer", invoice.buyer_tax_id)):
        if compact_tax_id(tax_id) and compact_tax_id(tax_id) in signer_ids:
            return _check(
                "authority", "fail", f"authority.signed_by_{party}", subject=subject, tax_id=tax_id
            )
    if not authority_tax_ids and not authority_names:
        return _check(
            "authority",
            "warning",
            "authority.not_identified",
            code=code,
            subject=subject,
            issuer=issuer,
        )
    tax_ids = {compact_tax_id(value) for value in authority_tax_ids or ()}
    names = {value.casefold() for value in authority_names or ()}
    common_names = {
        str(attribute.value).casefold()
        for attribute in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    }
    if not (common_names & names) and not (tax_ids & set(signer_ids)):
        return _check(
            "authority",
            "fail",
            "authority.not_authority",
            subject=subject,
            allowed=", ".join(sorted(tax_ids | names)) or "(none)",
        )
    if trusted_issuers is None:
        return _check(
            "authority",
            "warning",
            "authority.issuer_not_checked",
            code=code,
            subject=subject,
            issuer=issuer,
        )
    if not chain_to(cert, trusted_issuers, chain_certificates(signature)):
        return _check(
            "authority", "fail", "authority.untrusted_issuer", subject=subject, issuer=issuer
        )
    return None


def check_authority(invoice, authority_tax_ids=None, trusted_issuers=None, authority_names=None):
    """MCCQT and the tax authority's signature.

    The signer is the authority when its certificate carries an MST of ``authority_tax_ids``
    or its CN is one of ``authority_names`` (case ignored) and one of ``trusted_issuers``
    (x509 certificates) issued it. A signer with the seller's or the buyer's MST fails;
    without configured authority ids or without trusted issuers the check is at best a
    warning saying what was not checked (anyone can make a CA and sign as "TỔNG CỤC THUẾ").
    """
    code = invoice.authority_code
    symbol = invoice.symbol
    with_code = symbol[:1].upper() == "C"
    hdon = _signed_scope(invoice)
    signatures = _signatures(hdon, "CQT")
    cash = CASH_REGISTER_CODE.fullmatch(code) if code else None
    early = _authority_without_signature(invoice, cash, with_code, signatures)
    if early:
        return early
    if not cash and not AUTHORITY_CODE.fullmatch(code):
        return _check("authority", "fail", "authority.bad_code", code=code)
    if not signatures:
        return _check("authority", "fail", "authority.no_signature", code=code)
    code_node = child(hdon, "MCCQT")
    if not code_node.get("Id"):
        return _check("authority", "fail", "authority.no_code_id", code=code)
    if len(signatures) > 1:
        return _check("authority", "fail", "authority.several", count=len(signatures))
    signature = signatures[0]
    expected = {
        "HDon/DLHDon": child(hdon, "DLHDon"),
        "HDon/MCCQT": code_node,
        "Signature/Object (SigningTime)": _signature_object(signature),
    }
    try:
        _verify_signature(hdon, signature, expected)
    except _Refused as refused:
        # The signature.* keys read the same for the authority: the check code says whose.
        return _check("authority", "fail", refused.key, **refused.params)
    refused = _authority_signer(
        invoice, signature, code, authority_tax_ids, trusted_issuers, authority_names
    )
    if refused:
        return refused
    subject = embedded_certificate(signature).subject.rfc4514_string()
    if not with_code and not cash:
        return _check("authority", "warning", "authority.unexpected_code", symbol=symbol, code=code)
    return _check("authority", "pass", "authority.ok", code=code, subject=subject)


def check_authority_signature(
    document,
    signature,
    expected,
    taxpayer_tax_id,
    authority_tax_ids=None,
    trusted_issuers=None,
    authority_names=None,
    what="",
):
    """The tax authority's signature on another document than an invoice (the 301 answer
    to a 04/SS-HĐĐT notice): ``signature`` must reference exactly the ``expected`` elements
    (label -> element) of ``document`` and verify, and its signer must be the authority,
    as :func:`check_authority` decides it (a signer with the taxpayer's MST fails).
    ``trusted_issuers`` are x509 certificates (None: not checked); ``what`` names the
    document in the messages."""
    try:
        _verify_signature(document, signature, expected)
    except _Refused as refused:
        return _check("authority", "fail", refused.key, **refused.params)
    party = SimpleNamespace(seller_tax_id=taxpayer_tax_id, buyer_tax_id="")
    refused = _authority_signer(
        party, signature, what, authority_tax_ids, trusted_issuers, authority_names
    )
    if refused:
        return refused
    subject = embedded_certificate(signature).subject.rfc4514_string()
    params = {"subject": subject, "signed": ", ".join(expected)}
    # Not one of the intake's MESSAGES (no supplier invoice shows it): English only.
    return Check(
        "authority",
        "pass",
        "The tax authority's signature (%(subject)s) verifies over %(signed)s." % params,
        "authority.document_ok",
        params,
    )


def check_buyer_tax_id(invoice, buyer_tax_ids):
    if isinstance(buyer_tax_ids, str):
        buyer_tax_ids = [buyer_tax_ids]
    ours = [compact_tax_id(value) for value in buyer_tax_ids if value]
    listed = ", ".join(value for value in buyer_tax_ids if value) or "(none configured)"
    buyer = compact_tax_id(invoice.buyer_tax_id)
    if not buyer:
        return _check("buyer_tax_id", "fail", "buyer_tax_id.missing")
    if buyer in ours:
        return _check("buyer_tax_id", "pass", "buyer_tax_id.ok", buyer=invoice.buyer_tax_id)
    if any(len(buyer) in (10, 13) and own[:10] == buyer[:10] for own in ours):
        return _check(
            "buyer_tax_id",
            "warning",
            "buyer_tax_id.branch",
            buyer=invoice.buyer_tax_id,
            ours=listed,
        )
    return _check(
        "buyer_tax_id", "fail", "buyer_tax_id.mismatch", buyer=invoice.buyer_tax_id, ours=listed
    )


def check_seller_tax_id(invoice):
    seller = invoice.seller_tax_id
    if not mst.is_valid(seller):
        return _check("seller_tax_id", "fail", "seller_tax_id.invalid", seller=seller)
    if re.fullmatch(r"\d{12}", compact_tax_id(seller)):
        return _check("seller_tax_id", "pass", "seller_tax_id.citizen_id", seller=seller)
    return _check("seller_tax_id", "pass", "seller_tax_id.ok", seller=seller)


def _unit(currency):
    return Decimal(1) if currency == "VND" else Decimal("0.01")


def _fmt(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def check_amounts(invoice):
    """Line amounts, per-rate totals, tax and total; rounding within one unit per line."""
    unit = _unit(invoice.currency)
    rounding, errors = [], []

    def compare(label, written, computed, tolerance):
        difference = abs(written - computed)
        if not difference:
            return
        detail = f"{label} {_fmt(written)} ≠ {_fmt(computed)}"
        (rounding if difference <= tolerance else errors).append(detail)

    per_rate = {}
    for line in invoice.lines:
        if line.kind not in (1, 3):
            continue
        amount = line.amount
        if amount is None:
            errors.append(f"HHDVu[{line.sequence}]/ThTien ∅")
            continue
        if line.kind == 1 and line.quantity is not None and line.unit_price is not None:
            computed = line.quantity * line.unit_price - (line.discount_amount or 0)
            compare(f"HHDVu[{line.sequence}]/ThTien", amount, computed, unit)
        count, total = per_rate.get(line.tax_rate, (0, Decimal(0)))
        signed = -abs(amount) if line.kind == 3 else amount
        per_rate[line.tax_rate] = (count + 1, total + signed)
    if not invoice.rate_totals and per_rate:
        # Sales invoices (no VAT) may omit THTTLTSuat; the totals are then checked alone.
        written_rates = {rate: (total, Decimal(0)) for rate, (_count, total) in per_rate.items()}
    else:
        written_rates = invoice.rate_totals
    lines_count = max(len([li for li in invoice.lines if li.kind in (1, 3)]), 1)
    for rate in sorted(set(per_rate) | set(written_rates)):
        count, computed = per_rate.get(rate, (0, Decimal(0)))
        taxable, tax = written_rates.get(rate, (Decimal(0), Decimal(0)))
        compare(f"LTSuat[{rate}]/ThTien", taxable, computed, unit * max(count, 1))
        compare(
            f"LTSuat[{rate}]/TThue",
            tax,
            (taxable * rate_value(rate)).quantize(unit, rounding=ROUND_HALF_UP),
            unit * max(count, 1),
        )
    taxable_sum = sum((taxable for taxable, _tax in written_rates.values()), Decimal(0))
    tax_sum = sum((tax for _taxable, tax in written_rates.values()), Decimal(0))
    untaxed = invoice.total_untaxed if invoice.total_untaxed is not None else taxable_sum
    if invoice.total_untaxed is None and invoice.rate_totals:
        return _check("amounts", "fail", "amounts.missing", element="TToan/TgTCThue")
    compare("TgTCThue", untaxed, taxable_sum, unit * lines_count)
    total_tax = invoice.total_tax if invoice.total_tax is not None else Decimal(0)
    compare("TgTThue", total_tax, tax_sum, unit * lines_count)
    # Fees and charges (DSLPhi) are paid on top of the goods and their tax.
    compare("TgTTTBSo", invoice.total, untaxed + total_tax + invoice.total_fees, unit)
    if errors:
        return _check("amounts", "fail", "amounts.mismatch", details="; ".join(errors + rounding))
    if rounding:
        return _check("amounts", "warning", "amounts.rounding", details="; ".join(rounding))
    return _check("amounts", "pass", "amounts.ok")


def check_words(invoice):
    total = invoice.total
    words = invoice.total_words
    shown = _fmt(total)
    expected = amount_in_words(total, invoice.currency)
    if not words:
        return _check("words", "fail", "words.unreadable", words="", total=shown)
    # Case, punctuation and the currency suffix ("đồng", "đồng chẵn", "VND") are form,
    # not wording: such differences pass.
    if normalize_words(words) == normalize_words(expected):
        return _check("words", "pass", "words.ok", total=shown)
    said = words_to_amount(words)
    if said is None:
        return _check("words", "fail", "words.unreadable", words=words, total=shown)
    if said != total.quantize(_unit(invoice.currency), rounding=ROUND_HALF_UP):
        return _check("words", "fail", "words.mismatch", words=words, said=_fmt(said), total=shown)
    return _check("words", "warning", "words.variant", words=words, total=shown, expected=expected)


def verify(
    invoice,
    buyer_tax_ids,
    now=None,
    authority_tax_ids=None,
    trusted_issuers=None,
    authority_names=None,
):
    """One Check per code of CHECK_CODES, in that order. No network.

    ``buyer_tax_ids``: our MSTs; ``now``: aware or naive UTC datetime (default: now);
    ``trusted_issuers``: certificates (PEM/DER bytes or x509) of the certification
    authorities allowed to issue the seller's and the authority's certificates (None: the
    issuer is not checked, and those checks are warnings saying so); ``authority_tax_ids``
    and ``authority_names``: the MSTs or certificate CNs accepted as the tax authority's
    (None: the signer is not identified, the authority check is a warning).
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    issuers = load_certificates(trusted_issuers) if trusted_issuers is not None else None
    checks = {
        "seller_signature": lambda: check_seller_signature(invoice),
        "certificate": lambda: check_certificate(invoice, now, issuers),
        "authority": lambda: check_authority(invoice, authority_tax_ids, issuers, authority_names),
        "buyer_tax_id": lambda: check_buyer_tax_id(invoice, buyer_tax_ids),
        "seller_tax_id": lambda: check_seller_tax_id(invoice),
        "amounts": lambda: check_amounts(invoice),
        "words": lambda: check_words(invoice),
    }
    results = []
    for code in CHECK_CODES:
        try:
            results.append(checks[code]())
        except (ValueError, TypeError, ArithmeticError, xmlsec.Error) as exc:
            # A check that cannot run on this file fails visibly; it is never skipped.
            results.append(_check(code, "fail", "check.error", error=str(exc) or repr(exc)))
    return results
