"""Webhook mode: Telegram POSTs updates to us; each is committed to the inbox before the 200."""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import urlsplit

from telegram import Bot
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from bot.inbox import Inbox, parse_webhook_body
from bot.retry import until_answered
from bot.settings import Settings

log = logging.getLogger(__name__)
HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateHandler(RequestHandler):
    def initialize(self, inbox: Inbox, secret: str) -> None:
        self.inbox, self.secret = inbox, secret

    async def post(self) -> None:
        given = self.request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)  # not from Telegram: not stored, not processed
            return
        update = parse_webhook_body(self.request.body)
        if update is None:
            self.set_status(400)
            return
        await self.inbox.receive([update])
        self.set_status(200)

    def log_exception(self, *args, **kwargs) -> None:  # tornado would log the request body
        log.error("webhook request failed")


def make_app(settings: Settings, inbox: Inbox) -> Application:
    path = urlsplit(settings.webhook_url or "").path or "/"
    return Application([(path, UpdateHandler, {"inbox": inbox, "secret": settings.webhook_secret})])


async def serve(settings: Settings, bot: Bot, inbox: Inbox) -> None:
    host, _, port = settings.webhook_listen.rpartition(":")
    server = HTTPServer(make_app(settings, inbox), xheaders=True)
    server.listen(int(port), address=host or "127.0.0.1")
    await until_answered(
        lambda: bot.set_webhook(
            settings.webhook_url, secret_token=settings.webhook_secret, max_connections=1
        ),
        "setWebhook",
    )
    log.info("webhook listening on %s", settings.webhook_listen)
    try:
        await asyncio.Event().wait()
    finally:
        server.stop()
