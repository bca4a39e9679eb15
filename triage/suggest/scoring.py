"""How sure a suggested help article is: similarity, history and prior blended into a probability.

Cosine similarity alone ranks the brand's articles badly (on real care threads it loses to
"suggest the brand's most-linked article") and its values tell an agent nothing (every article
scores 82-88% with the multilingual encoder). So each candidate article gets three features:

- `text`: cosine of the post and the article ("title. text"), minus the best candidate's;
- `history`: the best cosine of the post and the earlier posts an agent answered with a reply
  containing the article's URL, minus the best candidate's. Articles without such a post get
  the lowest value any candidate has, so history only lifts, and without any history it is 0.
  (Placing them lower still was tried: it ranked worse on the dev threads, since how often an
  article was sent already counts in the prior.);
- `prior`: the log of the article's smoothed share of the brand's links (the knowledge base's
  `links` column plus the replies sent from the queue).

The cosines are taken relative to the best candidate because their level differs by encoder
and by how much text an article has; what tells articles apart is the gap.

A conditional logit turns them into the shown probability: `exp(w·x)` per article, divided by
the sum over the candidates plus `exp(none)`, the weight of "none of these articles is the
right one". Maximum likelihood on the dev half of `kb/ibm_care_dev.json` (`bench/kb.py --fit`)
fits the weights, which calibrates the probability on that half; the other half measures it
(docs/BENCHMARKS.md). The weights belong to the encoder they were fitted with.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from config.suggestions import ArticleBlend
from triage.suggest.history import ArticleHistory
from triage.suggest.kb import KnowledgeBase, RankedArticle

#: Added to every article's link count, so an article never linked keeps a small prior.
PRIOR_SMOOTHING = 0.5


def features(
    similarity: np.ndarray, history: Sequence[float | None], links: Sequence[float]
) -> np.ndarray:
    """The `(n, 3)` feature matrix of n candidate articles for one post.

    `similarity`: cosine of post and article; `history`: best cosine of the post and the
    posts answered with the article, None when there is none; `links`: how often the brand
    linked each article.
    """
    known = [h for h in history if h is not None]
    floor = min(known) if known else 0.0
    past = np.array([floor if h is None else h for h in history], dtype=np.float64)
    text = np.asarray(similarity, dtype=np.float64)
    counts = np.asarray(links, dtype=np.float64)
    share = (counts + PRIOR_SMOOTHING) / (counts.sum() + PRIOR_SMOOTHING * len(counts))
    return np.column_stack([text - text.max(), past - past.max(), np.log(share)])


def probabilities(blend: ArticleBlend, x: np.ndarray) -> np.ndarray:
    """P(article i is the one to send) for each row of `x`; they sum to less than 1, the rest
    being the chance that none of them is."""
    logits = x @ np.array([blend.text, blend.history, blend.prior])
    top = max(float(logits.max(initial=-np.inf)), blend.none)
    weights = np.exp(logits - top)
    result: np.ndarray = weights / (weights.sum() + np.exp(blend.none - top))
    return result


def rank(
    kb: KnowledgeBase,
    query: np.ndarray,
    k: int,
    *,
    blend: ArticleBlend,
    history: ArticleHistory | None = None,
) -> list[RankedArticle]:
    """The `k` most probable articles for one unit query vector, best first (list order on
    ties); `score` is the probability, `similarity` the cosine."""
    similarity = kb.vectors @ query
    ids = [article.id for article in kb.articles]
    history = history or ArticleHistory()
    links = [article.links + history.sent.get(article.id, 0) for article in kb.articles]
    chance = probabilities(blend, features(similarity, history.best_similarity(ids, query), links))
    top = np.argsort(-chance, kind="stable")[:k]
    return [
        RankedArticle(
            id=kb.articles[i].id,
            title=kb.articles[i].title,
            url=kb.articles[i].url,
            score=float(chance[i]),
            similarity=float(similarity[i]),
        )
        for i in top
    ]
