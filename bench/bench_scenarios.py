"""Benchmark: generate AND check 10,000 scenario questions in one process, against
``studytool --help`` (bare start-up) measured in the same run. Goal: ratio <= 3.

Checking a question means two calls of ``check_answer``: one with the right answer typed as a
person would (letters, ``yes``, ``7.5 Gbps``...) and one with a wrong answer; the message of
each result is read, as the user reads it (after a wrong answer: the right answer, the model's
reasons and rule ids), so nothing shown to the user goes unpaid. The figure is
the time to generate the questions plus the time to check them, in a fresh process that has
imported the generator (the import is reported apart); the model's answer cache starts empty,
as in any new process. What the simulated person types is worked out between the two timed
parts: a user types it, studytool never computes it, so it is not studytool's cost. Also
reported: questions per second, the same figures in CPU time (the process's own CPU time
against the CPU time of the ``--help`` child processes, which a busy machine disturbs less than
wall-clock time), and generating with the answer cache switched off.

The timed process runs the collector as the ``studytool`` command does: its entry point holds
collection (``studytool.startup.hold_collection``, the young generation collected every
100,000 new objects instead of 700), so ``studytool scenarios`` and ``studytool quiz`` pay
what is measured here. ``--python-gc`` measures with Python's default thresholds instead
(about a tenth slower: thousands of questions kept in a list are walked again and again).

Run: ``python bench/bench_scenarios.py [--count N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
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


class Clock:
    """Wall-clock and CPU seconds spent between :meth:`start` and :meth:`stop`, summed."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def generate_and_check(count: int, use_cache: bool = True) -> tuple[Clock, int, int]:
    """Time to generate and check ``count`` questions; right and wrong verdicts seen."""
    from studytool.scenarios import generator
    from studytool.scenarios.answer_check import check_answer
    from studytool.scenarios.templates import base

    base.ANSWER_CACHE.clear()
    saved = base.ANSWER_CACHE_SIZE
    base.ANSWER_CACHE_SIZE = saved if use_cache else 0
    clock = Clock()
    try:
        clock.start()
        questions = generator.generate_questions(SEED, count)
        clock.stop()
        typed = [(question, typed_right(question), typed_wrong(question)) for question in questions]
        right = wrong = shown = 0
        clock.start()
        for question, right_text, wrong_text in typed:
            accepted = check_answer(question, right_text)
            rejected = check_answer(question, wrong_text)
            right += accepted.correct
            wrong += not rejected.correct
            shown += len(accepted.message) + len(rejected.message)  # what the user reads
        clock.stop()
        if not shown:
            raise AssertionError("the checks gave no messages")
    finally:
        base.ANSWER_CACHE_SIZE = saved
        base.ANSWER_CACHE.clear()
    return clock, right, wrong


def help_times(runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``runs`` runs of ``studytool --help``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "studytool", "--help"]
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as workdir:
        env["PYTHONPYCACHEPREFIX"] = str(Path(workdir) / "pycache")
        subprocess.run(command, env=env, check=True, capture_output=True)  # warm the cache
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="questions to generate")
    parser.add_argument("--runs", type=int, default=9, help="runs of studytool --help (median)")
    parser.add_argument(
        "--python-gc", action="store_true", help="Python's collector thresholds, not studytool's"
    )
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if not options.python_gc:
        from studytool.startup import hold_collection

        hold_collection()  # what studytool's entry point does first (cli.main.main)
    walls, cpus = help_times(options.runs)
    baseline, baseline_cpu = statistics.median(walls), statistics.median(cpus)
    start = time.perf_counter()
    import studytool.scenarios.answer_check
    import studytool.scenarios.generator
    import studytool.scenarios.templates  # noqa: F401  (what the loop imports, timed apart)

    imported = time.perf_counter() - start
    clock, right, wrong = generate_and_check(options.count)
    elapsed = clock.wall
    uncached_count = min(options.count, 2000)
    uncached = generate_and_check(uncached_count, use_cache=False)[0].wall
    uncached_per_question = uncached / uncached_count
    count = options.count
    print(f"studytool --help               median {baseline * 1000:8.1f} ms ({options.runs} runs; "
          f"CPU {baseline_cpu * 1000:.1f} ms)")  # fmt: skip
    collector = "Python's defaults" if options.python_gc else "held, as in studytool's entry point"
    print(f"garbage collector                     {collector}")
    print(f"import generator + checker            {imported * 1000:8.1f} ms")
    print(f"generate + check {count} questions   {elapsed * 1000:8.1f} ms "
          f"({right} right answers accepted, {wrong} wrong ones rejected; CPU "
          f"{clock.cpu * 1000:.1f} ms)")  # fmt: skip
    print(f"questions per second                  {count / elapsed:8,.0f}")
    print(f"ratio (generate + check) / --help     {elapsed / baseline:8.2f}  (goal <= 3)")
    print(f"ratio in CPU time                     {clock.cpu / baseline_cpu:8.2f}")
    print(
        f"without the answer cache              {uncached_per_question * 1e6:8.0f} us per question "
        f"({1 / uncached_per_question:,.0f} per second; ratio for {count} would be "
        f"{uncached_per_question * count / baseline:.1f})"
    )
    if right != count or wrong != count:
        sys.exit("some checks disagreed with the model's answers")


if __name__ == "__main__":
    main()
