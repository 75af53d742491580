"""Run the local Telegram Bot API server until SIGINT/SIGTERM.

python -m bot.localapi --port 8081 --token 123:ABC [--token 456:DEF=my_bot]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .limits import RateLimits
from .server import DEFAULT_TOKEN, LocalBotApi


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.localapi",
        description="Local Telegram Bot API server for tests and demos.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument(
        "--token",
        action="append",
        help="bot token, optionally TOKEN=username; repeat for several bots",
    )
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    parser.add_argument("--global-per-second", type=int, default=30, help="in any 1 s window")
    parser.add_argument("--private-per-second", type=int, default=1, help="per chat, any 1 s")
    parser.add_argument("--group-per-minute", type=int, default=20, help="per group, any 60 s")
    parser.add_argument("--first-update-id", type=int, default=1)
    parser.add_argument("--poll-state-updates", action="store_true")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def build_api(args: argparse.Namespace) -> LocalBotApi:
    """The server the command-line options describe (also used by bench/botbench.py)."""
    limits = RateLimits(
        global_per_second=args.global_per_second,
        private_per_second=args.private_per_second,
        group_per_minute=args.group_per_minute,
        enabled=not args.no_limits,
    )
    api = LocalBotApi(
        [],
        host=args.host,
        port=args.port,
        limits=limits,
        first_update_id=args.first_update_id,
        poll_state_updates=args.poll_state_updates,
    )
    for spec in args.token or [DEFAULT_TOKEN]:
        token, _, username = spec.partition("=")
        api.add_bot(token, username=username or None)
    return api


async def serve(args: argparse.Namespace) -> None:
    api = build_api(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with api:
        print(f"local Bot API listening on {api.url} (base_url {api.base_url})", flush=True)
        for token, bot in api.bots.items():
            print(f"  bot @{bot.user['username']} token {token}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
