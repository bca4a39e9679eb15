"""The password policy: at least `MIN_PASSWORD` characters and hard to guess by zxcvbn.

zxcvbn (Dropbox's estimator, maintained as the `zxcvbn` package) scores a password 0-4 from
dictionaries of common passwords, names, keyboard walks, repeats and dates; the user's own
name counts as a dictionary word. A refusal names the reason zxcvbn gives.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from kernel.errors import InputError

MIN_PASSWORD = 10
#: zxcvbn's "safely unguessable" (about 10^10 guesses): slow online guessing never gets there.
MIN_SCORE = 3
#: zxcvbn's cost grows with the length; nobody types a longer password.
MAX_PASSWORD = 256


def check_password(name: str, password: str) -> None:
    """Raise `InputError` with one line saying why `password` is refused for `name`."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password for {name}: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"password for {name}: at most {MAX_PASSWORD} characters")
    result = zxcvbn(password, user_inputs=[name])
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        reason = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
        reason = reason or "it is too easy to guess"
        raise InputError(f"password for {name} is too easy to guess: {reason.rstrip('.')}.")
