"""Every exception social-triage raises on purpose, in one tree.

    TriageError
    ├── ConfigError                 invalid settings, rules or templates; refuses to start
    │   └── NotConfigured           a component lacks a required setting or secret
    ├── DatabaseUnavailable         the database cannot be reached (exit 75: try again later)
    ├── InputError                  a bad external input (file, row, payload) the user can fix
    │   └── Unstorable              a post no repair can make storable (it is quarantined)
    ├── SourceError                 a listener could not read its platform
    │   ├── Retryable               worth trying again soon
    │   │   ├── TransientError      network failure, timeout, 5xx
    │   │   └── RateLimited         429 or an exhausted quota; carries `reset_at`
    │   └── Permanent               trying again will not help until someone acts
    │       ├── AuthError           401/403: bad, expired or insufficient credentials
    │       ├── QuotaExhausted      a paid read cap is used up; carries `resume_at`
    │       └── MalformedPayload    a response that does not have the documented shape
    ├── DeliveryError               a sink could not deliver a case
    │   ├── DeliveryRetryable       timeout, refused, 5xx, 429; carries `retry_after` seconds
    │   └── DeliveryPermanent       validation error, unknown queue, auth refused: case goes dead
    ├── ReplyError                  a responder could not post an agent's reply or DM
    └── Forbidden                   a person's role or another's claim does not allow an action
        └── Conflict                a post is claimed by another, already answered or changed
                                    meanwhile: only an explicit take-over or "answer again"

Foreign errors (requests, tweepy, praw, feedparser, SQLAlchemy) are translated at the boundary
of the module that called them, with `raise ... from exc`, so callers only ever see this tree.
tests/kernel/test_errors.py fails when a class here is missing from the drawing.
"""

from __future__ import annotations

from datetime import datetime


class TriageError(Exception):
    """Base of every deliberate social-triage error."""


class ConfigError(TriageError):
    """Settings, rules or templates are invalid; the message names the file and field."""


class NotConfigured(ConfigError):
    """A component was enabled without a setting or secret it needs."""


class DatabaseUnavailable(TriageError):
    """The configured database cannot be reached (one line; exit 75, EX_TEMPFAIL: a service
    manager should start the command again later, unlike a configuration error's exit 2)."""


class InputError(TriageError):
    """A bad external input; the message names what and where."""


class Unstorable(InputError):
    """A post that no repair can make storable; the message is the reason."""


class SourceError(TriageError):
    """A listener could not read its platform."""

    #: True when the source read what it could and already backs the failing part off on its
    #: own (one feed URL of several): poll it again on schedule, not after a backoff.
    backed_off: bool = False


class Retryable(SourceError):
    """Worth trying again later."""


class TransientError(Retryable):
    """Network failure, timeout or server error."""


class RateLimited(Retryable):
    """The platform asked us to slow down; `reset_at` says when polling may resume."""

    def __init__(self, message: str, *, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class Permanent(SourceError):
    """Will not succeed until someone changes something."""


class AuthError(Permanent):
    """The platform refused our credentials (401/403)."""


class QuotaExhausted(Permanent):
    """The platform stopped serving reads that cost money (X's monthly usage cap, depleted
    pay-per-use credits): the source is paused until `resume_at` (None: until resumed by
    hand), its cursor kept, and no request is retried in the meantime."""

    def __init__(self, message: str, *, resume_at: datetime | None = None) -> None:
        super().__init__(message)
        self.resume_at = resume_at


class MalformedPayload(Permanent):
    """A response did not have the documented shape."""


class DeliveryError(TriageError):
    """A sink could not deliver a case."""


class DeliveryRetryable(DeliveryError):
    """Try the case again later; `retry_after` (seconds) when the helpdesk said how long.

    `maybe_delivered`: the helpdesk may have the request and still be working on it (we
    stopped waiting, or a gateway gave up on it): the next attempt must not come before it
    could have finished, and looks the key up first where the sink can."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, maybe_delivered: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered


class DeliveryPermanent(DeliveryError):
    """The helpdesk refused the case; retrying will not help. The case goes `dead`."""


class ReplyError(TriageError):
    """A reply or DM was not posted (401, 403, 429 with its reset, duplicate content, ...).

    The message is one line for the agent; `retry_at` is set when the platform said when to
    try again.
    """

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class Forbidden(TriageError):
    """The person's role or someone else's claim does not allow this action."""


class Conflict(Forbidden):
    """The post is claimed by someone else, already answered, or changed since it was read:
    the action needs an explicit override (`take_over`, `again`) or a fresh look. `claimant`
    and `answered` say which override would apply."""

    def __init__(self, message: str, *, claimant: str | None = None, answered: bool = False):
        super().__init__(message)
        self.claimant = claimant
        self.answered = answered
