"""The one backoff policy (kernel/backoff.py) that polls, the outbox and X's retries share."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from escalation.retry import RetryPolicy
from kernel.backoff import Backoff, retry


def test_exponential_capped_and_deterministic_without_jitter() -> None:
    policy = Backoff(base_seconds=10, max_seconds=100, jitter=False)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]


def test_jitter_keeps_half_fixed() -> None:
    policy = Backoff(base_seconds=10, max_seconds=100)
    rng = random.Random(7)
    for attempts in range(1, 8):
        ceiling = min(100, 10 * 2 ** (attempts - 1))
        assert ceiling / 2 <= policy.delay(attempts, rng=rng) <= ceiling


def test_retry_after_and_a_reset_time_win_when_longer_up_to_the_cap() -> None:
    policy = Backoff(base_seconds=10, max_seconds=100, jitter=False)
    assert policy.delay(1, retry_after=45) == 45
    assert policy.delay(1, retry_after=5) == 10
    assert policy.delay(1, retry_after=5000) == 100
    reset = datetime.now(UTC) + timedelta(seconds=70)
    assert policy.delay(1, until=reset) == pytest.approx(70, abs=2)


def test_the_outbox_policy_is_the_shared_one() -> None:
    assert RetryPolicy is Backoff
    assert RetryPolicy(max_attempts=3).gives_up(3)


def test_retry_sleeps_the_policy_and_honours_a_servers_retry_after() -> None:
    calls: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("reset")
        return "ok"

    def verdict(exc: Exception) -> float | bool:
        return 12.0 if len(calls) == 1 else isinstance(exc, ConnectionError)

    policy = Backoff(base_seconds=1, max_seconds=30, jitter=False)
    assert retry(flaky, policy=policy, retries=2, retryable=verdict, sleep=slept.append) == "ok"
    assert slept == [12.0, 2.0]  # Retry-After: 12, then the second backoff step


def test_retry_gives_up_and_raises_what_is_not_retryable() -> None:
    slept: list[float] = []
    policy = Backoff(base_seconds=1, jitter=False)

    def broken() -> None:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        retry(broken, policy=policy, retries=2, retryable=lambda e: True, sleep=slept.append)
    assert slept == [1.0, 2.0]
    with pytest.raises(ValueError):
        never = lambda exc: False  # noqa: E731
        retry(lambda: int("x"), policy=policy, retries=5, retryable=never, sleep=slept.append)
    assert len(slept) == 2
