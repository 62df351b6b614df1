"""Pluggable SMS backends.  ``settings.ABLEWORK_SMS_BACKEND`` names the class."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SMSError(Exception):
    pass


class BaseSMSBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, phone: str, text: str) -> None:
        print(f"[SMS → {phone}] {text}")


class FileSMSBackend(BaseSMSBackend):
    """Appends each message as a JSON line to a file per day (demo and tests)."""

    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.ABLEWORK_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now().astimezone()
        with (folder / f"{now:%Y%m%d}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"at": now.isoformat(), "phone": phone, "text": text}, ensure_ascii=False) + "\n")


class HTTPGatewaySMSBackend(BaseSMSBackend):
    """Posts ``{"phone", "text"}`` as JSON to the gateway URL with a bearer token (government SMS platforms
    usually offer such an adapter endpoint)."""

    def send(self, phone: str, text: str) -> None:
        url = settings.ABLEWORK_SMS_GATEWAY_URL
        if not url.startswith(("http://", "https://")):
            raise SMSError("SMS_GATEWAY_URL 未配置或格式错误")
        req = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.ABLEWORK_SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                if resp.status >= 300:
                    raise SMSError(f"短信网关返回 {resp.status}")
        except OSError as exc:
            raise SMSError(f"短信网关不可用：{exc}") from exc


def get_backend() -> BaseSMSBackend:
    return import_string(settings.ABLEWORK_SMS_BACKEND)()
