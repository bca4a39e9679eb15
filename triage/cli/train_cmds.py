"""`social-triage train`: fit a head from labelled CSVs, or fine-tune the encoder and every head.

Like `classify` and `eval`, it never touches the database. The cross-validated (or held-out)
metrics printed are also stored in the artefact's metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from classifiers.dataset import read_table
from kernel.errors import ConfigError, InputError
from kernel.vocab import HEAD_MODELS, TASKS
from triage.cli.classify_cmds import one_line_errors, progress_bar
from triage.cli.common import config_option, settings_from


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--task", type=click.Choice(TASKS), required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the head(s). Default: classifier.heads_dir from the settings.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option(
    "--group-column",
    default=None,
    help="Cross-validate leaving one group out (e.g. brand) instead of k-fold.",
)
@click.option("--model", type=click.Choice(HEAD_MODELS), default="logreg", show_default=True)
@click.option(
    "-C",
    "c",
    type=float,
    default=None,
    help="Inverse regularisation strength of the logistic regression "
    "[default: 4 for a head, 1 with --finetune].",
)
@click.option(
    "--finetune",
    is_flag=True,
    help="Fine-tune the encoder on these rows too; writes OUT/encoder and every head to OUT.",
)
@click.option(
    "--epochs", type=click.IntRange(1, 50), default=None, help="With --finetune [default: 3]."
)
@click.option(
    "--folds",
    type=click.IntRange(0, 20),
    default=None,
    help="Evaluation before the final fit: k-fold (k >= 2), 1 = one 80/20 holdout, 0 = none "
    "[default: 5 for a head, 1 with --finetune, which fine-tunes once per fold].",
)
@click.option(
    "--from-corrections",
    is_flag=True,
    help="Also train on the labels people gave in the review queue (the database).",
)
@config_option
@one_line_errors
def train(
    files: tuple[str, ...],
    task: str,
    out: str | None,
    text_column: str,
    label_column: str,
    group_column: str | None,
    model: str,
    c: float | None,
    finetune: bool,
    epochs: int | None,
    folds: int | None,
    from_corrections: bool,
    config_path: str | None,
) -> None:
    """Fit a head from labelled CSV FILES (`text`,`label`), report held-out metrics, save.

    Route labels are private_dm / public_reply; intent labels are `|`-separated intents or none.
    With --finetune the encoder itself is trained too (minutes per thousand rows on a laptop
    CPU); run the daemon with the two settings it prints.
    """
    from classifiers.encoder import Encoder
    from classifiers.evaluate import format_report
    from classifiers.train import train as train_head

    settings = settings_from(config_path, logs=False)
    folder = Path(out) if out else settings.classifier.heads_dir
    if folder is None:
        raise ConfigError("train: no --out given and classifier.heads_dir is not set")
    if not files and not from_corrections:
        raise InputError("train: give labelled CSV FILES, --from-corrections, or both")
    if from_corrections and group_column:
        raise InputError("train: --group-column does not apply to --from-corrections")
    if epochs is not None and not finetune:
        raise InputError("train: --epochs is for --finetune; a head has no epochs")
    if finetune and group_column:
        raise InputError("train: --group-column is for heads only, not with --finetune")
    if finetune and (out is None or any(Path(out).glob("*"))):
        # A fine-tune replaces the encoder *and* every head: never over the heads in use.
        raise InputError(
            f"train --finetune: --out must name a new or empty folder ({out or 'not given'})"
        )
    pairs: list[tuple[str, str]] = []
    groups: list[str] | None = [] if group_column else None
    sources = []
    for file in files:
        extra = (group_column,) if group_column else ()
        table = read_table(
            file, text_column=text_column, label_column=label_column, extra_columns=extra
        )
        assert table.labels is not None
        if group_column and groups is not None:
            if group_column not in table.columns:
                raise InputError(f"{file}: no column {group_column!r}")
            groups += table.columns[group_column]
        pairs += list(zip(table.texts, table.labels, strict=True))
        sources.append({"file": str(Path(file).resolve()), "rows": len(table.texts)})
    if from_corrections:
        from triage.queue.corrections import training_pairs
        from triage.storage import open_store

        fixed = training_pairs(open_store(settings).engine, task)
        pairs += fixed
        sources.append({"file": "corrections (database)", "rows": len(fixed)})
        click.echo(f"{len(fixed)} row(s) from the review queue's corrections", err=True)
    encoder = Encoder.from_settings(settings.classifier)
    click.echo(f"training {task} on {len(pairs)} rows with {encoder.version}", err=True)
    if finetune:
        _finetune(encoder, task, pairs, folder, sources, epochs or 3, folds, c)
        return
    head = train_head(
        task,
        pairs,
        encoder,
        sources=sources,
        groups=groups,
        model=model,  # type: ignore[arg-type]
        c=4.0 if c is None else c,
        folds=5 if folds is None else max(folds, 2),
    )
    path = head.save(folder)
    metrics = head.metadata["metrics"]
    if "accuracy" in metrics:
        click.echo(format_report(metrics, title=f"cross-validated ({metrics.get('cv')})"))
    else:
        click.echo(f"cross-validated macro-F1 {metrics['macro_f1']:.3f}")
    click.echo(f"saved {path} and {path.with_suffix('.npz')}")


def _finetune(
    encoder: Any,
    task: str,
    pairs: list[tuple[str, str]],
    folder: Path,
    sources: list[dict[str, Any]],
    epochs: int,
    folds: int | None,
    c: float | None,
) -> None:
    from classifiers.evaluate import format_report
    from classifiers.finetune import FinetuneOptions, finetune, steps

    if encoder.backend != "torch":
        click.echo(f"note: fine-tuning in fp32 (classifier.backend {encoder.backend})", err=True)
    options = FinetuneOptions(epochs=epochs)
    k = 1 if folds is None else folds
    n = len(pairs)
    total = steps(n, options)  # the final fit; progress is approximate for the folds
    if k == 1:
        total += steps(n - -(-n // 5), options)
    elif k >= 2:
        total += k * steps(n - n // k, options)
    with progress_bar(total, "fine-tune", unit="step") as bar:
        tuned, heads = finetune(
            encoder,
            task,
            pairs,
            folder,
            sources=sources,
            options=options,
            folds=k,
            c=1.0 if c is None else c,
            progress=bar.update,
        )
    metrics = heads[task].metadata["metrics"]
    if "accuracy" in metrics:
        click.echo(format_report(metrics, title=f"held out ({metrics.get('cv')})"))
    else:
        click.echo(f"held-out macro-F1 {metrics['macro_f1']:.3f} ({metrics.get('cv')})")
    click.echo(f"saved the fine-tuned encoder in {tuned.path} and every head in {folder}")
    click.echo("run with these settings:")
    click.echo(f"  classifier.model: {tuned.path}")
    click.echo(f"  classifier.heads_dir: {folder}")


commands = [train]
