"""Which parameters each implemented Bot API method accepts, and how request bodies decode.

The table mirrors the official spec (api.json, Bot API 10.1); tests/test_localapi.py checks it
against the spec so that the server accepts exactly what Telegram accepts.
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from .errors import bad_request


class Param(NamedTuple):
    """One method parameter; ``kind`` is int, str, bool, int|str, file or json (objects/arrays)."""

    name: str
    kind: str
    required: bool = False


SPEC_PARAMS: dict[str, tuple[Param, ...]] = {
    "getMe": (),
    "getUpdates": (
        Param("offset", "int"),
        Param("limit", "int"),
        Param("timeout", "int"),
        Param("allowed_updates", "json"),
    ),
    "setWebhook": (
        Param("url", "str", required=True),
        Param("certificate", "file"),
        Param("ip_address", "str"),
        Param("max_connections", "int"),
        Param("allowed_updates", "json"),
        Param("drop_pending_updates", "bool"),
        Param("secret_token", "str"),
    ),
    "deleteWebhook": (Param("drop_pending_updates", "bool"),),
    "getWebhookInfo": (),
    "sendMessage": (
        Param("business_connection_id", "str"),
        Param("chat_id", "int|str", required=True),
        Param("message_thread_id", "int"),
        Param("direct_messages_topic_id", "int"),
        Param("text", "str", required=True),
        Param("parse_mode", "str"),
        Param("entities", "json"),
        Param("link_preview_options", "json"),
        Param("disable_notification", "bool"),
        Param("protect_content", "bool"),
        Param("allow_paid_broadcast", "bool"),
        Param("message_effect_id", "str"),
        Param("suggested_post_parameters", "json"),
        Param("reply_parameters", "json"),
        Param("reply_markup", "json"),
    ),
    "sendChatAction": (
        Param("business_connection_id", "str"),
        Param("chat_id", "int|str", required=True),
        Param("message_thread_id", "int"),
        Param("action", "str", required=True),
    ),
    "editMessageText": (
        Param("business_connection_id", "str"),
        Param("chat_id", "int|str"),
        Param("message_id", "int"),
        Param("inline_message_id", "str"),
        Param("text", "str"),
        Param("parse_mode", "str"),
        Param("entities", "json"),
        Param("link_preview_options", "json"),
        Param("rich_message", "json"),
        Param("reply_markup", "json"),
    ),
    "editMessageReplyMarkup": (
        Param("business_connection_id", "str"),
        Param("chat_id", "int|str"),
        Param("message_id", "int"),
        Param("inline_message_id", "str"),
        Param("reply_markup", "json"),
    ),
    "deleteMessage": (
        Param("chat_id", "int|str", required=True),
        Param("message_id", "int", required=True),
    ),
    "answerCallbackQuery": (
        Param("callback_query_id", "str", required=True),
        Param("text", "str"),
        Param("show_alert", "bool"),
        Param("url", "str"),
        Param("cache_time", "int"),
    ),
    "sendPoll": (
        Param("business_connection_id", "str"),
        Param("chat_id", "int|str", required=True),
        Param("message_thread_id", "int"),
        Param("question", "str", required=True),
        Param("question_parse_mode", "str"),
        Param("question_entities", "json"),
        Param("options", "json", required=True),
        Param("is_anonymous", "bool"),
        Param("type", "str"),
        Param("allows_multiple_answers", "bool"),
        Param("allows_revoting", "bool"),
        Param("shuffle_options", "bool"),
        Param("allow_adding_options", "bool"),
        Param("hide_results_until_closes", "bool"),
        Param("members_only", "bool"),
        Param("country_codes", "json"),
        Param("correct_option_ids", "json"),
        Param("explanation", "str"),
        Param("explanation_parse_mode", "str"),
        Param("explanation_entities", "json"),
        Param("explanation_media", "json"),
        Param("open_period", "int"),
        Param("close_date", "int"),
        Param("is_closed", "bool"),
        Param("description", "str"),
        Param("description_parse_mode", "str"),
        Param("description_entities", "json"),
        Param("media", "json"),
        Param("disable_notification", "bool"),
        Param("protect_content", "bool"),
        Param("allow_paid_broadcast", "bool"),
        Param("message_effect_id", "str"),
        Param("reply_parameters", "json"),
        Param("reply_markup", "json"),
    ),
    "stopPoll": (
        Param("business_connection_id", "str"),
        Param("chat_id", "int|str", required=True),
        Param("message_id", "int", required=True),
        Param("reply_markup", "json"),
    ),
    "setMyCommands": (
        Param("commands", "json", required=True),
        Param("scope", "json"),
        Param("language_code", "str"),
    ),
    "getMyCommands": (
        Param("scope", "json"),
        Param("language_code", "str"),
    ),
    "deleteMyCommands": (
        Param("scope", "json"),
        Param("language_code", "str"),
    ),
    "getChat": (Param("chat_id", "int|str", required=True),),
}

# Lower-case method name -> canonical name, since Telegram matches method names case-insensitively.
CANONICAL = {name.lower(): name for name in SPEC_PARAMS}
_BY_NAME = {m: {p.name: p for p in params} for m, params in SPEC_PARAMS.items()}


def raw_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body parameters; form values stay strings until :func:`coerce`."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
    if not body:
        return params
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype == "application/json":
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if not isinstance(data, dict):
            raise bad_request("JSON object expected")
        params.update(data)
    elif ctype == "multipart/form-data":
        params.update(_multipart(content_type, body))
    else:  # application/x-www-form-urlencoded and clients that omit the header
        try:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise bad_request("request body is not UTF-8") from exc
    return params


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = BytesParser(policy=HTTP).parsebytes(head + body)
    if not msg.is_multipart():
        raise bad_request("can't parse multipart/form-data body")
    out: dict[str, Any] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            out[str(name)] = payload  # uploaded file: kept as bytes, never interpreted
        else:
            out[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
    return out


def coerce(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate names against the spec and convert each value to its spec type."""
    spec = _BY_NAME[method]
    out: dict[str, Any] = {}
    for name, value in raw.items():
        param = spec.get(name)
        if param is None:
            raise bad_request(f'unknown parameter "{name}" for method {method}')
        out[name] = _convert(param, value)
    for param in spec.values():
        value = out.get(param.name)
        # setWebhook's required url may be "" (that removes the webhook)
        if param.required and (value is None or (value == "" and param.name != "url")):
            raise bad_request(_EMPTY.get(param.name, f"parameter {param.name} is required"))
    return out


_EMPTY = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "question": "poll question must be non-empty",
    "options": "poll must have at least 2 option",
    "callback_query_id": "query is too old and response timeout expired or query ID is invalid",
}


def _convert(param: Param, value: Any) -> Any:
    kind = param.kind
    try:
        if kind == "str":
            return value if isinstance(value, str) else json.dumps(value)
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float) and value.is_integer():
                return int(value)
            return int(value)
        if kind == "bool":
            return _bool(value)
        if kind == "int|str":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            text = str(value).strip()
            return int(text) if text.lstrip("-").isdigit() else text
        if kind == "json":
            return json.loads(value) if isinstance(value, str | bytes) else value
    except (TypeError, ValueError) as exc:
        raise bad_request(f'can\'t parse parameter "{param.name}"') from exc
    return value  # file


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(value)
