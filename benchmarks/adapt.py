"""Corpus-only adaptation: fine-tune the bi-encoder on a collection's own (title, passage) pairs.

MultipleNegativesRankingLoss (in-batch negatives, symmetric), with no two pairs of
the same document in a batch. Only the indexed texts are used, never queries.
A plain PyTorch loop: sentence-transformers' trainer would need `datasets` and
`accelerate`, which the project does not otherwise use.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer

from kb_index.embedder import default_model_path


def batches(groups: Sequence[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle pair numbers into batches in which every group appears at most once."""
    pending = list(range(len(groups)))
    rng.shuffle(pending)
    out = []
    while pending:
        batch: list[int] = []
        used: set[int] = set()
        rest = []
        for i in pending:
            if len(batch) < size and groups[i] not in used:
                batch.append(i)
                used.add(groups[i])
            else:
                rest.append(i)
        out.append(batch)
        pending = rest
    return [b for b in out if len(b) > 1]


def adapt(
    pairs: Sequence[tuple[str, str]],
    groups: Sequence[int],
    out: Path,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 2e-5,
    scale: float = 20.0,
    seed: int = 0,
) -> Path:
    """Fine-tune the default model on (anchor, positive) pairs; save it to out."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(default_model_path()), device="cpu")
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    plan = [b for _ in range(epochs) for b in batches(groups, batch_size, rng)]
    warmup = max(1, len(plan) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, (len(plan) - step) / len(plan))
    )

    def embed(texts: list[str]) -> torch.Tensor:
        features = model.tokenize(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)

    for batch in plan:
        anchors = embed([pairs[i][0] for i in batch])
        positives = embed([pairs[i][1] for i in batch])
        scores = anchors @ positives.T * scale
        labels = torch.arange(len(batch))
        loss = (
            torch.nn.functional.cross_entropy(scores, labels)
            + torch.nn.functional.cross_entropy(scores.T, labels)
        ) / 2
        loss.backward()
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
    model.eval()
    model.save(str(out))
    return out
