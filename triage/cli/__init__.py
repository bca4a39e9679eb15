"""The `social-triage` command line."""

from __future__ import annotations

import click

from triage.cli import (
    bulk_cmds,
    classify_cmds,
    daemon_cmds,
    decision_cmds,
    demo_cmds,
    digest_cmds,
    info_cmds,
    item_cmds,
    learn_cmds,
    model_cmds,
    privacy_cmds,
    queue_cmds,
    suggest_cmds,
    templates_cmds,
    train_cmds,
    web_cmds,
)
from triage.cli.common import TriageGroup


@click.group(cls=TriageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="social-triage")
def cli() -> None:
    """social-triage: listen where customers talk, route every post, escalate what is private."""


for _module in (
    daemon_cmds,
    info_cmds,
    decision_cmds,
    classify_cmds,
    train_cmds,
    learn_cmds,
    model_cmds,
    demo_cmds,
    suggest_cmds,
    web_cmds,
    queue_cmds,
    templates_cmds,
    digest_cmds,
    privacy_cmds,
):
    for _command in _module.commands:
        cli.add_command(_command)
for _command in item_cmds.subcommands:
    queue_cmds.queue.add_command(_command)
queue_cmds.queue.add_command(bulk_cmds.bulk)


def main() -> None:
    cli(prog_name="social-triage")
