"""The care agents' review queue: one service layer for the web app and the `queue` CLI."""

from triage.queue.models import Filters, ItemStatus, Role, User, View
from triage.queue.service import Forbidden, QueueService

__all__ = ["Filters", "Forbidden", "ItemStatus", "QueueService", "Role", "User", "View"]
