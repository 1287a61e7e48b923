"""Employees who chat at a human pace: `locust -f benchmarks/locustfile.py --host URL`.

Each simulated employee gets a dev token (the `make run` / `make cluster` dev
mode), opens a chat and asks a question every 5-15 s, reading the answer in
between. `python -m benchmarks throughput` runs it headless for several numbers
of employees and reports p95 per step.
"""

from __future__ import annotations

import itertools

from locust import HttpUser, between, task

QUESTIONS = [
    "Ich habe mein Passwort vergessen",
    "My VPN keeps disconnecting",
    "Der Drucker druckt nicht",
    "Outlook is not sending emails",
    "Mein Laptop ist sehr langsam",
    "How do I connect to the wifi?",
]
_numbers = itertools.count()


class Employee(HttpUser):
    """One employee in one conversation, thinking 5-15 s between messages."""

    wait_time = between(5, 15)

    def on_start(self) -> None:
        n = next(_numbers)
        token = self.client.post(
            "/api/dev/token",
            json={"email": f"locust{n}@brandt.example", "name": f"Locust {n}"},
            name="setup",
        ).json()["token"]
        self.client.headers["Authorization"] = f"Bearer {token}"
        session = self.client.post("/api/chat/sessions", json={"locale": "de"}, name="setup")
        self.conversation = session.json()["conversation_id"]
        self.questions = itertools.islice(itertools.cycle(QUESTIONS), n % len(QUESTIONS), None)

    @task
    def ask(self) -> None:
        with self.client.post(
            f"/api/chat/sessions/{self.conversation}/messages",
            json={"text": next(self.questions)},
            name="message",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not response.json().get("messages"):
                response.failure(f"no answer ({response.status_code})")
