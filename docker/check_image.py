#!/usr/bin/env python3
"""Check, without a Docker engine, that the image provides what our addons import.

Every Python name in the ``external_dependencies`` of our manifests must map to a Debian
package that ``docker/Dockerfile`` installs or the base image documents
(``docker/base-image-packages.txt``); the Dockerfile must not pip-install lxml or xmlsec
(a wheel of either beside the distribution's other one fails with a libxml2 mismatch).

Exit status 0 when everything is provided, 1 with one line per problem otherwise.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "docker" / "Dockerfile"
BASE_LIST = ROOT / "docker" / "base-image-packages.txt"

# Import name (as manifests list it) -> the distribution package that provides it.
DEBIAN_PACKAGE = {
    "cryptography": "python3-cryptography",
    "lxml": "python3-lxml",
    "openpyxl": "python3-openpyxl",
    "phonenumbers": "python3-phonenumbers",
    "requests": "python3-requests",
    "stdnum": "python3-stdnum",
    "xmlsec": "python3-xmlsec",
}
NO_WHEELS = ("lxml", "xmlsec")


def manifest_dependencies(addons_dir):
    """{python name: [addon, ...]} from every manifest under ``addons_dir``."""
    needed = {}
    for manifest in sorted(Path(addons_dir).glob("*/__manifest__.py")):
        values = ast.literal_eval(manifest.read_text(encoding="utf-8"))
        for name in values.get("external_dependencies", {}).get("python", []):
            needed.setdefault(name, []).append(manifest.parent.name)
    return needed


def dockerfile_packages(text):
    """Packages named in the Dockerfile's ``apt-get install`` commands."""
    packages = set()
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for command in re.split(r"&&|;", line):
            words = command.split()
            if "apt-get" in words and "install" in words:
                start = words.index("install") + 1
                packages.update(w for w in words[start:] if not w.startswith("-"))
    return packages


def pip_installs(text):
    """Lines of the Dockerfile that pip-install lxml or xmlsec."""
    joined = re.sub(r"\\\n", " ", text)
    return [
        line.strip()
        for line in joined.splitlines()
        if not line.lstrip().startswith("#")
        and re.search(r"\bpip3?\b.*\binstall\b", line)
        and any(re.search(rf"\b{name}\b", line, re.I) for name in NO_WHEELS)
    ]


def base_packages(text):
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def problems(addons_dir, dockerfile_text, base_text):
    """The list of problems found (empty when the image provides everything)."""
    found = []
    provided = dockerfile_packages(dockerfile_text) | base_packages(base_text)
    for name, addons in sorted(manifest_dependencies(addons_dir).items()):
        package = DEBIAN_PACKAGE.get(name)
        if package is None:
            found.append(
                f"{name} (external dependency of {', '.join(addons)}): no distribution "
                "package known for it; add it to DEBIAN_PACKAGE in docker/check_image.py"
            )
        elif package not in provided:
            found.append(
                f"{name} (external dependency of {', '.join(addons)}): {package} is neither "
                "installed by docker/Dockerfile nor in the base image's list"
            )
    found.extend(
        f"docker/Dockerfile pip-installs a wheel of lxml or xmlsec: {line}"
        for line in pip_installs(dockerfile_text)
    )
    return found


def main():
    if not DOCKERFILE.exists():
        print("docker/Dockerfile is missing")
        return 1
    found = problems(
        ROOT / "addons",
        DOCKERFILE.read_text(encoding="utf-8"),
        BASE_LIST.read_text(encoding="utf-8"),
    )
    for line in found:
        print(line)
    if not found:
        print("image check: every external dependency of the addons is in the image")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
