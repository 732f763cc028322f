"""Benchmark: generate AND check 10,000 scenario questions in one process, against
``studytool --help`` (bare start-up) measured in the same run. Goal: ratio <= 3.

Checking a question means two calls of ``check_answer``: one with the right answer typed as a
person would (letters, ``yes``, ``7.5 Gbps``...) and one with a wrong answer. The figure is
the time of that loop in a fresh process that has imported the generator (the import is
reported apart); the model's answer cache starts empty, as in any new process. Also reported:
questions per second, and the same loop with the answer cache switched off.

Run: ``python bench/bench_scenarios.py [--count N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20_260_101


def typed_right(question: object) -> str:
    from studytool.scenarios.answer_check import label

    kind, answer, choices = question.kind, question.answer, question.choices or []  # type: ignore[attr-defined]
    if kind == "yes-no":
        return "yes" if answer else "no"
    if kind == "number":
        unit = question.unit or ""  # type: ignore[attr-defined]
        return f"{answer:g} {unit}".strip()
    if kind == "choice":
        return label(choices.index(answer))
    letters = [label(choices.index(text)) for text in answer]
    if kind == "multi":
        return ", ".join(letters) if letters else "none"
    return " ".join(letters)


def typed_wrong(question: object) -> str:
    from studytool.scenarios.answer_check import label

    kind, answer, choices = question.kind, question.answer, question.choices or []  # type: ignore[attr-defined]
    if kind == "yes-no":
        return "no" if answer else "yes"
    if kind == "number":
        return f"{answer + 1:g}"
    if kind == "choice":
        return label(next(i for i, text in enumerate(choices) if text != answer))
    if kind == "multi":
        toggled = {choices.index(text) for text in answer} ^ {0}
        return ", ".join(label(i) for i in sorted(toggled)) if toggled else "none"
    return " ".join(label(choices.index(text)) for text in reversed(answer))


def generate_and_check(count: int, use_cache: bool = True) -> tuple[float, int, int]:
    """Seconds to generate and check ``count`` questions; right and wrong verdicts seen."""
    from studytool.scenarios import generator
    from studytool.scenarios.answer_check import check_answer
    from studytool.scenarios.templates import base

    base.ANSWER_CACHE.clear()
    saved = base.ANSWER_CACHE_SIZE
    base.ANSWER_CACHE_SIZE = saved if use_cache else 0
    try:
        start = time.perf_counter()
        right = wrong = 0
        for question in generator.generate_questions(SEED, count):
            right += check_answer(question, typed_right(question)).correct
            wrong += not check_answer(question, typed_wrong(question)).correct
        elapsed = time.perf_counter() - start
    finally:
        base.ANSWER_CACHE_SIZE = saved
        base.ANSWER_CACHE.clear()
    return elapsed, right, wrong


def help_times(runs: int) -> list[float]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "studytool", "--help"]
    times = []
    with tempfile.TemporaryDirectory() as workdir:
        env["PYTHONPYCACHEPREFIX"] = str(Path(workdir) / "pycache")
        subprocess.run(command, env=env, check=True, capture_output=True)  # warm the cache
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="questions to generate")
    parser.add_argument("--runs", type=int, default=9, help="runs of studytool --help (median)")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    baseline = statistics.median(help_times(options.runs))
    start = time.perf_counter()
    import studytool.scenarios.answer_check
    import studytool.scenarios.generator
    import studytool.scenarios.templates  # noqa: F401  (what the loop imports, timed apart)

    imported = time.perf_counter() - start
    elapsed, right, wrong = generate_and_check(options.count)
    uncached, _right, _wrong = generate_and_check(min(options.count, 2000), use_cache=False)
    uncached_per_question = uncached / min(options.count, 2000)
    count = options.count
    print(f"studytool --help               median {baseline * 1000:8.1f} ms ({options.runs} runs)")
    print(f"import generator + checker            {imported * 1000:8.1f} ms")
    print(f"generate + check {count} questions   {elapsed * 1000:8.1f} ms "
          f"({right} right answers accepted, {wrong} wrong ones rejected)")  # fmt: skip
    print(f"questions per second                  {count / elapsed:8,.0f}")
    print(f"ratio (generate + check) / --help     {elapsed / baseline:8.2f}  (goal <= 3)")
    print(
        f"without the answer cache              {uncached_per_question * 1e6:8.0f} us per question "
        f"({1 / uncached_per_question:,.0f} per second; ratio for {count} would be "
        f"{uncached_per_question * count / baseline:.1f})"
    )
    if right != count or wrong != count:
        sys.exit("some checks disagreed with the model's answers")


if __name__ == "__main__":
    main()
