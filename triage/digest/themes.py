"""Negative themes: cluster the period's negative posts by their encoder embeddings and label
each cluster by its most distinctive words (class-based TF-IDF, as in BERTopic).

k-means on unit vectors (cosine geometry), k chosen by the silhouette score between 2 and
`max_themes`; fixed seeds, so the same posts give the same themes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from classifiers.sensitive import redact
from triage.digest.records import Theme, quote
from triage.storage.digest_reads import PeriodPost

#: Fewest posts in a cluster shown as a theme.
MIN_THEME_POSTS = 2
#: Words per theme label, and posts shown per theme.
LABEL_WORDS = 3
REPRESENTATIVES = 3

_TOKEN_RE = re.compile(r"(?<![@#\w])[^\W\d_][\w'-]{2,}", re.UNICODE)
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_MENTION_RE = re.compile(r"[@#]\w+")

#: English and Portuguese function words, and social-media filler.
_STOPWORD_TEXT = """
    about after again alguem agora ainda ali all also amp and antes any anyone anything aqui
    are aren't
    ate back because been before being but cade can can't com como could das day days depois dia
    dias did didn't does doesn't doing don't done dos ela elas ele eles entao essa esse esta
    estao estar este estou even fazer feito fica ficar foi for from get getting going got had
    has have here hey hoje how i'm i've into isn't isso isto it's its ja just let lol made mais
    make mas meu meus minha minhas more most muito nada nao nas need nos not now num numa
    obrigado ok okay omg onde one only ontem our ours out over own para pela pelas pelo pelos
    please por porque pouco pra pro qual quando que quem really same sao sem ser seu seus should
    sim since so some someone something still sua suas such tambem tem ter than thank thanks
    that the their them then there they thing things this tinha today too tudo two uma umas uns
    vai very via voce voces vou want was wasn't week were what when where which while who why
    will with won't would wtf yeah yes yet you your yours
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

Embed = Callable[[Sequence[str]], np.ndarray]


def _fold(word: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c)
    )


def tokens(text: str, stop: frozenset[str]) -> list[str]:
    """The words a theme label may use: from the text as a digest may show it (every sensitive
    value masked), and never a word with a digit (what is left of a masked IBAN, `de89`, an
    order number or a plan code says nothing about a theme and may say something about a
    person)."""
    text = _MENTION_RE.sub(" ", _URL_RE.sub(" ", redact(text)))
    found = []
    for match in _TOKEN_RE.finditer(text):
        word = match.group(0).lower().strip("'-")
        if any(c.isdigit() for c in word):
            continue
        if len(word) >= 3 and _fold(word) not in stop and word not in stop:
            found.append(word)
    return found


def class_tfidf(docs_by_class: Sequence[Sequence[str]], stop: frozenset[str]) -> list[list[str]]:
    """For each class (a list of texts), its words ranked by c-TF-IDF, best first:
    tf(t, c) * log(1 + A / f(t)), A = mean words per class, f(t) = count of t in all classes."""
    counts = [Counter(w for doc in docs for w in tokens(doc, stop)) for docs in docs_by_class]
    overall: Counter[str] = Counter()
    for c in counts:
        overall.update(c)
    mean_words = sum(overall.values()) / max(len(counts), 1)
    ranked = []
    for c in counts:
        size = sum(c.values()) or 1
        scores = {
            w: (n / size) * math.log(1 + mean_words / overall[w]) * (1.0 if n > 1 else 0.5)
            for w, n in c.items()
        }
        ranked.append(sorted(scores, key=lambda w: (-scores[w], w)))
    return ranked


def cluster(vectors: np.ndarray, max_k: int) -> np.ndarray:
    """Cluster labels for unit `vectors`: k-means with k = sqrt(n / 2) (the usual rule of
    thumb), between 2 and `max_k`. On the bundled sample the silhouette score was nearly flat
    over k and highest at k = 2, which only split English from Portuguese posts, so it does
    not choose k."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    n = len(vectors)
    k = min(max_k, n // MIN_THEME_POSTS, round(math.sqrt(n / 2)))
    if k < 2:
        return np.zeros(n, dtype=int)
    # One BLAS thread: on 60 vectors, threads cost far more than they save (and the encoder's
    # workers share the cores).
    with threadpool_limits(1):
        labels: np.ndarray = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors)
    return labels


def find_themes(
    negatives: Sequence[PeriodPost],
    embed: Embed | None,
    *,
    max_themes: int = 5,
    extra_stopwords: Sequence[str] = (),
) -> list[Theme]:
    if embed is None or len(negatives) < MIN_THEME_POSTS:
        return []
    stop = STOPWORDS | {_fold(w) for w in extra_stopwords} | {w.lower() for w in extra_stopwords}
    vectors = np.asarray(embed([p.text for p in negatives]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
    labels = cluster(vectors, max_themes)
    groups = [np.flatnonzero(labels == k) for k in sorted(set(labels.tolist()))]
    groups = [g for g in groups if len(g) >= MIN_THEME_POSTS]
    words = class_tfidf([[negatives[int(i)].text for i in g] for g in groups], stop)
    themes = []
    for members, ranked in zip(groups, words, strict=True):
        centroid = vectors[members].mean(axis=0)
        closest = [
            int(i) for i in members[np.argsort(-(vectors[members] @ centroid), kind="stable")]
        ]
        themes.append(
            Theme(
                words=tuple(ranked[:LABEL_WORDS]),
                size=len(members),
                posts=tuple(quote(negatives[i]) for i in closest[:REPRESENTATIVES]),
            )
        )
    themes.sort(key=lambda t: (-t.size, t.words))
    return themes[:max_themes]
