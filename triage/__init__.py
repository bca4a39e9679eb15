"""The application: storage, daemon, polling, outbox, classification job, CLI, web, digests.

It stands above everything else (kernel/, config/, listener/, classifiers/, escalation/), and
nothing below imports it. Importing it hands the kernel's scrubber the sensitive-data detector,
so every log line and stored error of the application has personal data masked.
"""

from classifiers.sensitive import redact
from kernel.scrub import use_redactor

use_redactor(redact)
