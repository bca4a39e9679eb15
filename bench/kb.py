"""Help-article suggestions on real care threads (issue 9, item 4).

    python bench/kb.py [--data ../shared/data] [--threads 2]

Data: `kb/ibm_care_dev.json` (525 real customer threads with 24 brands' care accounts, each
ending with an agent reply that links one help document), `kb/company_docIDs.tsv` (each brand's
documents: the candidates) and `kb/docID_url.tsv` (document id -> URL). The documents have no
text in the data: only URLs, many of them opaque (`support.google.com/youtube/answer/185111`,
`msft.it/6018TkR7j`). So the knowledge base is built from what the data offers, per variant:

- `url words`: the words of the document's URL (host and path, web.archive.org prefix removed,
  split on punctuation, numbers, ids and boilerplate such as `www`, `com`, `answer`, `html`
  dropped), e.g. `helpx adobe photoshop submit crash reports`;
- `url + other threads`: those words plus, leave-one-out, the text of the OTHER dev threads that
  linked the same document: their customers' messages and their agents' final replies with the
  URLs removed. The thread being ranked never contributes to any document's text (its own
  document is re-embedded without it), and its agent reply (the answer) is never used at all.

The post ranked for a thread is its customers' messages only (`client`/`client1` turns; the
agent's earlier turns are left out), as an agent would see the post in the queue. Each variant
embeds documents and posts with the shipped encoder (all-MiniLM-L6-v2, the classifier's) and
ranks the brand's candidate documents with `triage.suggest.kb.KnowledgeBase.rank` (cosine). A
thread is a hit when its linked document is in the top 3. Baselines: `most linked`, the brand's
three documents most often linked by the other dev threads (leave-one-out); `random`, the
expected hit rate of 3 random candidates. Threads whose document is not in their brand's list
count as misses for every method (the column `in list` says how many are reachable).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

from classifiers.encoder import Encoder
from kernel.models import Decision, Post, Route
from triage.suggest import Suggester
from triage.suggest.kb import Article, KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
K = 3
_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_SPLIT = re.compile(r"[^A-Za-z]+")
_BOILERPLATE = frozenset(
    {
        "http",
        "https",
        "www",
        "com",
        "org",
        "net",
        "co",
        "uk",
        "us",
        "en",
        "gb",
        "html",
        "htm",
        "php",
        "aspx",
        "asp",
        "jsp",
        "answer",
        "answers",
        "article",
        "articles",
        "s",
        "t",
        "p",
        "kb",
        "help",
        "support",
        "hc",
        "node",
        "id",
        "topic",
        "topics",
        "thread",
        "threads",
        "td",
        "m",
        "bd",
        "idi",
        "idc",
        "page",
        "sort",
        "filter",
        "language",
        "amp",
        "utm",
        "source",
        "medium",
        "campaign",
        "ref",
        "gclid",
        "gclsrc",
        "gw",
        "all",
        "latest",
        "replies",
        "view",
        "index",
        "default",
        "x",
        "productkb",
        "global",
    }
)


@dataclass
class Thread:
    brand: str
    doc: str
    post: str
    answer: str  # the agent's reply with the link; only other threads' answers are ever used


@dataclass
class Row:
    threads: int = 0
    in_list: int = 0
    candidates: int = 0
    hits: dict[str, int] = field(default_factory=lambda: collections.Counter())
    random: float = 0.0


def url_words(url: str) -> str:
    url = _ARCHIVE.sub("", unquote(url))
    parts = urlsplit(url if "://" in url else "https://" + url)
    words = _SPLIT.split(f"{parts.netloc} {parts.path} {parts.query}".lower())
    return " ".join(w for w in words if 1 < len(w) <= 25 and w not in _BOILERPLATE)


def load(data: Path) -> tuple[list[Thread], dict[str, list[str]], dict[str, str]]:
    raw = json.loads((data / "kb" / "ibm_care_dev.json").read_text(encoding="utf-8"))
    threads = []
    for item in raw:
        customer = [
            m["message"] for m in item["dialogContent"] if "agent" not in m and m.get("message")
        ]
        threads.append(
            Thread(
                brand=item["dialogHeader"]["company"],
                doc=str(item["agentURL"]["doc_id"]),
                post=" ".join(customer),
                answer=item["agentURL"]["url_utterance"],
            )
        )
    brands: dict[str, list[str]] = {}
    for line in (data / "kb" / "company_docIDs.tsv").read_text(encoding="utf-8").splitlines():
        name, _, ids = line.partition("\t")
        brands[name] = list(dict.fromkeys(i.strip() for i in ids.split(",") if i.strip()))
    urls = dict(
        line.split("\t", 1)
        for line in (data / "kb" / "docID_url.tsv").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    )
    return threads, brands, urls


def doc_text(doc: str, urls: dict[str, str], threads: list[Thread], skip: int | None) -> str:
    """URL words plus the other threads linked to `doc` (never thread `skip`)."""
    parts = [url_words(urls.get(doc, ""))]
    for index, thread in enumerate(threads):
        if thread.doc == doc and index != skip:
            parts.append(thread.post)
            parts.append(_URL.sub(" ", thread.answer))
    return " ".join(p for p in parts if p.strip()) or doc


def latency(
    threads: list[Thread],
    brands: dict[str, list[str]],
    urls: dict[str, str],
    encoder: Any,
    tmp: Path,
) -> str:
    """Server time of `Suggester.suggest` for one post (templates + top 3 of the largest
    brand's documents), as the queue would call it for a post card: median and p95."""
    brand = max(brands, key=lambda b: len(brands[b]))
    kb = tmp / "bench_kb.jsonl"
    kb.write_text(
        "".join(
            json.dumps(
                {
                    "id": d,
                    "title": url_words(urls.get(d, "")),
                    "url": urls.get(d) or "https://x.test",
                    "text": doc_text(d, urls, threads, None),
                }
            )
            + "\n"
            for d in brands[brand]
        ),
        encoding="utf-8",
    )
    suggester = Suggester(brand="Acme", knowledge_base=kb, encoder=encoder)
    suggester.kb()  # embedding the knowledge base happens once, not per post
    decision = Decision(
        route=Route.PUBLIC_REPLY,
        tier=1,
        confidence=1.0,
        needs_review=False,
        rule="",
        explanation="",
    )
    times, encode_times = [], []
    for thread in threads[:100]:
        post = Post(source="x", external_id="1", text=thread.post, created_at=datetime.now(UTC))
        start = time.perf_counter()
        suggester.suggest(post, decision)
        times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        encoder.encode([thread.post])
        encode_times.append((time.perf_counter() - start) * 1000)
    kb.unlink()
    p95 = statistics.quantiles(times, n=20)[-1]
    return (
        f"\nsuggest() per post, KB of {len(brands[brand])} articles ({brand}), {len(times)} posts: "
        f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms; of which encoding the "
        f"post alone: median {statistics.median(encode_times):.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    threads, brands, urls = load(args.data)
    encoder = Encoder(None, threads=args.threads)
    posts = encoder.encode([t.post for t in threads])
    every_doc = sorted({d for ids in brands.values() for d in ids})
    words = {d: url_words(urls.get(d, "")) or d for d in every_doc}
    url_vectors = dict(zip(every_doc, encoder.encode([words[d] for d in every_doc]), strict=True))
    full_vectors = dict(
        zip(
            every_doc,
            encoder.encode([doc_text(d, urls, threads, None) for d in every_doc]),
            strict=True,
        )
    )
    linked_by = collections.Counter(t.doc for t in threads)
    # Each thread's own document, re-embedded without that thread (leave-one-out).
    own = [i for i, t in enumerate(threads) if linked_by[t.doc] > 0 and t.doc in full_vectors]
    without_self = dict(
        zip(
            own,
            encoder.encode([doc_text(threads[i].doc, urls, threads, i) for i in own]),
            strict=True,
        )
    )

    rows: dict[str, Row] = collections.defaultdict(Row)
    for index, thread in enumerate(threads):
        candidates = brands.get(thread.brand, [])
        for row in (rows[thread.brand], rows["overall"]):
            row.threads += 1
            row.in_list += thread.doc in candidates
            row.random += (
                min(K, len(candidates)) / len(candidates) if thread.doc in candidates else 0
            )
        if not candidates:
            continue
        rows[thread.brand].candidates = len(candidates)
        others = collections.Counter(
            t.doc for j, t in enumerate(threads) if j != index and t.brand == thread.brand
        )
        popular = sorted(candidates, key=lambda d: -others[d])[:K]  # stable: list order on ties
        hits = {"most linked": thread.doc in popular}
        for name, vectors in (("url words", url_vectors), ("url + other threads", full_vectors)):
            matrix = np.vstack([vectors[d] for d in candidates])
            if name == "url + other threads" and thread.doc in candidates:
                matrix[candidates.index(thread.doc)] = without_self[index]
            kb = KnowledgeBase(
                [Article(id=d, title="", url="", text="") for d in candidates], matrix
            )
            top = [a.id for a in kb.rank(posts[index], K)]
            hits[name] = thread.doc in top
        for row in (rows[thread.brand], rows["overall"]):
            row.hits.update({k: int(v) for k, v in hits.items()})

    methods = ["random", "most linked", "url words", "url + other threads"]
    print(f"hit@{K}: share of threads whose linked document is in the top {K} of its brand's list")
    print("| brand | threads | in list | candidates | " + " | ".join(methods) + " |")
    print("|---|---|---|---|" + "---|" * len(methods))
    order = sorted((b for b in rows if b != "overall"), key=lambda b: -rows[b].threads)
    for brand in [*order, "overall"]:
        row = rows[brand]
        shares = [row.random / row.threads] + [row.hits[m] / row.threads for m in methods[1:]]
        label = f"**{brand}**" if brand == "overall" else brand
        cand = str(row.candidates) if brand != "overall" else f"{len(every_doc)} (all)"
        print(
            f"| {label} | {row.threads} | {row.in_list} | {cand} | "
            + " | ".join(f"{s:.3f}" for s in shares)
            + " |"
        )
    print(latency(threads, brands, urls, encoder, args.tmp))
    model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    name = next(
        (line.split(":", 1)[1].strip() for line in model.splitlines() if "Model name" in line), "?"
    )
    print(
        f"\nencoder {encoder.version}; {len(threads)} threads, {len(every_doc)} documents; "
        f"{time.perf_counter() - started:.0f} s on {name}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
