"""Initial passwords of new accounts, and sealing them between the import and their one showing."""

import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password

# Initial passwords: 12 characters from an alphabet without look-alikes (0/O, 1/l/I): ~68 bits.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12
# PBKDF2 iterations for the one-time initial password only. A 68-bit random secret needs no
# key stretching to resist guessing (2^67 × 1000 SHA-256 rounds on average), while Django's
# default (1,000,000) costs ~1 s per account: 500 accounts would take minutes. The hash is
# replaced by a full-strength one at the first login (Django upgrades it because the
# iteration count differs) and again when the person sets their own password, which the
# first-login middleware forces.
INITIAL_PASSWORD_ITERATIONS = 1000


def initial_password():
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def initial_password_hash(password):
    """A hash of a one-time initial password, cheap enough for hundreds (see INITIAL_PASSWORD_ITERATIONS)."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=INITIAL_PASSWORD_ITERATIONS)
    return make_password(password)


def seal(data: bytes):
    """(key, sealed) for keeping `data` in the database-backed session without the plain text:
    the session holds the ciphertext, the browser a cookie with the one-time key."""
    key = secrets.token_bytes(32)
    stream = hashlib.shake_256(key).digest(len(data))
    ciphertext = bytes(a ^ b for a, b in zip(data, stream, strict=True))
    tag = hmac.new(key, ciphertext, hashlib.sha256).digest()
    return key, tag + ciphertext


def unseal(key: bytes, sealed: bytes):
    """The data, or None when the key does not match."""
    tag, ciphertext = sealed[:32], sealed[32:]
    if not hmac.compare_digest(tag, hmac.new(key, ciphertext, hashlib.sha256).digest()):
        return None
    stream = hashlib.shake_256(key).digest(len(ciphertext))
    return bytes(a ^ b for a, b in zip(ciphertext, stream, strict=True))


# Sealing to a public key (ECIES), for passwords made by a background worker: the request that
# starts the import keeps the private key on the administrator's side (sealed in the session,
# its key in a cookie) and gives the worker only the public key, so the server never holds
# both a ciphertext and what opens it.
SEAL_INFO = b"shuping roster initial passwords"


def keypair():
    """(private, public) raw 32-byte X25519 keys."""
    private = X25519PrivateKey.generate()
    return (
        private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def _box_key(shared, ephemeral_public):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public, info=SEAL_INFO).derive(shared)


def seal_to(public_key: bytes, data: bytes):
    """`data` encrypted to the holder of the private key of `public_key`:
    ephemeral public key (32) + nonce (12) + AES-GCM ciphertext and tag."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _box_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key)), ephemeral_public)
    nonce = secrets.token_bytes(12)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, data, SEAL_INFO)


def unseal_with(private_key: bytes, box: bytes):
    """The data sealed by `seal_to`, or None when the key does not open it."""
    try:
        ephemeral_public, nonce, ciphertext = box[:32], box[32:44], box[44:]
        private = X25519PrivateKey.from_private_bytes(private_key)
        key = _box_key(private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public)), ephemeral_public)
        return AESGCM(key).decrypt(nonce, ciphertext, SEAL_INFO)
    except (InvalidTag, ValueError):
        return None
