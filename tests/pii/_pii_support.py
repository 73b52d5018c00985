"""Helpers for the PII and secrets tests: deterministic fake tokens and span lookups."""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Sequence

from guardkit._types import Finding

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def fake(n: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    """Return *n* pseudo-random characters of *alphabet*, the same for the same seed."""
    rng = random.Random(f"{seed}-{n}-{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(obj: object) -> str:
    """Base64url-encode the JSON of *obj* without padding, as JWT segments are."""
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(alg: str = "HS256", seed: int = 0) -> str:
    """Return a structurally valid JWT with a random signature."""
    header = b64url({"alg": alg, "typ": "JWT"})
    payload = b64url({"sub": f"user-{seed}", "iat": 1700000000 + seed})
    return f"{header}.{payload}.{fake(43, ALNUM + '-_', seed)}"


def pem(label: str = "RSA PRIVATE KEY", lines: int = 4, seed: int = 0, indent: str = "") -> str:
    """Return a PEM block with random base64 body lines."""
    body = "\n".join(indent + fake(64, B64, seed + i) for i in range(lines))
    return f"-----BEGIN {label}-----\n{body}\n{indent}-----END {label}-----"


def spans(text: str, findings: Sequence[Finding]) -> list[tuple[str, str]]:
    """Return ``(kind, flagged text)`` for each finding."""
    return [(f.kind, text[f.start : f.end]) for f in findings]
