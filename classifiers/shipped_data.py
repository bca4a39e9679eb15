"""The permissively licensed training rows the project ships, per task.

Every shipped head is rebuilt from these rows alone (`python -m classifiers.build_heads`), and
`social-triage train --finetune` refits the heads it was not given data for from them, so a
fine-tuned encoder never runs with heads fitted on another encoder's embeddings.

- `training/own_examples.csv`: short customer posts written and labelled by the project
  (Apache-2.0), one column per task;
- `training/banking77_subset.csv`: 25 rows per banking77 label (PolyAI-LDN/task-specific-datasets,
  CC BY 4.0, "Efficient Intent Detection with Dual Sentence Encoders", Casanueva et al. 2020),
  mapped onto our intents by `classifiers/intent_map.py`; intent head only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classifiers.dataset import read_table

TRAINING = Path(__file__).parent / "training"
OWN_EXAMPLES = TRAINING / "own_examples.csv"
BANKING77_SUBSET = TRAINING / "banking77_subset.csv"


def shipped_pairs(task: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(text, label) pairs for `task` and a description of where they came from."""
    table = read_table(OWN_EXAMPLES, label_column=task)
    assert table.labels is not None
    pairs = list(zip(table.texts, table.labels, strict=True))
    sources: list[dict[str, Any]] = [
        {
            "file": "classifiers/training/own_examples.csv",
            "column": task,
            "rows": len(pairs),
            "licence": "Apache-2.0 (written by the project)",
        }
    ]
    if task == "intent":
        b77 = read_table(BANKING77_SUBSET, label_column="intent")
        assert b77.labels is not None
        pairs += list(zip(b77.texts, b77.labels, strict=True))
        sources.append(
            {
                "file": "classifiers/training/banking77_subset.csv "
                "(PolyAI-LDN/task-specific-datasets)",
                "rows": len(b77.texts),
                "licence": "CC BY 4.0",
                "mapping": "classifiers/intent_map.py",
            }
        )
    return pairs, sources
