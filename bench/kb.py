"""Help-article suggestions on real care threads (issue 9, item 4).

    python bench/kb.py [--data ../shared/data] [--threads 2] [--fit]

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

Blended and calibrated (issue 18, item 8): the shipped ranking, `triage.suggest.scoring`, on a
split by session id (sha1, even: dev; odd: held out). Its three features per candidate are the
cosine of the post and the URL words, the best cosine of the post and the other threads' posts
that linked the document (the articles agents sent), and the log share of the brand's links by
the other threads (leave-one-out, as for `most linked`). `--fit` fits the weights on the dev
rows by maximum likelihood and prints them (to put into `config.suggestions.ArticleBlend`);
without it the shipped weights are used. Reported on the held-out rows only: top-1, top-3,
and calibration of the shown probability of every suggested article (expected calibration
error over 10 bins, Brier score, and the reliability table).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
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
from config.suggestions import ArticleBlend
from kernel.models import Decision, Post, Route
from triage.suggest import Suggester
from triage.suggest.kb import Article, KnowledgeBase
from triage.suggest.scoring import features, probabilities

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
    session: str = ""

    @property
    def dev(self) -> bool:
        """In the dev half (tuning); the other half is held out (reporting)."""
        return int(hashlib.sha1(self.session.encode()).hexdigest(), 16) % 2 == 0


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
                session=item["dialogHeader"]["sessionID"],
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


@dataclass
class Case:
    """One thread as the blended ranking sees it: features of its brand's candidates."""

    x: np.ndarray
    cosine: np.ndarray  # of post and URL words, per candidate
    answer: int  # index of the linked document among the candidates; -1: not in the list
    links: np.ndarray
    dev: bool


def blend_cases(
    threads: list[Thread],
    brands: dict[str, list[str]],
    posts: np.ndarray,
    url_vectors: dict[str, np.ndarray],
) -> list[Case]:
    cases = []
    for index, thread in enumerate(threads):
        candidates = brands.get(thread.brand, [])
        if not candidates:
            continue
        others = [j for j, t in enumerate(threads) if j != index and t.brand == thread.brand]
        links = collections.Counter(threads[j].doc for j in others)
        similarity = np.array([url_vectors[d] @ posts[index] for d in candidates])
        sent: dict[str, list[int]] = collections.defaultdict(list)
        for j in others:
            sent[threads[j].doc].append(j)
        history = [
            float((posts[sent[d]] @ posts[index]).max()) if sent[d] else None for d in candidates
        ]
        counts = [links[d] for d in candidates]
        cases.append(
            Case(
                x=features(similarity, history, counts),
                cosine=similarity,
                answer=candidates.index(thread.doc) if thread.doc in candidates else -1,
                links=np.array(counts, dtype=np.float64),
                dev=thread.dev,
            )
        )
    return cases


def fit(cases: list[Case]) -> ArticleBlend:
    """Maximum likelihood of the linked document (or of "none" when it is not listed)."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> float:
        blend = ArticleBlend(text=w[0], history=w[1], prior=w[2], none=w[3])
        total = 0.0
        for case in cases:
            p = probabilities(blend, case.x)
            chance = p[case.answer] if case.answer >= 0 else 1.0 - p.sum()
            total -= float(np.log(max(chance, 1e-12)))
        return total / len(cases)

    w = minimize(loss, np.zeros(4), method="L-BFGS-B").x
    return ArticleBlend(
        text=round(w[0], 2), history=round(w[1], 2), prior=round(w[2], 2), none=round(w[3], 2)
    )


def shown_and_right(cases: list[Case], blend: ArticleBlend) -> tuple[np.ndarray, np.ndarray]:
    """The probability shown for each of the top 3 articles of every case, and 1 where the
    article was the linked one."""
    shown, right = [], []
    for case in cases:
        p = probabilities(blend, case.x)
        for i in np.argsort(-p, kind="stable")[:K]:
            shown.append(p[i])
            right.append(float(i == case.answer))
    return np.array(shown), np.array(right)


def ece(shown: np.ndarray, right: np.ndarray) -> float:
    bins = np.minimum((shown * 10).astype(int), 9)
    return float(
        sum(
            abs(shown[bins == b].mean() - right[bins == b].mean()) * (bins == b).sum()
            for b in range(10)
            if (bins == b).any()
        )
        / len(shown)
    )


def recalibration_report(dev: list[Case], held: list[Case], blend: ArticleBlend) -> str:
    """Does a second calibration step, fitted on the dev rows' shown probabilities, help on the
    held-out rows? And how far off the old shown score (the cosine) was."""
    from scipy.optimize import minimize
    from sklearn.isotonic import IsotonicRegression

    dev_p, dev_y = shown_and_right(dev, blend)
    held_p, held_y = shown_and_right(held, blend)

    def logit(p: np.ndarray) -> np.ndarray:
        p = np.clip(p, 1e-9, 1 - 1e-9)
        return np.asarray(np.log(p / (1 - p)))

    def platt(w: np.ndarray, p: np.ndarray) -> np.ndarray:
        return np.asarray(1 / (1 + np.exp(-(w[0] * logit(p) + w[1]))))

    def loss(w: np.ndarray) -> float:
        q = np.clip(platt(w, dev_p), 1e-9, 1 - 1e-9)
        return float(-np.mean(dev_y * np.log(q) + (1 - dev_y) * np.log(1 - q)))

    w = minimize(loss, np.array([1.0, 0.0])).x
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(dev_p, dev_y)
    cosine, hit = [], []
    for case in held:
        for i in np.argsort(-case.cosine, kind="stable")[:K]:
            cosine.append(case.cosine[i])
            hit.append(float(i == case.answer))
    rows = [
        ("blend (shipped)", held_p),
        (f"blend + Platt ({w[0]:.2f}, {w[1]:.2f})", platt(w, held_p)),
        ("blend + isotonic", iso.predict(held_p)),
    ]
    lines = ["\nheld-out calibration (ECE, Brier) with a second step fitted on the dev rows:"]
    for name, q in rows:
        lines.append(f"  {name}: ECE {ece(q, held_y):.3f}, Brier {np.mean((q - held_y) ** 2):.3f}")
    c, h = np.clip(np.array(cosine), 0, 1), np.array(hit)
    lines.append(
        f"  cosine shown as a percentage (the old score, url words, its own top {K}): "
        f"ECE {ece(c, h):.3f}, Brier {np.mean((c - h) ** 2):.3f}, "
        f"shown p10 {np.percentile(c, 10):.2f} p90 {np.percentile(c, 90):.2f}"
    )
    return "\n".join(lines)


def held_out_report(cases: list[Case], threads: int, blend: ArticleBlend) -> str:
    """Top-1/top-3 of most linked and of the blend, and the blend's calibration."""
    hits: collections.Counter[str] = collections.Counter()
    shown, right = [], []
    for case in cases:
        popular = np.argsort(-case.links, kind="stable")[:K]
        p = probabilities(blend, case.x)
        top = np.argsort(-p, kind="stable")[:K]
        hits["most linked top-1"] += case.answer == popular[0]
        hits["most linked top-3"] += case.answer in popular
        hits["blend top-1"] += case.answer == top[0]
        hits["blend top-3"] += case.answer in top
        for i in top:
            shown.append(p[i])
            right.append(i == case.answer)
    p_shown, y = np.array(shown), np.array(right, dtype=np.float64)
    bins = np.minimum((p_shown * 10).astype(int), 9)
    lines = [
        f"\nheld-out rows: {threads} threads ({len(cases)} with candidates; the rest are misses)",
        "| method | top-1 | top-3 |",
        "|---|---|---|",
    ]
    for name in ("most linked", "blend"):
        lines.append(
            f"| {name} | {hits[f'{name} top-1'] / threads:.3f} "
            f"| {hits[f'{name} top-3'] / threads:.3f} |"
        )
    ece = sum(
        abs(p_shown[bins == b].mean() - y[bins == b].mean()) * (bins == b).sum()
        for b in range(10)
        if (bins == b).any()
    ) / len(p_shown)
    lines.append(
        f"\ncalibration of the {len(p_shown)} shown probabilities (top {K} per thread): "
        f"ECE {ece:.3f}, Brier {np.mean((p_shown - y) ** 2):.3f}; spread of the top one: "
        + ", ".join(
            f"p{q} {np.percentile([probabilities(blend, c.x).max() for c in cases], q):.2f}"
            for q in (10, 50, 90)
        )
    )
    lines += ["| shown | articles | mean shown | right |", "|---|---|---|---|"]
    for b in range(10):
        inside = bins == b
        if inside.any():
            lines.append(
                f"| {b * 10}-{b * 10 + 10}% | {int(inside.sum())} | "
                f"{p_shown[inside].mean():.3f} | {y[inside].mean():.3f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--fit", action="store_true", help="Fit the blend's weights on the dev rows and print them."
    )
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
    cases = blend_cases(threads, brands, posts, url_vectors)
    blend = ArticleBlend()
    if args.fit:
        blend = fit([c for c in cases if c.dev])
        print(f"\nfitted on {sum(c.dev for c in cases)} dev rows: {blend!r}")
    else:
        print(f"\nshipped weights: {blend!r}")
    held = sum(not t.dev for t in threads)
    print(held_out_report([c for c in cases if not c.dev], held, blend))
    print(recalibration_report([c for c in cases if c.dev], [c for c in cases if not c.dev], blend))
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
