"""Commands that run the classifiers on CSV files: `classify` and `eval` (`train`: train_cmds).

None of them writes to the database: they read a CSV, load the encoder and the heads the daemon
uses (the shipped or configured ones, and those `learn` promoted, read from the database when it
exists), and print. Bad files and settings are one line on stderr and exit 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from classifiers.dataset import read_table
from kernel.errors import ConfigError, DatabaseUnavailable, InputError
from kernel.vocab import SENTIMENTS, SINGLE_LABEL_TASKS
from triage.cli.common import config_option, settings_from

F = TypeVar("F", bound=Callable[..., Any])
#: Rows classified per encoder call; the progress bar moves once per chunk.
CHUNK = 512


def one_line_errors(func: F) -> F:
    """Our errors as `error: ...` and exit 2 (75 for a database that cannot be reached), also
    when the command runs outside the group."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DatabaseUnavailable as exc:  # try again later (sysexits EX_TEMPFAIL)
            click.echo(f"error: {exc}", err=True)
            sys.exit(75)
        except (ConfigError, InputError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def progress_bar(total: int, what: str, unit: str = "post") -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit=unit, file=sys.stderr, leave=False)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--text-column", default="text", show_default=True, help="Column with the post.")
@click.option(
    "--id-column",
    default="id",
    show_default=True,
    help="Column echoed as `id` in each line, when the file has it.",
)
@config_option
@one_line_errors
def classify(file: str, text_column: str, id_column: str, config_path: str | None) -> None:
    """Classify every row of FILE (CSV) and print one JSON line per row, in order.

    Nothing is stored. Each line has `row` (0-based) and, when the file has an `id` column
    (see --id-column), that row's `id`; other columns are ignored; progress goes to stderr.
    """
    from classifiers.pipeline import Classifier, signals_to_json
    from triage.learned_heads import promoted

    settings = settings_from(config_path, logs=False)
    table = read_table(file, text_column=text_column, extra_columns=(id_column,))
    ids = table.columns.get(id_column)
    classifier = Classifier.from_settings(settings)
    classifier.heads = promoted(settings, classifier.heads, classifier.encoder.version)
    with progress_bar(len(table.texts), "classify") as bar:
        for start in range(0, len(table.texts), CHUNK):
            chunk = table.texts[start : start + CHUNK]
            results = classifier.classify([(None, text) for text in chunk])
            lines = []
            for offset, (signals, decision) in enumerate(results):
                row = start + offset
                record = {"row": row, **({"id": ids[row]} if ids is not None else {})}
                record.update(signals_to_json(signals, decision))
                lines.append(json.dumps(record, ensure_ascii=False))
            click.echo("\n".join(lines))
            bar.update(len(chunk))


@click.command(name="eval")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--task",
    type=click.Choice(SINGLE_LABEL_TASKS),
    required=True,
    help="Which head to score against the `label` column.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@config_option
@one_line_errors
def evaluate(
    file: str,
    task: str,
    text_column: str,
    label_column: str,
    as_json: bool,
    config_path: str | None,
) -> None:
    """Score the configured heads on FILE against its labels (and per `brand` when present).

    Prints accuracy, macro-F1, macro-recall, per-class precision/recall/F1 and the confusion
    matrix; for `route` also the ROC-AUC of private_score (private_dm vs public_reply).
    """
    from classifiers.encoder import Encoder
    from classifiers.evaluate import binary_auc, classification_report, format_report
    from classifiers.heads import HeadSet
    from classifiers.train import TASK_LABELS, normalise_labels
    from triage.learned_heads import promoted

    settings = settings_from(config_path, logs=False)
    table = read_table(
        file, text_column=text_column, label_column=label_column, extra_columns=("brand",)
    )
    assert table.labels is not None
    gold = normalise_labels(task, table.labels)
    encoder = Encoder.from_settings(settings.classifier)
    heads = HeadSet.load(
        settings.classifier.heads_dir, encoder_dim=encoder.dim, encoder_version=encoder.version
    )
    heads = promoted(settings, heads, encoder.version)
    if task not in heads.heads:
        raise ConfigError(f"classifier.heads_dir: no {task} head to evaluate")
    embeddings = _encode_with_progress(encoder, table.texts)
    brands = table.columns.get("brand")
    scores = heads.predict(embeddings, table.texts, brands=brands)
    if task == "sentiment":
        names = SENTIMENTS
        if settings.classifier.sentiment_model:
            from classifiers.sentiment_model import SentimentModel

            model = SentimentModel(
                settings.classifier.sentiment_model, threads=settings.classifier.threads
            )
            scores.sentiment = model.predict_proba(table.texts)
        predicted = [names[i] for i in scores.sentiment.argmax(axis=1)]
        ranking = None
    else:
        ranking = scores.complaint if task == "complaint" else scores.private
        positive, negative = TASK_LABELS[task]
        predicted = [positive if p >= 0.5 else negative for p in ranking]
    groups: dict[str, list[int]] = {"all": list(range(len(gold)))}
    for i, brand in enumerate(table.columns.get("brand", [])):
        groups.setdefault(f"brand={brand}", []).append(i)
    reports: dict[str, Any] = {}
    for name, rows in groups.items():
        g = [gold[i] for i in rows]
        report = classification_report(g, [predicted[i] for i in rows], labels=TASK_LABELS[task])
        if ranking is not None:
            positive = TASK_LABELS[task][0]
            report["roc_auc"] = binary_auc([x == positive for x in g], [ranking[i] for i in rows])
        reports[name] = report
    if as_json:
        click.echo(json.dumps({"task": task, "file": file, "reports": reports}, indent=2))
        return
    click.echo(f"{task} on {file} (heads: {heads.version}; encoder: {encoder.version})")
    for name, report in reports.items():
        click.echo(format_report(report, title=f"== {name}"))


def _encode_with_progress(encoder: Any, texts: list[str]) -> Any:
    import numpy as np

    parts = []
    with progress_bar(len(texts), "encode") as bar:
        for start in range(0, len(texts), CHUNK * 4):
            chunk = texts[start : start + CHUNK * 4]
            parts.append(encoder.encode(chunk))
            bar.update(len(chunk))
    return np.vstack(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)


commands = [classify, evaluate]
