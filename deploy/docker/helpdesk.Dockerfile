# The helpdesk service (Python 3.11): docker build -f deploy/docker/helpdesk.Dockerfile .
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    HELPDESK_HOST=0.0.0.0 HELPDESK_PORT=8000 HELPDESK_DATA_DIR=/app/var
WORKDIR /app
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir -r requirements/lock.txt
COPY pyproject.toml ./
COPY handoff handoff
COPY kb_index kb_index
COPY kb kb
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && useradd --uid 10001 --create-home helpdesk && mkdir -p /app/var && chown helpdesk /app/var
USER helpdesk
EXPOSE 8000
CMD ["python", "-m", "handoff", "serve"]
