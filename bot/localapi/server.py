"""The HTTP face of the local Bot API: routing, Telegram's envelopes, faults, control endpoints.

Routes:
  ``GET|POST /bot<token>/<method>``  Bot API (method names are case-insensitive)
  ``GET|POST /control/<action>``     control interface, JSON in and out (see control.py)
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from .control import HTTP_ACTIONS, Control
from .errors import ApiError, ControlError, too_many_requests
from .faults import Fault
from .httpwire import RESET, HttpServer, Request, Response
from .limits import RateLimits
from .methods import HANDLERS, encode_result
from .params import CANONICAL, coerce, raw_params
from .state import BotState
from .webhook import WebhookDelivery

log = logging.getLogger(__name__)

_SIGNATURES = {name: inspect.signature(getattr(Control, name)) for name in HTTP_ACTIONS}

DEFAULT_TOKEN = "123456:LOCAL-TEST-TOKEN"

_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def _api_error(error: ApiError) -> Response:
    return _json(error.code, error.envelope())


class LocalBotApi:
    """A Telegram Bot API look-alike on loopback, running on the current event loop.

    ``async with LocalBotApi(["123:ABC"]) as api:`` then point python-telegram-bot at
    ``api.base_url`` and play citizens through ``api.control()``.
    """

    def __init__(
        self,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: RateLimits | None = None,
        first_update_id: int = 1,
        poll_state_updates: bool = False,
        webhook_retry_delay: float = 0.1,
        webhook_max_retry_delay: float = 2.0,
        webhook_timeout: float = 10.0,
        require_https_webhook: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.limits = limits or RateLimits()
        self.first_update_id = first_update_id
        self.poll_state_updates = poll_state_updates
        self._webhook_options = {
            "retry_delay": webhook_retry_delay,
            "max_retry_delay": webhook_max_retry_delay,
            "timeout": webhook_timeout,
            "require_https": require_https_webhook,
        }
        self.bots: dict[str, BotState] = {}
        self._controls: dict[str, Control] = {}
        self._http = HttpServer(self.handle)
        self._started = False
        for token in tokens:
            self.add_bot(token)

    # --- bots --------------------------------------------------------------------------------

    def add_bot(
        self,
        token: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        limits: RateLimits | None = None,
    ) -> Control:
        if not token or "/" in token:
            raise ValueError("token must be non-empty and contain no '/'")
        bot = BotState(
            token,
            username=username,
            first_name=first_name,
            limits=RateLimits(**vars(limits or self.limits)),
            first_update_id=self.first_update_id,
            poll_state_updates=self.poll_state_updates,
        )
        bot.webhook = WebhookDelivery(bot, **self._webhook_options)
        self.bots[token] = bot
        self._controls[token] = Control(bot)
        return self._controls[token]

    def bot(self, token: str | None = None) -> BotState:
        return self.bots[token or next(iter(self.bots))]

    def control(self, token: str | None = None) -> Control:
        """Citizen/inspection API for a bot (the first one when no token is given)."""
        return self._controls[token or next(iter(self._controls))]

    @property
    def token(self) -> str:
        return next(iter(self.bots))

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as python-telegram-bot's ``base_url``."""
        return f"{self.url}/bot"

    async def start(self) -> LocalBotApi:
        await self._http.start(self.host, self.port)
        self.port = self._http.port
        self._started = True
        log.info("local Bot API listening on %s", self.url)
        return self

    async def stop(self) -> None:
        for bot in self.bots.values():
            await bot.webhook.stop()
        await self._http.stop()
        self._started = False

    async def __aenter__(self) -> LocalBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- routing -----------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response | None:
        path = request.path
        if path.startswith("/bot"):
            token, _, method = path[4:].partition("/")
            bot = self.bots.get(token)
            if bot is None:
                return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            name = CANONICAL.get(method.lower())
            if name is None:
                return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return await self._bot_api(bot, name, request)
        if path.startswith("/control/"):
            return await self._control(path[len("/control/") :], request)
        return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    async def _bot_api(self, bot: BotState, method: str, request: Request) -> Response | None:
        bot.stats.calls[method] += 1
        fault = bot.faults.take(
            method, reused=request.sequence > 0, chat_id=lambda: _chat_of(request)
        )
        if fault is None:
            return await self._execute(bot, method, request)
        bot.stats.faults_fired += 1
        log.debug("fault %s on %s", fault.kind, method)
        return await self._fault(bot, method, request, fault)

    async def _fault(
        self, bot: BotState, method: str, request: Request, fault: Fault
    ) -> Response | None:
        if fault.kind == "429":
            bot.stats.responses_429 += 1
            bot.stats.errors[429] += 1
            return _api_error(too_many_requests(fault.retry_after))
        if fault.kind == "500":
            bot.stats.errors[500] += 1
            return _api_error(ApiError(500, "Internal Server Error"))
        if fault.kind == "502":
            bot.stats.errors[502] += 1
            return Response(502, _BAD_GATEWAY_HTML, "text/html")
        response = await self._execute(bot, method, request) if fault.execute else None
        if fault.kind in ("drop", "close"):
            return None
        if fault.kind == "reset":
            return RESET
        await asyncio.sleep(fault.seconds)  # "hang": cancelled if the client gives up
        return response or await self._execute(bot, method, request)

    async def _execute(self, bot: BotState, method: str, request: Request) -> Response:
        try:
            params = coerce(
                method, raw_params(request.query, request.header("content-type"), request.body)
            )
            result = await HANDLERS[method](bot, params)
        except ApiError as error:
            bot.stats.errors[error.code] += 1
            if error.code == 429:
                bot.stats.responses_429 += 1
            return _api_error(error)
        return Response(200, encode_result(result))

    async def _control(self, action: str, request: Request) -> Response:
        try:
            kwargs = _control_args(request)
        except ValueError as exc:
            return _json(400, {"ok": False, "description": str(exc)})
        if action == "bots":
            return _json(200, {"ok": True, "result": [c.me() for c in self._controls.values()]})
        if action == "add_bot":
            try:
                ctl = self.add_bot(**kwargs)
            except (TypeError, ValueError) as exc:
                return _json(400, {"ok": False, "description": str(exc)})
            return _json(200, {"ok": True, "result": ctl.me()})
        if action not in HTTP_ACTIONS:
            return _json(404, {"ok": False, "description": f"unknown control action {action!r}"})
        token = kwargs.pop("token", None)
        if token is not None and token not in self._controls:
            return _json(404, {"ok": False, "description": "unknown token"})
        fn = getattr(self.control(token), action)
        try:
            _SIGNATURES[action].bind(None, **kwargs)  # None stands in for self
        except TypeError as exc:
            return _json(400, {"ok": False, "description": f"{action}: {exc}"})
        try:
            result = fn(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except ControlError as exc:
            return _json(400, {"ok": False, "description": str(exc)})
        return _json(200, {"ok": True, "result": result})


def _chat_of(request: Request) -> object:
    try:
        params = raw_params(request.query, request.header("content-type"), request.body)
    except ApiError:
        return None
    return params.get("chat_id")


def _control_args(request: Request) -> dict[str, Any]:
    """JSON object body, or query/form fields whose values are decoded as JSON when they parse."""
    if request.body and request.header("content-type").startswith("application/json"):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("control body must be a JSON object")
        return data
    pairs = parse_qsl(request.query, keep_blank_values=True)
    if request.body:
        pairs += parse_qsl(request.body.decode(), keep_blank_values=True)
    args: dict[str, Any] = {}
    for key, value in pairs:
        if key in _STRING_ARGS:
            args[key] = value
            continue
        try:
            args[key] = json.loads(value)
        except ValueError:
            args[key] = value
    return args


_STRING_ARGS = frozenset(
    ("token", "text", "data", "args", "command", "title", "first_name", "last_name", "username")
    + ("poll_id", "callback_query_id", "kind", "method", "language_code")
)
