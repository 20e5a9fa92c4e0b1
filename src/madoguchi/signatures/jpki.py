"""The four basic facts (基本4情報) in a JPKI signing certificate.

JPKI signing certificates do not carry the holder's name in the subject: the subject CN
is an opaque identifier. The facts are subjectAltName otherNames under the arc
1.2.392.200149.8.5.5 (J-LIS certificate profile), each value a UTF8String:

====  =============================================  ===================
arc   meaning                                        example
====  =============================================  ===================
.1    name (氏名)                                    青葉 太郎
.2    name, substitute characters (代替文字)          青葉 太郎
.3    sex (性別): 1 male, 2 female, 9 not applicable  1
.4    date of birth: era digit + Gregorian YYYYMMDD   319850402 (昭和)
.5    address (住所)                                 宮城県青葉市本町1-1
.6    address, substitute characters                 (as .5)
====  =============================================  ===================

Era digits: 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from asn1crypto import core
from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

ARC = "1.2.392.200149.8.5.5"
NAME = ObjectIdentifier(f"{ARC}.1")
NAME_SUBSTITUTE = ObjectIdentifier(f"{ARC}.2")
SEX = ObjectIdentifier(f"{ARC}.3")
BIRTH_DATE = ObjectIdentifier(f"{ARC}.4")
ADDRESS = ObjectIdentifier(f"{ARC}.5")
ADDRESS_SUBSTITUTE = ObjectIdentifier(f"{ARC}.6")

ERA_DIGITS = {"1": "meiji", "2": "taisho", "3": "showa", "4": "heisei", "5": "reiwa"}
ERA_STARTS = [("5", date(2019, 5, 1)), ("4", date(1989, 1, 8)), ("3", date(1926, 12, 25)),
              ("2", date(1912, 7, 30)), ("1", date(1868, 1, 25))]  # fmt: skip


@dataclass(frozen=True)
class BasicFacts:
    """What a signing certificate says about its holder; empty strings where absent."""

    name: str = ""
    name_substitute: str = ""
    sex: str = ""
    birth_date: str = ""  # ISO date
    address: str = ""
    address_substitute: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def encode_utf8(value: str) -> bytes:
    return core.UTF8String(value).dump()


def _decode(value: bytes) -> str:
    try:
        return str(core.Asn1Value.load(value).native or "")
    except (ValueError, TypeError):
        return ""


def birth_date_value(born: date) -> str:
    """Return the era-digit form of a birth date (e.g. 1985-04-02 → 319850402)."""
    era = next(digit for digit, start in ERA_STARTS if born >= start)
    return f"{era}{born:%Y%m%d}"


def parse_birth_date(value: str) -> str:
    """Return the ISO date in an era-digit value, or "" if it is not a complete date."""
    if len(value) != 9 or not value.isdigit() or value[0] not in ERA_DIGITS:
        return ""
    try:
        return date(int(value[1:5]), int(value[5:7]), int(value[7:9])).isoformat()
    except ValueError:
        return ""


def basic_facts(certificate: x509.Certificate) -> BasicFacts:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return BasicFacts()
    found = {other.type_id: _decode(other.value) for other in san.get_values_for_type(x509.OtherName)}
    return BasicFacts(
        name=found.get(NAME, ""),
        name_substitute=found.get(NAME_SUBSTITUTE, ""),
        sex=found.get(SEX, ""),
        birth_date=parse_birth_date(found.get(BIRTH_DATE, "")),
        address=found.get(ADDRESS, ""),
        address_substitute=found.get(ADDRESS_SUBSTITUTE, ""),
    )


def other_names(*, name: str, sex: str, born: date, address: str) -> list[x509.OtherName]:
    """The subjectAltName entries of a JPKI-style signing certificate (demo and tests)."""
    return [
        x509.OtherName(NAME, encode_utf8(name)),
        x509.OtherName(NAME_SUBSTITUTE, encode_utf8(name)),
        x509.OtherName(SEX, encode_utf8(sex)),
        x509.OtherName(BIRTH_DATE, encode_utf8(birth_date_value(born))),
        x509.OtherName(ADDRESS, encode_utf8(address)),
        x509.OtherName(ADDRESS_SUBSTITUTE, encode_utf8(address)),
    ]
