"""Speed of the whole classification step against the naive baseline (issue 3, item 8).

    python bench/classify.py [--data ../shared/data] [--posts 2000] [--naive-posts 150]
                             [--rounds 3] [--backends torch onnx-int8] [--no-rss]
                             [--models intfloat/multilingual-e5-small ...]

In one process, for each encoder (`--models`: by default the default multilingual-e5-small and
the former default all-MiniLM-L6-v2, still selectable), on that model and the same tweet-length
posts:
- naive: the transformers `feature-extraction` pipeline called once per post (the first
  `--naive-posts` posts; posts/s does not depend on how many, and it keeps the run short);
- full step: `Classifier.classify` on all posts (tokenise, encode in length-sorted batches, every
  head, sensitive-data detection, keyword lists, language, rules), per backend.
Setups run interleaved for --rounds rounds and medians are printed, as posts per wall-clock
second and per CPU-second of this process (the latter is steadier on a shared machine), with the
ratio to the naive baseline, and the peak RSS of the whole run (all setups loaded at once).
Then each backend runs again alone in a child process (load it, classify the posts once) that
reports its own peak RSS: the memory one classifying process needs (target <= 1 GB). The load
average is printed before and after: a neighbour busy on the same cores slows every setup, the
multi-threaded ones most.
Posts come from sentiment/tweeteval_val.csv when --data has it, else from our own examples.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from classifiers.dataset import read_table
from classifiers.encoder import DEFAULT_MODEL_NAME, MINILM_NAME

ROOT = Path(__file__).resolve().parents[1]


def posts(data: Path, n: int) -> list[str]:
    source = data / "sentiment" / "tweeteval_val.csv"
    if not source.is_file():
        source = ROOT / "classifiers" / "training" / "own_examples.csv"
    texts = [t for t in read_table(source).texts if t.strip()]
    return [texts[i % len(texts)] for i in range(n)]


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    Linux's VmHWM belongs to the process's own memory map; ru_maxrss also counts the parent's at
    the time of the fork, which would give every child the big benchmark process's figure.
    """
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_name() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for row in out.splitlines():
        if row.startswith("Model name:"):
            return row.split(":", 1)[1].strip()
    return "unknown"


def naive_runner(model: str, threads: int) -> Callable[[list[str]], None]:
    import torch
    from transformers import pipeline

    from classifiers.encoder import embedded_model_path, model_prefix

    torch.set_num_threads(threads)
    folder = embedded_model_path(model) or Path(model)
    extractor = pipeline(
        "feature-extraction", model=str(folder), tokenizer=str(folder), device="cpu"
    )
    prefix = model_prefix(folder) if folder.is_dir() else ""

    def run(texts: list[str]) -> None:
        torch.set_num_threads(threads)  # process-wide, and the torch encoder changes it too
        for text in texts:
            extractor(prefix + text)

    run(["warm up"] * 5)
    return run


def full_runner(
    model: str, backend: str, threads: int, batch_size: int | None
) -> Callable[[list[str]], None]:
    from classifiers.pipeline import Classifier
    from config.schema import Settings

    options: dict[str, object] = {"model": model, "backend": backend, "threads": threads}
    if batch_size is not None:
        options["batch_size"] = batch_size
    settings = Settings.model_validate({"classifier": options})
    classifier = Classifier.from_settings(settings)

    def run(texts: list[str]) -> None:
        results = classifier.classify([(None, text) for text in texts])
        assert len(results) == len(texts)

    run(["warm up"] * 64)
    return run


def measure(run: Callable[[list[str]], None], texts: list[str]) -> tuple[float, float]:
    """(posts per wall second, posts per CPU second of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(texts)
    return len(texts) / (time.perf_counter() - wall), len(texts) / (time.process_time() - cpu)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def alone_peak_rss_mb(args: argparse.Namespace, model: str, backend: str) -> str:
    """The peak RSS of a child process that loads only `backend` and classifies the posts."""
    command = [sys.executable, __file__, "--alone", backend, "--data", str(args.data)]
    command += ["--models", model]
    command += ["--posts", str(args.posts), "--threads", str(args.threads)]
    if args.batch_size is not None:
        command += ["--batch-size", str(args.batch_size)]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return f"failed ({(done.stderr.strip().splitlines() or ['no output'])[-1]})"
    return lines[-1]


def alone(args: argparse.Namespace) -> None:
    """The `--alone BACKEND` child: one classifier, one pass over the posts, its peak RSS."""
    texts = posts(args.data, args.posts)
    full_runner(args.models[0], args.alone, args.threads, args.batch_size)(texts)
    print(f"{peak_rss_mb():.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--naive-posts", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="default: the classifier.batch_size default"
    )
    parser.add_argument("--backends", nargs="*", default=["torch", "onnx-int8"])
    parser.add_argument(
        "--models",
        nargs="*",
        default=[DEFAULT_MODEL_NAME, MINILM_NAME],
        help="encoders to measure, each against its own naive baseline (default: the default "
        "multilingual-e5-small and the former default all-MiniLM-L6-v2)",
    )
    parser.add_argument("--no-rss", action="store_true", help="skip the per-backend RSS runs")
    parser.add_argument("--alone", metavar="BACKEND", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone:
        alone(args)
        return
    texts = posts(args.data, args.posts)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(
        f"cpu: {cpu_name()}; threads {args.threads}; {len(texts)} posts, "
        f"mean {mean_chars:.0f} chars; {args.rounds} interleaved rounds, medians",
        flush=True,
    )
    print(f"load average before: {load_average()}", flush=True)
    for model in args.models:
        print(f"\nencoder {model}", flush=True)
        compare(args, model, texts)
    print(f"\nload average after: {load_average()}", flush=True)
    print(f"peak RSS of the whole run: {peak_rss_mb():.0f} MB", flush=True)
    if not args.no_rss:
        for model in args.models:
            for backend in args.backends:
                rss = alone_peak_rss_mb(args, model, backend)
                print(f"peak RSS of {model} {backend} alone (classify {len(texts)} posts): {rss}")


def compare(args: argparse.Namespace, model: str, texts: list[str]) -> None:
    """One encoder: its naive baseline and the full step per backend, interleaved rounds."""
    runners = {"naive": naive_runner(model, args.threads)}
    for backend in args.backends:
        runners[backend] = full_runner(model, backend, args.threads, args.batch_size)
    wall: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.rounds):
        # Interleaved, so a noisy neighbour slows every setup alike.
        for name, run in runners.items():
            sample = texts[: args.naive_posts] if name == "naive" else texts
            w, c = measure(run, sample)
            wall[name].append(w)
            cpu[name].append(c)
    base_wall, base_cpu = statistics.median(wall["naive"]), statistics.median(cpu["naive"])
    for name in runners:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        label = "naive pipeline, one post at a time" if name == "naive" else f"full step, {name}"
        print(
            f"{label:<36} {w:8.1f} posts/s (x{w / base_wall:5.1f})   "
            f"{c:8.1f} posts/CPU-s (x{c / base_cpu:5.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
