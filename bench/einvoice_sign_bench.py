"""Build and sign 1,000 e-invoice XMLs vs raw xmlsec signing of the same prebuilt XMLs.

Ours: from plain values, compute totals, write the XML in table order, validate it against
the field tables, sign it (two references, SigningTime object, X509 data).
Baseline: the same invoices prebuilt once, then signed with bare python-xmlsec
(one enveloped reference, same key). Goal: ours >= 50% of the raw throughput.
No Odoo needed.
"""

import argparse
import copy
import datetime
import importlib.util
import sys
import time
from pathlib import Path

import xmlsec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import conftest  # noqa: E402,F401  (loads the pure packages without Odoo)
from einvoice_tests.certs import make_pkcs12  # noqa: E402
from einvoice_tools import builder, signer  # noqa: E402

spec = importlib.util.spec_from_file_location("golden", ROOT / "tests/unit/test_einvoice_xml.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


def invoices(count):
    result = []
    for i in range(count):
        values = copy.deepcopy(golden.retail_invoice())
        values["id"] = f"DLHDon-{i}"
        values["general"]["SHDon"] = str(i + 1)
        values["lines"][0]["quantity"] = 1 + i % 17
        result.append(values)
    return result


def raw_sign(root, cert):
    signature = xmlsec.template.create(root, xmlsec.Transform.C14N, xmlsec.Transform.RSA_SHA256)
    root.append(signature)
    ref = xmlsec.template.add_reference(
        signature, xmlsec.Transform.SHA256, uri="#" + root[0].get("Id")
    )
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    key_info = xmlsec.template.ensure_key_info(signature)
    xmlsec.template.add_x509_data(key_info)
    ctx = xmlsec.SignatureContext()
    key = xmlsec.Key.from_memory(cert.key_pem, xmlsec.KeyFormat.PEM)
    key.load_cert_from_memory(cert.cert_pem, xmlsec.KeyFormat.CERT_PEM)
    ctx.key = key
    ctx.register_id(root[0], "Id")
    ctx.sign(signature)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    cert = signer.Certificate.from_pkcs12(make_pkcs12(), "secret")
    values = invoices(args.count)
    prebuilt = [builder.build(v) for v in values]
    when = datetime.datetime(2026, 11, 26, 10, 0, 0)

    started = time.perf_counter()
    for root in prebuilt:
        raw_sign(root, cert)
        builder.to_bytes(root)
    raw = time.perf_counter() - started

    started = time.perf_counter()
    for v in values:
        root = builder.build(v)
        signer.sign(root, cert, when)
        builder.to_bytes(root)
    ours = time.perf_counter() - started

    print(f"invoices: {args.count}")
    print(f"  raw xmlsec signing of prebuilt XML : {raw:7.2f} s  ({args.count / raw:7.1f}/s)")
    print(f"  build + validate + sign (ours)     : {ours:7.2f} s  ({args.count / ours:7.1f}/s)")
    print(f"  ours / raw throughput: {raw / ours:.0%}  (goal >= 50%)")


if __name__ == "__main__":
    main()
