"""P-256 point and scalar arithmetic for the committee key (pycryptodome's ``ECC.EccPoint``).

cryptography has no EC point arithmetic (its ECDH returns only the x-coordinate), so the threshold
scheme adds and multiplies points with pycryptodome. Everything here is P-256 only; points travel as
65-byte uncompressed SEC 1 encodings (``04 || X || Y``), scalars as 32-byte big-endian integers.

Side channels: pycryptodome's scalar multiplication (``EccPoint.__mul__``, its C ``ec_ws``) treats a
plain int scalar as secret: full-length encoding, a random blinding seed per call and side-channel
protected (scatter/gather) table look-ups, i.e. it is designed to be constant time. The modular
arithmetic on Python integers here (share sums, Lagrange coefficients, the proof response
``r + c·x mod q``) is not: CPython's big integers take time that depends on the values. That leaks at
most timing of a member's own client while it computes on its own share; there is no remote oracle
(nothing answers queries with a share), so this is accepted and documented in
docs/formats/committee-key.md.
"""

from __future__ import annotations

import secrets

from Crypto.PublicKey import ECC
from cryptography.hazmat.primitives.asymmetric import ec

CURVE = "p256"
# SEC 2 v2, section 2.4.2 (secp256r1).
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
_GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
SCALAR_BYTES = 32
POINT_BYTES = 65

Point = ECC.EccPoint


def generator() -> Point:
    return ECC.EccPoint(_GX, _GY, curve=CURVE)


def random_scalar() -> int:
    """A uniformly random scalar in [1, q-1] from the OS's CSPRNG."""
    return secrets.randbelow(ORDER - 1) + 1


def base_mul(scalar: int) -> Point:
    """scalar·G."""
    return generator() * (scalar % ORDER)


def mul(point: Point, scalar: int) -> Point:
    """scalar·point (a new point; ``point`` is left as it is)."""
    return point * (scalar % ORDER)


def add(a: Point, b: Point) -> Point:
    return a + b


def infinity() -> Point:
    return generator().point_at_infinity()


def encode(point: Point) -> bytes:
    """Uncompressed SEC 1 encoding. The point at infinity has none and raises ValueError."""
    if point.is_point_at_infinity():
        raise ValueError("the point at infinity has no encoding")
    x, y = point.xy
    return b"\x04" + int(x).to_bytes(SCALAR_BYTES, "big") + int(y).to_bytes(SCALAR_BYTES, "big")


def decode(data: bytes) -> Point:
    """A point from its uncompressed SEC 1 encoding; ValueError when it is not one on P-256.

    P-256 has cofactor 1, so every point on the curve other than infinity is in the prime-order group.
    """
    if len(data) != POINT_BYTES or data[0] != 4:
        raise ValueError("not an uncompressed P-256 point (65 bytes starting with 04)")
    x = int.from_bytes(data[1:33], "big")
    y = int.from_bytes(data[33:], "big")
    return ECC.EccPoint(x, y, curve=CURVE)  # raises ValueError when (x, y) is not on the curve


def from_public_key(key: ec.EllipticCurvePublicKey) -> Point:
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"the key is on {key.curve.name}, not P-256")
    numbers = key.public_numbers()
    return ECC.EccPoint(numbers.x, numbers.y, curve=CURVE)


def to_public_key(point: Point) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), encode(point))


def x_coordinate(point: Point) -> bytes:
    """The 32-byte x-coordinate: what ECDH (and PKCS#11 CKM_ECDH1_DERIVE) returns as the shared secret."""
    return encode(point)[1:33]


def scalar_bytes(value: int) -> bytes:
    return (value % ORDER).to_bytes(SCALAR_BYTES, "big")
