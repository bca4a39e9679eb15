"""The heads that classify: the shipped ones (or `classifier.heads_dir`), overridden by the
versions the learning loop promoted (`social-triage learn`), which live in the database so
that every replica uses the same ones.

A promoted version fitted on another encoder than the configured one is not used (it would
read embeddings that mean something else): the log says so once and the shipped head stays.
"""

from __future__ import annotations

import logging

from classifiers.heads import Head, HeadSet
from config.schema import Settings
from kernel.errors import DatabaseUnavailable
from triage.storage.learning import LearningStore, read_if_present

log = logging.getLogger(__name__)


def with_learned(base: HeadSet, store: LearningStore, encoder_version: str) -> HeadSet:
    """`base` with every active learned version in place of its task's head (a brand's route
    version as that brand's route head)."""
    heads = dict(base.heads)
    brand_routes: dict[str, Head] = {}
    for version, arrays in store.active_versions():
        if _weights(version.encoder_version) != _weights(encoder_version):
            log.warning(
                "learned head %s was fitted on %s, not on the configured encoder %s: the "
                "shipped head is used (run `social-triage learn` again)",
                version.name,
                version.encoder_version,
                encoder_version,
            )
            continue
        meta = {**version.metadata, "learned_version": version.id}
        head = Head.from_arrays(meta, arrays, where=f"head version {version.id}")
        if version.brand is None:
            heads[version.task] = head
        elif version.task == "route":
            brand_routes[version.brand] = head
    return HeadSet(heads, brand_routes)


def promoted(settings: Settings, base: HeadSet, encoder_version: str) -> HeadSet:
    """`base` with the promoted heads of the configured database, for the commands that do not
    otherwise use it (`classify`, `eval`): they judge as the daemon does. Nothing is created:
    no database file, no schema; a database that cannot be read leaves `base` (one warning)."""
    try:
        found = read_if_present(
            settings.database, read=lambda store: with_learned(base, store, encoder_version)
        )
    except DatabaseUnavailable as exc:
        log.warning("the promoted heads cannot be read (%s): the shipped heads judge", exc)
        return base
    return base if found is None else found


def describe_heads(model_version: str | None) -> str:
    """The heads a decision's `model_version` names, as people read them: `sentiment v3
    (learned), complaint (shipped), route@Acme v9 (learned), intent (shipped)`."""
    if not model_version or ";heads=" not in model_version:
        return "unknown"
    heads = model_version.split(";heads=", 1)[1].split(";", 1)[0]
    names = []
    for part in heads.split(","):
        task, _, rest = part.partition(":")
        version, _, brand = rest.partition("@")
        slot = f"{task}@{brand}" if brand else task
        if version.startswith("v") and version[1:].isdigit():
            names.append(f"{slot} {version} (learned)")
        else:
            names.append(f"{slot} (shipped)")
    return ", ".join(names)


def _weights(version: str) -> str:
    """An encoder version without its backend suffix: the same weights under onnx-int8 or
    torch give the same embeddings to within rounding."""
    return version.split("+", 1)[0]
