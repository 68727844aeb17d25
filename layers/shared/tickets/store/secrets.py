"""Webhook signing secrets at rest: HMAC needs them back, so they are encrypted with the stack's KMS key
(moto and MiniStack emulate KMS, so every stack takes the same path), bound to their endpoint by the
encryption context: a ciphertext copied to another endpoint's item does not decrypt."""

from __future__ import annotations

import base64
from typing import Any


class SecretBox:
    def __init__(self, kms: Any, key_id: str) -> None:
        self._kms = kms
        self._key_id = key_id
        # A container decrypts each secret once: a KMS call per delivery would cost more than the post.
        self._opened: dict[tuple[str, str, str], str] = {}

    @staticmethod
    def _context(tenant_id: str, webhook_id: str) -> dict[str, str]:
        return {"tenantId": tenant_id, "webhookId": webhook_id}

    def seal(self, tenant_id: str, webhook_id: str, secret: str) -> str:
        response = self._kms.encrypt(
            KeyId=self._key_id,
            Plaintext=secret.encode(),
            EncryptionContext=self._context(tenant_id, webhook_id),
        )
        return base64.b64encode(response["CiphertextBlob"]).decode()

    def open(self, tenant_id: str, webhook_id: str, ciphertext: str) -> str:
        wanted = (tenant_id, webhook_id, ciphertext)
        if wanted not in self._opened:
            response = self._kms.decrypt(
                KeyId=self._key_id,
                CiphertextBlob=base64.b64decode(ciphertext),
                EncryptionContext=self._context(tenant_id, webhook_id),
            )
            self._opened[wanted] = bytes(response["Plaintext"]).decode()
        return self._opened[wanted]
