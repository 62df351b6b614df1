"""Encryption of resident ID numbers and their keyed lookup hash (PIPL).

Stored form of a ciphertext: ``<alg><key-version>:<base64(nonce ‖ ciphertext ‖ tag)>``, e.g. ``A1:…``
(AES-256-GCM) or ``S1:…`` (SM4-GCM, 国密).  The prefix lets both ciphers coexist and lets a key rotation
re-encrypt row by row: ``encrypt`` always writes under the current key (``ABLEWORK_ID_KEY_VERSION``),
``decrypt`` picks the key by the version in the prefix (``ABLEWORK_ID_ENCRYPTION_KEYS`` holds the current and
the retired keys), and ``manage.py rotate_id_encryption`` re-encrypts every registered field
(``register_encrypted_field``) until no row uses a retired key.  Exact search and uniqueness use
``lookup_hash``: HMAC-SHA256 under a separate key, so the table never holds a value that can be brute-forced
without that key (that key is not rotated by this: every hash column would have to be recomputed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_NONCE = 12
_TAG = 16

# (app_label.Model, field) of every column holding ``encrypt`` output; apps register theirs in ready().
ENCRYPTED_FIELDS: list[tuple[str, str]] = []


def register_encrypted_field(model_label: str, field: str) -> None:
    if (model_label, field) not in ENCRYPTED_FIELDS:
        ENCRYPTED_FIELDS.append((model_label, field))


def current_version() -> str:
    return str(getattr(settings, "ABLEWORK_ID_KEY_VERSION", "1"))


def _key_for(version: str) -> bytes:
    keys: dict[str, bytes] = getattr(settings, "ABLEWORK_ID_ENCRYPTION_KEYS", {})
    if version in keys:
        return keys[version]
    if version == current_version():
        return bytes(settings.ABLEWORK_ID_ENCRYPTION_KEY)
    raise DecryptionError(f"没有第{version}版密钥：该数据用已停用且未配置的密钥加密")


def version_of(token: str) -> str:
    """The key version in a ciphertext's prefix (``A12:…`` → ``12``)."""
    head = token.split(":", 1)[0]
    return head[1:]


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=4)
def _aes(key: bytes) -> AESGCM:
    return AESGCM(key if len(key) in (16, 24, 32) else hashlib.sha256(key).digest())


def _sm4_key(key: bytes) -> bytes:
    return key[:16]


def encrypt(plain: str, *, cipher: str | None = None, key: bytes | None = None) -> str:
    cipher = cipher or settings.ABLEWORK_ID_CIPHER
    key = key or settings.ABLEWORK_ID_ENCRYPTION_KEY
    nonce = os.urandom(_NONCE)
    data = plain.encode("utf-8")
    if cipher == "AES-GCM":
        blob = _aes(key).encrypt(nonce, data, None)
        prefix = "A"
    elif cipher == "SM4-GCM":
        enc = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
        blob = enc.update(data) + enc.finalize() + enc.tag
        prefix = "S"
    else:  # pragma: no cover - settings validate the name
        raise ValueError(f"unknown cipher {cipher}")
    # An explicit key is always the current one (bulk writers pass it to avoid the settings lookup).
    return f"{prefix}{current_version()}:" + base64.b64encode(nonce + blob).decode("ascii")


def decrypt(token: str, *, key: bytes | None = None) -> str:
    try:
        head, b64 = token.split(":", 1)
        raw = base64.b64decode(b64)
    except (ValueError, TypeError) as exc:
        raise DecryptionError("密文格式错误") from exc
    if not head:
        raise DecryptionError("密文格式错误")
    key = key or _key_for(head[1:] or "1")
    nonce, blob = raw[:_NONCE], raw[_NONCE:]
    try:
        if head[0] == "A":
            return _aes(key).decrypt(nonce, blob, None).decode("utf-8")
        if head[0] == "S":
            dec = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, blob[-_TAG:])).decryptor()
            return (dec.update(blob[:-_TAG]) + dec.finalize()).decode("utf-8")
    except Exception as exc:  # InvalidTag and friends: never leak details
        raise DecryptionError("解密失败：密钥不匹配或数据被篡改") from exc
    raise DecryptionError(f"未知的加密算法标记 {head!r}")


def lookup_hash(normalised: str, *, key: bytes | None = None) -> str:
    key = key or settings.ABLEWORK_ID_LOOKUP_KEY
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
