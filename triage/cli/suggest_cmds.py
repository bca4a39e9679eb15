"""`social-triage suggest POST`: the suggested replies and help articles for a stored post."""

from __future__ import annotations

import click

from triage.cli.common import config_option, echo_json, settings_from
from triage.cli.decision_cmds import decided_post
from triage.storage import open_store
from triage.storage.answers import brand_answers


@click.command()
@click.argument("post")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def suggest(post: str, config_path: str | None, as_json: bool) -> None:
    """Suggested replies and help articles for POST (an id or source:external_id)."""
    from triage.suggest import suggestions
    from triage.suggest.history import SentHistory

    settings = settings_from(config_path, logs=False)
    store = open_store(settings)
    stored, current = decided_post(store, post)
    result = suggestions(
        stored.post,
        current.decision,
        current.signals,
        settings=settings,
        history=SentHistory(store),
    )
    answers = brand_answers(store, stored.id)
    if as_json:
        echo_json(
            {
                "post": stored.id,
                "route": current.decision.route.value,
                "answered_by": [a.post.external_id for a in answers],
                "replies": [
                    {"channel": r.channel, "label": r.label, "text": r.text, "template": r.template}
                    for r in result.replies
                ],
                "articles": [
                    {
                        "id": a.id,
                        "title": a.title,
                        "url": a.url,
                        "score": round(a.score, 4),
                        "similarity": round(a.similarity, 4),
                    }
                    for a in result.articles
                ],
            }
        )
        return
    click.echo(f"post {stored.id} ({stored.post.source}:{stored.post.external_id})")
    click.echo(f"route: {current.decision.route.value}")
    if answers:
        click.echo(f"answered by the brand: {', '.join(a.post.external_id for a in answers)}")
    for reply in result.replies:
        click.echo(f"\n[{reply.channel}] {reply.label} ({reply.template})\n  {reply.text}")
    if result.articles:
        click.echo("\narticles (chance that it is the one to send):")
        for article in result.articles:
            click.echo(f"  {article.score:4.0%}  {article.title}  {article.url}")
    elif settings.suggestions.knowledge_base is None:
        click.echo("\narticles: none (no suggestions.knowledge_base configured)")


commands = [suggest]
