"""HTTP answers and client failures (`requests`, `httpx`) translated into the delivery error
tree, in one place.

Every HTTP sink classifies responses the same way: 2xx delivered; 408, 425, 429 and 5xx, a
refused connection or a timeout are worth retrying (honouring `Retry-After`); any other 4xx is
a refusal that retrying will not fix, so the case goes dead with the helpdesk's reason.

Some of these leave the outcome open: a request sent whose answer we stopped waiting for (a
read timeout, a dropped connection) or that a gateway gave up on (500, 502, 504) may still
become a ticket. They are `maybe_delivered`, so the outbox lets the helpdesk finish first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import datetime

import httpx
import requests

from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.util import one_line as _one_line
from kernel.util import retry_after_seconds

RETRYABLE_STATUSES = frozenset({408, 425, 429})
#: Answers after which the helpdesk may still create the ticket (a gateway stopped waiting).
MAYBE_DONE_STATUSES = frozenset({500, 502, 504})
#: Longest helpdesk reason quoted in an error; bodies can be whole HTML pages.
MAX_REASON_CHARS = 300


def retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    return retry_after_seconds(headers.get("Retry-After"), now=now)


def one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    return _one_line(text, limit)


#: What every sink's HTTP client answers with.
HTTPResponse = requests.Response | httpx.Response


def reason(response: HTTPResponse) -> str:
    """The helpdesk's own words: a JSON `message`/`error`/`description`, else the body text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "description", "error"):
            if isinstance(data.get(key), str) and data[key]:
                return one_line(data[key])
    phrase = response.reason if isinstance(response, requests.Response) else response.reason_phrase
    return one_line(response.text or phrase or "")


def raise_for_delivery(response: HTTPResponse, what: str, *, detail: str = "") -> None:
    """Raise the delivery error `response` means; return when it is a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    said = detail or reason(response)
    message = f"{what}: HTTP {status}" + (f": {said}" if said else "")
    if status in RETRYABLE_STATUSES or status >= 500:
        raise DeliveryRetryable(
            message,
            retry_after=retry_after(response.headers),
            maybe_delivered=status in MAYBE_DONE_STATUSES,
        )
    raise DeliveryPermanent(message)


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn a `requests` failure (refused, timeout, reset) into `DeliveryRetryable`."""
    try:
        yield
    except requests.ConnectTimeout as exc:  # nothing was sent
        raise DeliveryRetryable(f"{what}: timed out connecting") from exc
    except requests.Timeout as exc:
        raise DeliveryRetryable(f"{what}: timed out", maybe_delivered=True) from exc
    except requests.ConnectionError as exc:
        # Refused: nothing was sent. Reset or closed mid-request: the helpdesk may have it.
        refused = "NewConnectionError" in repr(exc) or "Connection refused" in str(exc)
        raise DeliveryRetryable(
            f"{what}: connection failed ({type(exc).__name__})", maybe_delivered=not refused
        ) from exc
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
        raise DeliveryPermanent(f"{what}: invalid URL ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        raise DeliveryRetryable(f"{what}: {type(exc).__name__}") from exc


@contextlib.contextmanager
def translated_httpx(what: str) -> Iterator[None]:
    """Turn an `httpx` failure (refused, timeout, reset) into `DeliveryRetryable`."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise DeliveryRetryable(f"{what}: timed out") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise DeliveryPermanent(f"{what}: invalid URL ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise DeliveryRetryable(f"{what}: connection failed ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise DeliveryRetryable(f"{what}: {type(exc).__name__}") from exc
