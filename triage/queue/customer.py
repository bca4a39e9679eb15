"""The customer beside the post: the author's other posts, the brand's answers to them and
their helpdesk cases, across the sources that read the same platform.

Two posts are by one person when they have the same handle (any case) on the same platform
and nothing says otherwise (`same_person`): where both carry the platform's author id, it
decides (a renamed display name stays the same person); where both carry a display name and no
ids, different names are different people (a recycled handle, a feed's shared author handle).
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.models import Author
from triage.queue.models import QueueItem
from triage.queue.store import QueueStore
from triage.storage.customers import PastAnswer, PastCase, answers_to, cases_of
from triage.storage.search import fold

#: Handles that name nobody in particular: only the platform's author ids can join them.
ANONYMOUS = frozenset({"[deleted]", "unknown", ""})
#: Posts read to find the person's; posts shown on the item page.
SCAN = 200
SHOWN = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerPost:
    item: QueueItem
    answers: tuple[PastAnswer, ...]
    cases: tuple[PastCase, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Customer:
    """The author of an item and their other posts, newest first (at most `SHOWN`)."""

    author: Author
    source: str
    posts: tuple[CustomerPost, ...]
    #: Other posts found in all (`SCAN` at most), how many had an answer, how many a case.
    total: int
    answered: int
    cases: int

    @property
    def search(self) -> str:
        """The search that lists every post of this handle (`/search?q=...&source=...`)."""
        return f"author:@{self.author.handle}"


def same_person(a: Author, b: Author) -> bool:
    """Whether two authors with the same handle on one platform are one person."""
    if a.external_id and b.external_id:
        return a.external_id == b.external_id
    if a.handle.strip().lower() in ANONYMOUS or b.handle.strip().lower() in ANONYMOUS:
        return False
    if a.name and b.name:
        return fold(a.name).split() == fold(b.name).split()
    return True


def customer(reads: QueueStore, item: QueueItem, *, shown: int = SHOWN) -> Customer | None:
    """The item's author with their other posts; None when the author is nobody in particular
    (a deleted account) and has no platform id."""
    author = item.post.author
    if author.handle.strip().lower() in ANONYMOUS and not author.external_id:
        return None
    found = [
        other for other in reads.by_author(item, SCAN) if same_person(author, other.post.author)
    ]
    ids = [other.post_id for other in found]
    with reads.engine.connect() as conn:
        answers = answers_to(conn, ids)
        made = cases_of(conn, ids)
    return Customer(
        author=author,
        source=item.post.source,
        posts=tuple(
            CustomerPost(
                item=other,
                answers=tuple(answers.get(other.post_id, ())),
                cases=tuple(made.get(other.post_id, ())),
            )
            for other in found[:shown]
        ),
        total=len(found),
        answered=sum(1 for i in ids if answers.get(i)),
        cases=sum(len(made.get(i, ())) for i in ids),
    )
