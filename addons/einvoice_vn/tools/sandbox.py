"""The sandbox provider: answers like the tax authority, inside Odoo, for the demo only.

It checks the seller's signature, gives the invoice an authority code (MCCQT, 34 upper-case
hex characters, derived from the transaction UUID so that a retry gets the same code) and
signs it as the "tax authority" (``DSCKS/CQT``, over ``DLHDon`` and ``MCCQT``) with a demo
key made on this database; the coded invoice is read back as the T-VAN's 202 is
(:func:`.providers.coded_invoice`: the authority's signature verified). Nothing leaves the server, and what it issues has no legal value.

It answers the 04/SS-HĐĐT notices too (``send_notice``, message 300 of the T-VAN): it checks
the taxpayer's signature on the TBao and answers a 301 (01/TB-SSĐT) signed by the demo
authority, accepting each invoice of the notice or not with its reasons (an invoice with
code whose notice gives no MCCQT, an MCCQT that is not one, a notice of another tax id).
The 301 is then read and its signature verified by the very code that reads the T-VAN's
(:func:`.providers.notice_answer`). Its number derives from the notice's MTDiep: a notice
sent again gets the same answer number.

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

from . import signer, tdiep
from .inbound_checks import AUTHORITY_CODE
from .inbound_read import compact_tax_id, text
from .providers import FINAL, REJECTED, Issued, ProviderError, coded_invoice, notice_answer

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


def answer_number(mtdiep):
    """The number (STBao/So) of the sandbox's 301 answering notice message ``mtdiep``: the
    same for every retry."""
    return str(int(hashlib.sha256(f"sandbox:301:{mtdiep}".encode()).hexdigest()[:12], 16))


def notice_reasons(hdon):
    """Why the demo authority does not accept an invoice of a 04/SS notice (``DSHDon/HDon``
    element): (MLoi, MTa) pairs, empty when accepted. The codes are the sandbox's own."""
    code = text(hdon, "MCQTCap") or text(hdon, "MCCQT")
    symbol = text(hdon, "KHHDon")
    if symbol[:1].upper() == "C" and not code:
        return [
            (
                "SB01",
                f"Hóa đơn {symbol}-{text(hdon, 'SHDon')} có mã nhưng thông báo không ghi mã "
                "của cơ quan thuế (MCCQT missing)",
            )
        ]
    if code and not AUTHORITY_CODE.fullmatch(code):
        return [("SB02", f"Mã của cơ quan thuế {code} không hợp lệ (not an authority code)")]
    return []


class SandboxClient:
    """``issue(document)`` and ``send_notice(notice)`` like the T-VAN client, answered here
    by the demo authority."""

    def __init__(self, authority_certificate):
        self.authority = authority_certificate

    @staticmethod
    def _demo_only(tax_id, what="issues"):
        seller = compact_tax_id(tax_id)
        if seller != DEMO_MST:
            raise ProviderError(
                FINAL,
                f"the sandbox {what} for the demo tax id {DEMO_MST} only, not {seller or '-'}",
            )
        return seller

    def issue(self, document):
        self._demo_only(document.get("seller_tax_id"))
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
        seller = compact_tax_id(document["seller_tax_id"])
        mtdiep = tdiep.message_id(seller, document["transaction_uuid"])
        message = tdiep.build_coded_invoice(tdiep.AUTHORITY, seller, mtdiep, seller, root)
        coded = coded_invoice(
            tdiep.parse(tdiep.to_bytes(message)),
            trusted_issuers=[self.authority.cert_pem],
            expected_key=tdiep.invoice_key(document["xml"]),
            authority_names=[AUTHORITY_NAME],
            reference=mtdiep,
        )
        return Issued(
            authority_code=coded.authority_code, signed_xml=coded.xml, raw={"sandbox": True}
        )

    # -- 04/SS notices -------------------------------------------------------------------------

    def notice_outcome(self, mtdiep, seller_tax_id, notice_xml):
        """None: the sandbox keeps no message, a notice not answered is sent again (and
        gets the same answer number)."""
        return None

    def send_notice(self, notice):
        """Answer a signed 04/SS-HĐĐT notice as the authority would (see the module); return
        (MTDiep, :class:`tdiep.NoticeAnswer`) as :meth:`.providers.TvanClient.send_notice`.
        A notice whose taxpayer signature does not verify is refused (REJECTED, as the
        T-VAN's 999 refusal)."""
        seller = self._demo_only(notice.get("seller_tax_id"), "answers notices")
        mtdiep = notice.get("message_id") or tdiep.message_id(seller, notice["seed"])
        try:
            tbao = tdiep.parse_payload(notice["xml"])
            signature = tbao.find("DSCKS/NNT/ds:Signature", signer.NS)
            if tbao.tag != "TBao" or tbao.find("DLTBao") is None or signature is None:
                raise signer.SignError("not a TBao/DLTBao signed in TBao/DSCKS/NNT")
            data_uri = f"#{tbao.find('DLTBao').get('Id')}"
            if data_uri not in {
                ref.get("URI") for ref in signature.iterfind(".//ds:Reference", signer.NS)
            }:
                raise signer.SignError(f"the signature does not cover DLTBao ({data_uri})")
            subject = signer.verify(tbao, signature)
            declared = compact_tax_id(text(tbao, "DLTBao", "MST"))
            signed_by = compact_tax_id(signer.tax_id_of_subject(subject))
            if declared != seller or signed_by != seller:
                raise signer.SignError(
                    f"the notice is of MST {declared or '-'} signed by MST {signed_by or '-'}, "
                    f"not of the sender {seller}"
                )
        except (tdiep.TdiepError, signer.SignError) as exc:
            reason = f"Chữ ký số không hợp lệ (bad signature): {exc}"
            raise ProviderError(
                REJECTED,
                f"notice message {mtdiep} refused by the sandbox (999): {reason}",
                [reason],
                authority=True,
            ) from exc
        answer = tdiep.notice_answer_tbao(
            tbao,
            number=answer_number(mtdiep),
            reasons_of=notice_reasons,
            transaction=f"{tdiep.AUTHORITY}{mtdiep[-32:]}",
        )
        signer.sign(
            answer,
            self.authority,
            signature_id="CQT",
            holder="CQT",
            extra_references=[answer.find("STBao")],
        )
        message = tdiep.build(
            tdiep.NOTICE_ANSWER, tdiep.AUTHORITY, seller, answer, reference=mtdiep, tax_id=seller
        )
        outcome = notice_answer(
            tdiep.parse(tdiep.to_bytes(message)),
            seller,
            trusted_issuers=[self.authority.cert_pem],
            authority_names=[AUTHORITY_NAME],
            reference=mtdiep,
            notice=tbao,
        )
        return mtdiep, outcome
