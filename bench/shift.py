"""A timed shift: two agents answer 50 posts at once through the real pages (issue 18).

    python bench/shift.py [--posts 50] [--agents 2]

Seeds a fresh SQLite database with `--posts` open public-reply posts, serves the web app with
uvicorn on a free local port (replies in dry run) and drives Debian's chromium with Playwright,
one browser context per agent, all at the same time. Each agent works like a person: Open a
card nobody has claimed on the Public reply view (agent N takes the N-th), then for every post
*Use* the
suggested reply and *Send and next* (which claims the next post for it), and when the page
refuses (the other agent got there first) *Back to the queue* and Open again. Prints clicks and
seconds per answered post for each agent and overall, how many sends were refused, and the
number of posts answered more than once, which must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from config.schema import Settings
from tests.queue.seed import decide
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate
from triage.storage.tables import replies
from triage.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "shift bench walnut"


def serve(store: Store) -> tuple[str, Any]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(Settings(), store), log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


async def agent(browser: Any, base: str, name: str, index: int) -> dict[str, Any]:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    clicks = answered = refused = 0
    started = time.perf_counter()
    while True:
        await page.goto(f"{base}/queue/public_reply")
        # What a person does: pick a card nobody has claimed (agent N the N-th of them).
        opens = page.locator("article.card:not(:has(.claim)) [data-action=open]")
        count = await opens.count()
        if count == 0:
            break
        await opens.nth(min(index, count - 1)).click()
        clicks += 1
        await page.wait_for_load_state()
        while "/items/" in page.url:
            use = page.locator("[data-action=use-suggestion]").first
            if await use.count():
                await use.click()
                clicks += 1
            else:
                await page.fill("#reply-text", "Olá! Vamos verificar isso agora.")
            await page.click("[data-action=reply-next]")
            clicks += 1
            await page.wait_for_load_state()
            if await page.locator(".error[role=alert]").count():
                refused += 1
                break  # back to the queue (the loop's goto stands for the Back link)
            answered += 1
    seconds = time.perf_counter() - started
    return {"name": name, "answered": answered, "clicks": clicks, "refused": refused,
            "seconds": seconds}  # fmt: skip


async def shift(base: str, agents: int) -> list[dict[str, Any]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        results = await asyncio.gather(
            *(agent(browser, base, f"agent{i}", i) for i in range(agents))
        )
        await browser.close()
    return list(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--agents", type=int, default=2)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="shift-")
    engine = make_engine(f"sqlite:///{folder}/shift.db")
    migrate(engine)
    store = Store(engine)
    people = UserStore(engine)
    for i in range(args.agents):
        people.add(f"agent{i}", "agent", PASSWORD)
    for i in range(args.posts):
        decide(store, external_id=f"s{i}", text=f"Pedido {i} atrasado, ninguém responde!",
               handle=f"cliente{i}", name=f"Cliente {i}")  # fmt: skip
    base, server = serve(store)
    wall = time.perf_counter()
    results = asyncio.run(shift(base, args.agents))
    wall = time.perf_counter() - wall
    server.should_exit = True
    with engine.connect() as conn:
        per_post = (
            select(replies.c.post_id, func.count().label("n")).group_by(replies.c.post_id)
        ).subquery()
        answered_posts = conn.execute(select(func.count()).select_from(per_post)).scalar_one()
        doubles = conn.execute(
            select(func.count()).select_from(per_post).where(per_post.c.n > 1)
        ).scalar_one()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"{args.agents} agents, {args.posts} posts, replies in dry run, chromium headless")
    print("agent     answered  clicks  clicks/post  s/post  refused")
    for r in results:
        per = max(r["answered"], 1)
        print(f"{r['name']:<9} {r['answered']:>8} {r['clicks']:>7} {r['clicks'] / per:>12.2f}"
              f" {r['seconds'] / per:>7.2f} {r['refused']:>8}")  # fmt: skip
    total = sum(r["answered"] for r in results)
    clicks = sum(r["clicks"] for r in results)
    print(f"all       {total:>8} {clicks:>7} {clicks / max(total, 1):>12.2f}"
          f" {wall / max(total, 1):>7.2f}  (the team: {wall:.1f} s wall time)")  # fmt: skip
    print(f"posts answered: {answered_posts} of {args.posts}; answered more than once: {doubles}")
    if doubles or answered_posts != args.posts:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
