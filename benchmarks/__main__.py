"""Run the benchmarks in order and print their tables: `python -m benchmarks [names...]`."""

from __future__ import annotations

import importlib
import os
import sys
import time

# The registry, in the order `make bench` runs it: each module has a main() that prints.
BENCHMARKS = [
    "kb_quality",  # our knowledge base: dense, lexical, combined; calibration; cross-language
    "stackfaq",  # the public StackFAQ + CLINC150 benchmark beside its reference figures
    "kb_speed",  # latency and build throughput, exact vs approximate, up to 1M documents
    "rebuild",  # editor rebuilds: full and incremental, 10k and 100k articles; search meanwhile
    "bot_nlu",  # the bot's intent accuracy and F1 per language, cross-validated
    "chat_quality",  # real first messages through the whole chat path: right, wrong, off-topic
    "chat_latency",  # one chat message through the whole stack vs Rasa's own webhook
    "live_relay",  # WebSocket relay with 50 live chats, SQLite and PostgreSQL; time to console
    "attachments",  # 50 employees uploading 2 MB screenshots while others chat; memory
    "throughput",  # messages/s: Rasa alone, make run, make cluster; paced load; Locust capacity
    "insights",  # summary, trends and spikes over 1,000,000 conversations on PostgreSQL
]


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    unknown = [name for name in argv if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in argv or BENCHMARKS:
        started = time.perf_counter()
        print(f"# benchmarks.{name}\n", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
