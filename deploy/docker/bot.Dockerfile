# Rasa server and action server (Python 3.10), with the trained model inside:
# docker build -f deploy/docker/bot.Dockerfile .
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2
WORKDIR /app
COPY requirements/bot-lock.txt requirements/bot-lock.txt
RUN pip install --no-cache-dir -r requirements/bot-lock.txt
COPY config.yml domain.yml credentials.yml ./
COPY bot bot
COPY scripts/train_bot.py scripts/train_bot.py
COPY deploy/rasa/endpoints.yml deploy/rasa/endpoints.yml
RUN python scripts/train_bot.py \
    && useradd --uid 10001 --create-home bot && chown -R bot /app
USER bot
EXPOSE 5005 5055
# Rasa: python -m bot.rasa_server run ... (see docker-compose.yml; the API token comes
# from HELPDESK_RASA_TOKEN, never the command line); actions: the default below.
CMD ["python", "-m", "bot.actions.server"]
