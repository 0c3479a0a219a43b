"""Is the provider's copy the invoice we signed? Compared on the seller's signature."""

from einvoice_tools import archive
from lxml import etree

SIGNED = b"""<HDon><DLHDon Id="D1"><TTChung><SHDon>7</SHDon></TTChung></DLHDon><DSCKS><NBan>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="seller">
<ds:SignatureValue>QUJD
REVG</ds:SignatureValue></ds:Signature></NBan></DSCKS></HDon>"""


def _with_authority(xml):
    """The provider's copy: our invoice plus the authority's code, re-serialized."""
    root = etree.fromstring(xml)
    etree.SubElement(root, "MCCQT", Id="M1").text = "00" * 17
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def test_provider_copy_with_the_authority_code_is_the_same_invoice():
    assert archive.seller_signature(SIGNED) == "QUJDREVG"
    assert archive.same_signed_invoice(SIGNED, _with_authority(SIGNED))


def test_copy_signed_another_time_is_not_the_same_invoice():
    other = SIGNED.replace(b"REVG", b"REVH")
    assert not archive.same_signed_invoice(SIGNED, other)


def test_unsigned_or_broken_copies_are_not_the_same_invoice():
    assert not archive.same_signed_invoice(SIGNED, b"<HDon><DLHDon/></HDon>")
    assert not archive.same_signed_invoice(SIGNED, b"not xml")
    assert not archive.same_signed_invoice(b"", SIGNED)


def test_entities_are_not_resolved():
    hostile = (
        b'<!DOCTYPE HDon [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<HDon><DSCKS><NBan><ds:Signature xmlns:ds='http://www.w3.org/2000/09/xmldsig#'>"
        b"<ds:SignatureValue>&x;</ds:SignatureValue></ds:Signature></NBan></DSCKS></HDon>"
    )
    assert archive.seller_signature(hostile) is None
