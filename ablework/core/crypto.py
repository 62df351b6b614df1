"""Encryption of resident ID numbers and their keyed lookup hash (PIPL).

Stored form of a ciphertext: ``<alg><key-version>:<base64(nonce ‖ ciphertext ‖ tag)>``, e.g. ``A1:…``
(AES-256-GCM) or ``S1:…`` (SM4-GCM, 国密).  The prefix lets a key rotation re-encrypt row by row
and lets both ciphers coexist.  Exact search and uniqueness use ``lookup_hash``: HMAC-SHA256 under a
separate key, so the table never holds a value that can be brute-forced without that key.
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
KEY_VERSION = "1"


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
    return f"{prefix}{KEY_VERSION}:" + base64.b64encode(nonce + blob).decode("ascii")


def decrypt(token: str, *, key: bytes | None = None) -> str:
    key = key or settings.ABLEWORK_ID_ENCRYPTION_KEY
    try:
        head, b64 = token.split(":", 1)
        raw = base64.b64decode(b64)
    except (ValueError, TypeError) as exc:
        raise DecryptionError("密文格式错误") from exc
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
