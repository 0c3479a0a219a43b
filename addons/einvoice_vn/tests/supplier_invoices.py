"""Supplier e-invoices for intake tests, built and signed in memory. No odoo import.

A throw-away CA (:func:`make_ca`) issues seller and tax-authority certificates
(:func:`make_cert`); nothing is ever written to disk. :func:`make_invoice` builds an HDon
with the outbound builder and signs it as the seller; :func:`add_authority` and
:func:`make_tdiep` add what the tax authority returns (MCCQT and its signature) and the
T-VAN envelope. The remaining helpers make the hostile variants the intake must refuse:
:func:`changed_amount`, :func:`wrapped_signature`, :func:`moved_signature`,
:func:`copied_dlhdon`, :func:`corrupted_certificate`, :func:`expired_certificate`,
:func:`xxe_payload`, :func:`external_dtd_payload`, :func:`billion_laughs`,
:func:`zip_bomb`; :func:`zip_with_pdf` packs an invoice as providers send it.

Defaults: seller :data:`SELLER_MST`, buyer :data:`BUYER_MST`, NLap 2026-11-20, SigningTime
2026-11-20T09:30:00 (GMT+7), certificates valid 2026-01-01 to 2028-01-01. A test frozen
before the SigningTime sees the certificate check fail ("SigningTime is later than now").

Used by the Odoo-free tests (``einvoice_tests.supplier_invoices``) and by the Odoo tests
(``odoo.addons.einvoice_vn.tests.supplier_invoices``).
"""

import base64
import copy
import datetime
import io
import uuid
import zipfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

try:  # inside Odoo: odoo.addons.einvoice_vn.tests
    from ..tools import builder, signer
except ImportError:  # Odoo-free tests load the tools as ``einvoice_tools``
    from einvoice_tools import builder, signer

SELLER_MST = "0100109106"
BUYER_MST = "0101243150"
# The MST our test authority certificate carries (pass it as verify's authority_tax_ids).
AUTHORITY_MST = "0100231226"
DSIG = signer.DSIG
DEFAULT_DATE = datetime.date(2026, 11, 20)
DEFAULT_SIGNING_TIME = datetime.datetime(2026, 11, 20, 9, 30, 0)
DEFAULT_LINES = (
    {"code": "NM500", "name": "Nước mắm Phú Quốc 500ml", "uom": "Chai", "quantity": 10,
     "price": 85000, "tax": "10%"},
    {"code": "CF250", "name": "Cà phê rang xay 250g", "uom": "Gói", "quantity": 3,
     "price": 120000, "discount_amount": 18000, "tax": "8%"},
)  # fmt: skip


@dataclass
class CertificateAuthority:
    key: object
    certificate: object
    name: x509.Name


def make_ca(common_name="Throw-away test CA", issuer=None):
    """A CA key and certificate, in memory only: self-signed (a root), or issued by the CA
    ``issuer`` (an intermediate, like the licensed CAs under Vietnam's national root)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.name if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=3650))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(issuer.key if issuer else key, hashes.SHA256())
    )
    return CertificateAuthority(key, cert, name)


def make_cert(
    ca,
    tax_id=SELLER_MST,
    uid="MST",
    not_before=None,
    not_after=None,
    key_size=2048,
    common_name="CÔNG TY TNHH PHÂN PHỐI SAO MAI",
):
    """A certificate issued by ``ca`` with ``UID=<uid>:<tax_id>``, as a signer.Certificate.

    ``uid`` is "MST", "CMND" or "CCCD" (household sellers), or "" for a subject without
    any identifier. Validity defaults to 2026-01-01 .. 2028-01-01 (naive UTC datetimes).
    """
    not_before = not_before or datetime.datetime(2026, 1, 1)
    not_after = not_after or datetime.datetime(2028, 1, 1)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if uid:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, f"{uid}:{tax_id}"))
    subject = x509.Name(attributes)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(ca.key, hashes.SHA256())
    )
    rfc_subject = subject.rfc4514_string()
    return signer.Certificate(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        subject=rfc_subject,
        issuer=ca.name.rfc4514_string(),
        serial=format(cert.serial_number, "X"),
        not_before=not_before,
        not_after=not_after,
        tax_id=signer.tax_id_of_subject(rfc_subject) if uid == "MST" else "",
    )


_DEFAULTS = {}


def default_ca():
    """One CA per process, so that tests do not pay for a key each time."""
    if "ca" not in _DEFAULTS:
        _DEFAULTS["ca"] = make_ca()
    return _DEFAULTS["ca"]


def default_cert(tax_id=SELLER_MST, uid="MST"):
    key = ("cert", tax_id, uid)
    if key not in _DEFAULTS:
        _DEFAULTS[key] = make_cert(default_ca(), tax_id, uid=uid)
    return _DEFAULTS[key]


def authority_cert():
    """The tax authority's certificate (UID=MST of the General Department of Taxation)."""
    key = ("authority",)
    if key not in _DEFAULTS:
        _DEFAULTS[key] = make_cert(
            default_ca(), AUTHORITY_MST, common_name="TỔNG CỤC THUẾ", key_size=2048
        )
    return _DEFAULTS[key]


def invoice_values(
    seller_tax_id=SELLER_MST,
    buyer_tax_id=BUYER_MST,
    lines=None,
    version="2.0.1",
    number="42",
    template="1",
    symbol=None,
    date=DEFAULT_DATE,
    currency="VND",
    with_code=False,
    data_id=None,
    seller=None,
    buyer=None,
    general=None,
    tax_amounts=None,
    related=None,
):
    """The builder's input dict for a supplier invoice (see tools/builder.py)."""
    symbol = symbol or f"{'C' if with_code else 'K'}{date.year % 100:02d}TAA"
    values = {
        "version": version,
        "id": data_id or f"DLHDon-{seller_tax_id}-{symbol}-{number}",
        "general": {
            "THDon": "Hóa đơn giá trị gia tăng",
            "KHMSHDon": template,
            "KHHDon": symbol,
            "SHDon": number,
            "NLap": date,
            "DVTTe": currency,
            "HTTToan": "TM/CK",
            **({"MSTTCGP": "0101243150"} if version == "2.1.0" else {}),
            **({"TGia": 25000} if currency != "VND" else {}),
            **(general or {}),
        },
        "seller": {
            "Ten": "Công ty TNHH Phân phối Sao Mai",
            "MST": seller_tax_id,
            "DChi": "12 Tràng Tiền, Hoàn Kiếm, Hà Nội",
            **(seller or {}),
        },
        "buyer": {
            "Ten": "Công ty Cổ phần Mua Hàng",
            "MST": buyer_tax_id,
            "DChi": "1 Lê Duẩn, Quận 1, TP Hồ Chí Minh",
            **(buyer or {}),
        },
        "lines": [dict(line) for line in (lines or DEFAULT_LINES)],
    }
    if not buyer_tax_id:
        values["buyer"].pop("MST")
    if tax_amounts:
        values["tax_amounts"] = tax_amounts
    if related:
        values["related"] = related
    return values


def make_invoice(
    certificate=None,
    digest="sha256",
    signing_time=DEFAULT_SIGNING_TIME,
    before_signing=None,
    authority=None,
    authority_code=None,
    sign=True,
    **values,
):
    """A supplier invoice as bytes: a bare HDon signed by the seller.

    ``values`` go to :func:`invoice_values` (seller_tax_id, buyer_tax_id, lines, version,
    number, symbol, date, ...). ``before_signing(root)`` may edit the HDon after building
    and before signing (to shuffle elements, round a line, reword the amount...).
    ``authority`` (a certificate, e.g. :func:`authority_cert`) adds MCCQT and the tax
    authority's signature; the symbol then starts with C.
    """
    if authority is not None or authority_code:
        values.setdefault("with_code", True)
    invoice = invoice_values(**values)
    root = builder.build(invoice)
    if before_signing:
        before_signing(root)
    if sign:
        certificate = certificate or default_cert(invoice["seller"]["MST"])
        signer.sign(root, certificate, signing_time, digest=digest)
    data = builder.to_bytes(root)
    if authority is not None or authority_code:
        data = add_authority(data, authority, authority_code)
    return data


def new_authority_code():
    return uuid.uuid4().hex.upper()[:34].ljust(34, "0")


def add_authority(hdon_bytes, authority=None, authority_code=None, signing_time=None):
    """Add MCCQT (with an Id) and, when ``authority`` is given, DSCKS/CQT signing it."""
    root = etree.fromstring(hdon_bytes)
    code = etree.Element("MCCQT", Id="MCCQT-1")
    code.text = authority_code or new_authority_code()
    data = root.find("DLHDon")
    data.addnext(code)
    if authority is not None:
        signing_time = signing_time or DEFAULT_SIGNING_TIME + datetime.timedelta(minutes=5)
        signer.sign(
            root,
            authority,
            signing_time,
            signature_id="CQT",
            holder="CQT",
            extra_references=[code],
        )
    return builder.to_bytes(root)


def make_tdiep(
    hdon_bytes,
    message_type="202",
    authority=None,
    authority_code=None,
    sender="TCT",
    receiver="V0101243150",
    tax_id=SELLER_MST,
):
    """Wrap an HDon in a T-VAN message TDiep/TTChung + TDiep/DLieu/HDon.

    With ``authority`` or ``authority_code``, MCCQT (and the authority's signature) is
    added first, as the tax authority does for message 202 (and the seller's cash register
    for 206, with a code of the form M1-26-XXXXX-00000000001 and no signature).
    """
    if authority is not None or authority_code:
        hdon_bytes = add_authority(hdon_bytes, authority, authority_code)
    hdon = etree.fromstring(hdon_bytes)
    message = etree.Element("TDiep")
    general = etree.SubElement(message, "TTChung")
    for name, value in (
        ("PBan", "2.0.0"),
        ("MNGui", sender),
        ("MNNhan", receiver),
        ("MLTDiep", message_type),
        ("MTDiep", f"{sender}{uuid.uuid4().hex.upper()}"),
        ("MTDTChieu", ""),
        ("MST", tax_id),
        ("SLuong", "1"),
    ):
        etree.SubElement(general, name).text = value
    etree.SubElement(message, "DLieu").append(hdon)
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8")


# -- hostile and damaged variants ------------------------------------------------------------


def _parse(data):
    return etree.fromstring(data)


def _dump(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _hdon(root):
    return root if root.tag == "HDon" else root.find("DLieu/HDon")


def changed_amount(data, new_total="99000000"):
    """The signed invoice with its total changed afterwards."""
    root = _parse(data)
    _hdon(root).find("DLHDon/NDHDon/TToan/TgTTTBSo").text = new_total
    return _dump(root)


FORGED_ACCOUNT = "9999999999"


def _forge(data_element):
    """A copy of DLHDon whose seller bank account (NBan/STKNHang) is the fraudster's:
    the amounts still add up, only the signature can tell."""
    forged = copy.deepcopy(data_element)
    seller = forged.find("NDHDon/NBan")
    account = seller.find("STKNHang")
    if account is None:
        account = etree.SubElement(seller, "STKNHang")
    account.text = FORGED_ACCOUNT
    return forged


def wrapped_signature(data):
    """Signature wrapping: the signed DLHDon moved into an ``Object`` element of the HDon, a
    forged DLHDon (other Id) in its place. xmlsec alone still says the signature is valid.

    (Moved into the ds:Object of the Signature itself, the enveloped transform and the
    in-scope ``ds`` namespace would change its digest: attackers use a plain element.)
    """
    root = _parse(data)
    hdon = _hdon(root)
    original = hdon.find("DLHDon")
    forged = _forge(original)
    forged.set("Id", original.get("Id") + "-forged")
    original.addprevious(forged)
    etree.SubElement(hdon, "Object").append(original)
    return _dump(root)


def copied_dlhdon(data):
    """The signed DLHDon copied elsewhere in the file (inside DSCKS), the DLHDon we read
    forged with the same Id: two elements claim the referenced Id."""
    root = _parse(data)
    hdon = _hdon(root)
    original = hdon.find("DLHDon")
    hdon.find("DSCKS").append(copy.deepcopy(original))
    forged = _forge(original)
    original.addprevious(forged)
    hdon.remove(original)
    return _dump(root)


def moved_signature(data):
    """The seller's signature of another invoice placed into this one: its references
    resolve to that invoice's DLHDon, carried along inside the file, not to ours."""
    root = _parse(data)
    hdon = _hdon(root)
    original = hdon.find("DLHDon")
    forged = _forge(original)
    forged.set("Id", "DLHDon-other")
    original.addprevious(forged)
    holder = etree.SubElement(hdon.find("DSCKS"), "Khac")
    holder.append(original)
    return _dump(root)


def corrupted_certificate(data):
    """The X509Certificate of the seller's signature damaged (its DER no longer parses)."""
    root = _parse(data)
    node = _hdon(root).find("DSCKS/NBan/{%s}Signature//{%s}X509Certificate" % (DSIG, DSIG))
    text = "".join(node.text.split())
    node.text = "MIIB" + text[40:]
    return _dump(root)


def expired_certificate(tax_id=SELLER_MST):
    """A certificate that expired before DEFAULT_SIGNING_TIME."""
    return make_cert(
        default_ca(),
        tax_id,
        not_before=datetime.datetime(2023, 1, 1),
        not_after=datetime.datetime(2025, 1, 1),
    )


def add_chain(data, *authorities, holder="NBan"):
    """The signed invoice with the certificates of ``authorities`` (CertificateAuthority)
    added to the KeyInfo/X509Data of the DSCKS/<holder> signature, after the signer's own.
    KeyInfo is not signed: anyone can add certificates there."""
    root = _parse(data)
    x509_data = _hdon(root).find(
        "DSCKS/%s/{%s}Signature/{%s}KeyInfo/{%s}X509Data" % (holder, DSIG, DSIG, DSIG)
    )
    for authority in authorities:
        der = authority.certificate.public_bytes(serialization.Encoding.DER)
        node = etree.SubElement(x509_data, "{%s}X509Certificate" % DSIG)
        node.text = base64.b64encode(der).decode()
    return _dump(root)


def zip_of(*members):
    """A ZIP of (name, bytes) members, e.g. the XML and its PDF rendering."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_with_pdf(xml, name="HD_0000042"):
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return zip_of((f"{name}.xml", xml), (f"{name}.pdf", pdf), (f"{name}.html", b"<html/>"))


def zip_bomb(size=64 * 1024 * 1024):
    """A small ZIP whose one XML member unpacks to ``size`` bytes of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("invoice.xml", "w", force_zip64=True) as member,
    ):
        chunk = b"0" * (1024 * 1024)
        for _index in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def xxe_payload(url):
    """An invoice whose SHDon pulls an external entity from ``url`` (file:// or http://)."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE HDon [<!ENTITY xxe SYSTEM "{url}">]>\n'
        '<HDon><DLHDon Id="d"><TTChung><SHDon>&xxe;</SHDon></TTChung></DLHDon></HDon>'
    ).encode()


def external_dtd_payload(url):
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE HDon SYSTEM "{url}">\n<HDon><DLHDon Id="d"/></HDon>'
    ).encode()


def billion_laughs():
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE HDon [' + "".join(entities) + "]>\n"
        '<HDon><DLHDon Id="d">&lol9;</DLHDon></HDon>'
    ).encode()
