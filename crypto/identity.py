"""Who a certificate names: the enterprise's 统一社会信用代码 (USCC), its legal name, or a person.

Chinese CAs put the USCC in different places of the subject: organizationIdentifier (2.5.4.97,
often prefixed like ``NTRCN-``), serialNumber, or free text inside OU or CN. One enterprise is one
identity whichever CA issued its certificate, so every place is searched and the code (not the
name, not the issuer) is what identifies the enterprise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from crypto.errors import MalformedError

# GB 32100-2015: the 31 characters allowed, in value order (no I, O, S, V, Z).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_LEN = 18
_USCC_CANDIDATE = re.compile(r"(?=([0-9A-HJ-NP-RTUW-Y]{18}))")


def uscc_check_character(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC.

    Raises ValueError when ``first17`` is not 17 characters of the USCC alphabet.
    """
    if len(first17) != _USCC_LEN - 1 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError("a USCC body is 17 characters of 0-9 and A-Y without I, O, S, V, Z")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is an 18-character USCC whose check character is right (case-sensitive:
    the standard uses upper case only)."""
    if len(code) != _USCC_LEN or any(c not in _USCC_VALUES for c in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def find_uscc(text: str) -> str | None:
    """The first 18-character run inside ``text`` that is a valid USCC, or None.

    Overlapping candidates are tried, so a code glued to other alphanumerics is still found;
    a random 18-character run passes the check with probability 1/31, which is why the
    dedicated attributes are preferred over free text.
    """
    for match in _USCC_CANDIDATE.finditer(text.upper()):
        candidate = match.group(1)
        if is_valid_uscc(candidate):
            return candidate
    return None


@dataclass(frozen=True)
class Identity:
    """The party a certificate belongs to. Enterprises compare by ``uscc``."""

    uscc: str | None
    organization: str | None
    person: str | None

    @property
    def key(self) -> str:
        """A stable comparison key: ``uscc:<code>`` for an enterprise, else ``person:<name>``."""
        if self.uscc:
            return f"uscc:{self.uscc}"
        return f"person:{self.person or self.organization or ''}"

    def display_name(self) -> str:
        """A name for people to read: the organization (with its code) or the person."""
        if self.organization and self.uscc:
            return f"{self.organization} ({self.uscc})"
        return self.organization or self.person or self.uscc or "?"


def _values(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    out: list[str] = []
    for attribute in name.get_attributes_for_oid(oid):
        value = attribute.value
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        out.append(value.strip())
    return out


def _uscc_from_identifier(value: str) -> str | None:
    """organizationIdentifier per ETSI EN 319 412-1 is ``XXXCC-<id>`` (e.g. ``NTRCN-<code>``);
    some CAs put the bare code. Accept both, and nothing else that merely contains a code."""
    text = value.strip().upper()
    if is_valid_uscc(text):
        return text
    if "-" in text:
        tail = text.split("-", 1)[1].strip()
        if is_valid_uscc(tail):
            return tail
    return None


def identity_of(cert: x509.Certificate) -> Identity:
    """The identity named by ``cert``'s subject.

    The USCC is looked for in organizationIdentifier, then serialNumber, then inside OU and CN
    text. The organization is O, or (when O is absent but a USCC was found) CN with the code
    removed. The person is CN when CN names neither the organization nor the code.
    Raises MalformedError when the subject cannot be decoded.
    """
    try:
        return _identity_of_name(cert.subject)
    except ValueError as ex:  # undecodable attribute values in a hostile certificate
        raise MalformedError("the certificate's subject cannot be decoded") from ex


def _identity_of_name(subject: x509.Name) -> Identity:
    uscc: str | None = None
    for value in _values(subject, NameOID.ORGANIZATION_IDENTIFIER):
        uscc = _uscc_from_identifier(value)
        if uscc:
            break
    if uscc is None:
        for value in _values(subject, NameOID.SERIAL_NUMBER):
            uscc = _uscc_from_identifier(value)
            if uscc:
                break
    if uscc is None:
        for value in (*_values(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
                      *_values(subject, NameOID.COMMON_NAME)):
            uscc = find_uscc(value)
            if uscc:
                break

    orgs = [v for v in _values(subject, NameOID.ORGANIZATION_NAME) if v]
    common_names = [v for v in _values(subject, NameOID.COMMON_NAME) if v]
    cn = common_names[0] if common_names else None
    organization = orgs[0] if orgs else None
    cn_has_code = bool(cn and uscc and uscc in cn.upper())
    if organization is None and uscc is not None and cn:
        stripped = _strip_code(cn, uscc)
        organization = stripped or None
    person = None
    if cn and not cn_has_code and cn != organization:
        person = cn
    return Identity(uscc=uscc, organization=organization, person=person)


def _strip_code(text: str, code: str) -> str:
    start = text.upper().find(code)
    if start < 0:
        return text.strip()
    rest = text[:start] + text[start + len(code):]
    # Separators CAs use around the code: spaces, @, colons, brackets (ASCII and full-width).
    rest = re.sub(r"[()（）\[\]【】]\s*[()（）\[\]【】]", "", rest)
    return rest.strip(" \t@:：-_/|,，;；()（）[]【】")


# Attribute names RFC 4514 leaves as dotted numbers, which people cannot read (``2.5.4.5=9131…``).
_READABLE_ATTRIBUTES = {
    x509.NameOID.SERIAL_NUMBER: "serialNumber",
    x509.NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    x509.NameOID.EMAIL_ADDRESS: "emailAddress",
    x509.NameOID.GIVEN_NAME: "givenName",
    x509.NameOID.SURNAME: "surname",
    x509.NameOID.TITLE: "title",
    x509.NameOID.BUSINESS_CATEGORY: "businessCategory",
    x509.NameOID.POSTAL_CODE: "postalCode",
    x509.NameOID.JURISDICTION_COUNTRY_NAME: "jurisdictionC",
}


def readable_name(name: x509.Name) -> str:
    """A distinguished name in RFC 4514 form, with the attribute names Chinese CAs use spelled out
    (``serialNumber=91310115MA1K4ABC18`` rather than ``2.5.4.5=…``), for messages and listings."""
    return name.rfc4514_string(_READABLE_ATTRIBUTES)
