"""Digest cost: how long one digest takes to build and render, on the bundled sample.

    python bench/digest.py [--period 7d] [--repeat 3]

Ingests and classifies the bundled sample into a temporary SQLite database (the embedded
default), then times, separately: the numbers (storage reads and counting, no themes), the
encoder load, the negative themes (encoding and clustering the period's negative posts), the
charts (matplotlib, three PNGs) and the HTML rendering. It is what the web dashboard pays per
page view with and without `themes=True`, and what a scheduled digest costs the daemon.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import load_settings
from triage.daemon import Daemon
from triage.digest.build import encoder_embed
from triage.digest.charts import all_charts
from triage.digest.compute import build_digest, choose_window
from triage.digest.i18n import Formatter
from triage.digest.render import render_html
from triage.logs import configure_logging
from triage.stages import Stages
from triage.storage import open_store
from triage.storage.digest_reads import DigestReads


def best(func: object, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="7d")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, environ={"TRIAGE_DATABASE__URL": f"sqlite:///{tmp}/b.db"})
        settings.logging.level = "WARNING"
        configure_logging(settings.logging)
        from escalation.file import FileSinkSettings

        settings.sinks = [FileSinkSettings(name="local", path=Path(tmp) / "cases.jsonl")]
        store = open_store(settings)
        Daemon(settings, store, stages=Stages(settings, store)).run_once()
        reads = DigestReads(store.engine)
        window = choose_window(reads, args.period)
        kw = {"brand": "Acme", "stopwords": [settings.brand.name, *settings.brand.handles]}
        numbers_s, digest = best(lambda: build_digest(reads, window, **kw), args.repeat)
        start = time.perf_counter()
        embed = encoder_embed(settings)
        embed(["warm up"])
        load_s = time.perf_counter() - start
        with_themes_s, digest = best(
            lambda: build_digest(reads, window, embed=embed, **kw), args.repeat
        )
        charts_s, _charts = best(lambda: all_charts(digest, Formatter("en")), args.repeat)  # type: ignore[arg-type]
        html_s, _html = best(lambda: render_html(digest, images="data"), args.repeat)  # type: ignore[arg-type]
    print(
        f"python {platform.python_version()}, period {args.period}, window {window.start:%Y-%m-%d}"
        f"..{window.end:%Y-%m-%d}, {digest.total} posts, {digest.negative_posts} negative, "  # type: ignore[attr-defined]
        f"{len(digest.themes)} themes, best of {args.repeat}"
    )  # type: ignore[attr-defined]
    print(f"numbers (reads + counts, no themes): {numbers_s * 1000:8.1f} ms")
    print(f"encoder load (once per process):     {load_s * 1000:8.1f} ms")
    print(f"numbers + themes:                    {with_themes_s * 1000:8.1f} ms")
    print(f"charts (3 PNGs):                     {charts_s * 1000:8.1f} ms")
    print(f"render_html (charts included):       {html_s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
