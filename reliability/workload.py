"""What the load generator sends: applications built from the API's own examples, with unique attachments.

An integrator reads ``GET /api/v1/municipalities/{code}/procedures/{slug}`` — the definition,
the ``files`` parts and a valid ``example`` — and submits. So does the suite: the answers are
the procedure's example with a unique applicant, so that every case is told apart, and a
procedure with an attachment gets a small PNG whose bytes are unique to its submission (files
are content-addressed: identical bytes would be stored once and hide a lost file).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import struct
import uuid
import zlib
from dataclasses import dataclass, field

from reliability.client import Client, multipart

TARGET = {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"}
# (municipality, procedure, attachment field or None, extra answers): inkan-certificate has an
# approval route (起案 → 審査 → 決裁); juminhyo-copy by an agent needs the letter of authorisation.
PROCEDURES = [
    ("082015", "inkan-certificate", None, {}),
    ("082015", "juminhyo-copy", "power_of_attorney", {"relationship": "agent", "target_name": TARGET}),
    ("082023", "inkan-certificate", None, {}),
    ("082023", "juminhyo-copy", "power_of_attorney", {"relationship": "agent", "target_name": TARGET}),
]
FAMILY_NAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def png(text: str, *, noise_bytes: int = 2048) -> bytes:
    """A valid PNG (one grey row) carrying ``text`` and ``noise_bytes`` of random data in text chunks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 4, 1, 8, 0, 0, 0, 0)  # 4x1, 8-bit greyscale
    noise = random.randbytes(noise_bytes).hex().encode()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + text.encode())
        + chunk(b"tEXt", b"Noise\x00" + noise)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x80\x80"))
        + chunk(b"IEND", b"")
    )


@dataclass
class Application:
    """One application to submit, and what must be found for it once acknowledged."""

    key: str
    municipality: str
    procedure: str
    answers: dict
    attachment: tuple[str, bytes] | None  # (field id, bytes)
    attachment_sha256: str | None = None
    receipt: str | None = None
    access_code: str | None = None
    extras: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"/api/v1/municipalities/{self.municipality}/procedures/{self.procedure}/applications"

    def request(self) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the submit (the same every time it is repeated)."""
        headers = {"Idempotency-Key": self.key, "Accept": "application/json"}
        if self.attachment is None:
            headers["Content-Type"] = "application/json"
            return json.dumps({"answers": self.answers}, ensure_ascii=False).encode(), headers
        field_id, data = self.attachment
        body, content_type = multipart(
            {"answers": json.dumps(self.answers, ensure_ascii=False)},
            [(field_id, f"{self.key}.png", "image/png", data)],
        )
        headers["Content-Type"] = content_type
        return body, headers


class Workload:
    """Makes applications from the examples the API publishes (fetched once)."""

    def __init__(self, client: Client, *, attachment_noise: int = 2048):
        self.examples: dict[tuple[str, str], dict] = {}
        self.attachment_noise = attachment_noise
        for code, slug, _field, _extra in PROCEDURES:
            response = client.json("GET", f"/api/v1/municipalities/{code}/procedures/{slug}")
            if response.status != 200:
                raise RuntimeError(f"procedure {code}/{slug}: {response.status} {response.body[:200]!r}")
            self.examples[(code, slug)] = response.json()["example"]["answers"]

    def make(self, *, rng: random.Random, unique_attachment: bool = True) -> Application:
        code, slug, field_id, extra = rng.choice(PROCEDURES)
        # A copy of the extras too: the names below are changed in place, per application.
        answers = copy.deepcopy({**self.examples[(code, slug)], **extra})
        key = f"rel-{uuid.uuid4()}"
        for value in answers.values():
            if isinstance(value, dict) and {"family", "given", "family_kana", "given_kana"} <= value.keys():
                value["family"] = rng.choice(FAMILY_NAMES)
                value["given_kana"] = "".join(rng.choice(KANA) for _ in range(4))
        attachment = None
        digest = None
        if field_id:
            data = png(
                key if unique_attachment else "shared", noise_bytes=self.attachment_noise if unique_attachment else 0
            )
            attachment, digest = (field_id, data), hashlib.sha256(data).hexdigest()
        return Application(key, code, slug, answers, attachment, attachment_sha256=digest)
