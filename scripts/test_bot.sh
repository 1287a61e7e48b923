#!/usr/bin/env bash
# The bot's checks, all three run, non-zero exit if any failed:
#   1. rasa data validate (errors fail; warnings such as "utterance not used in
#      any story" are expected: the custom actions use those responses),
#   2. the conversation test stories tests/bot/stories/test_*.yml against the
#      trained model, end to end (--e2e: the NLU must read every test message
#      as annotated, and the policies must predict every action),
#      with --fail-on-prediction-errors,
#   3. the action unit tests (tests/bot, fake helpdesk over httpx.MockTransport).
set -uo pipefail
cd "$(dirname "$0")/.."

BOT_PY=.venv-bot/bin/python
RASA=.venv-bot/bin/rasa
OUT=results/bot
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
failed=()

step() { printf '\n==> %s\n' "$1"; }

step "rasa data validate"
if ! "$RASA" data validate --config config.yml --domain domain.yml --data bot/data; then
  failed+=("rasa data validate")
fi

step "train (or reuse) the model"
if model=$("$BOT_PY" scripts/train_bot.py | tail -n 1) && [ -f "$model" ]; then
  echo "model: $model"
  step "rasa test core --e2e: tests/bot/stories"
  rm -rf "$OUT/core"
  if ! "$RASA" test core --e2e --model "$model" --stories tests/bot/stories \
      --fail-on-prediction-errors --out "$OUT/core"; then
    failed+=("conversation tests")
  fi
else
  failed+=("training")
fi

step "action unit tests"
if ! "$BOT_PY" -c "import pytest" 2>/dev/null; then
  echo "pytest is missing in .venv-bot (requirements/bot-lock.txt should pin pytest==8.4.2)"
  failed+=("pytest missing")
elif ! "$BOT_PY" -m pytest tests/bot -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning; then
  failed+=("action unit tests")
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nbot checks FAILED:'
  printf ' [%s]' "${failed[@]}"
  printf '\n'
  exit 1
fi
printf '\nbot checks passed\n'
