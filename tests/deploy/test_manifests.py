"""The deployment files, checked statically (no container runtime or cluster here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "docker-compose.yml").read_text()))


def _k8s_documents() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return docs


def _of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pinned(image: str) -> bool:
    return ":" in image and not image.endswith(":latest")


# --- docker compose -------------------------------------------------------------------


def test_compose_has_every_tier_with_replicas() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "helpdesk", "rasa", "actions", "nginx"} <= set(services)
    for tier in ("helpdesk", "rasa", "actions"):
        assert services[tier]["deploy"]["replicas"] >= 2, tier
    for name, service in services.items():
        assert _pinned(service["image"]), f"{name}: pin the image, got {service['image']}"


def test_compose_migrates_once_before_the_service() -> None:
    services = _compose()["services"]
    assert "handoff prepare" in " ".join(services["migrate"]["command"])
    assert services["migrate"]["restart"] == "no"
    depends = services["helpdesk"]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["helpdesk"]["environment"]["HELPDESK_AUTO_PREPARE"] == "false"


def test_compose_health_checks_use_the_health_endpoints() -> None:
    services = _compose()["services"]
    assert "127.0.0.1:8000/health'" in " ".join(services["helpdesk"]["healthcheck"]["test"])
    assert "/health/live" in " ".join(services["nginx"]["healthcheck"]["test"])
    assert "5055/health" in " ".join(services["actions"]["healthcheck"]["test"])


def test_compose_wires_the_tiers_together() -> None:
    services = _compose()["services"]
    helpdesk, rasa, actions = (services[n]["environment"] for n in ("helpdesk", "rasa", "actions"))
    assert helpdesk["HELPDESK_RASA_URL"] == "http://rasa:5005"
    assert helpdesk["HELPDESK_REDIS_URL"].startswith("redis://redis:")
    assert "@postgres:5432/" in helpdesk["HELPDESK_DATABASE_URL"]
    assert rasa["HELPDESK_ACTIONS_URL"] == "http://actions:5055/webhook"
    assert rasa["HELPDESK_ACTIONS_SECRET"] == actions["HELPDESK_ACTIONS_SECRET"]
    assert actions["HELPDESK_ACTIONS_HOST"] == "0.0.0.0"
    assert "deploy/rasa/endpoints.yml" in " ".join(services["rasa"]["command"])
    nginx = (DEPLOY / "nginx" / "compose.conf").read_text()
    assert "server helpdesk:8000" in nginx and "$connection_upgrade" in nginx
    for volume in services["nginx"]["volumes"] + services["postgres"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (DEPLOY / source).exists(), source


def test_compose_file_parses_with_docker_where_installed() -> None:
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("docker compose is not installed here; the YAML checks above still ran")
    env = {"POSTGRES_PASSWORD": "x"} | {
        f"HELPDESK_{n}": "x"
        for n in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN")
    }
    env["HELPDESK_ACTIONS_SECRET"] = "x"
    done = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr


# --- Kubernetes -----------------------------------------------------------------------


def test_every_manifest_is_a_named_kubernetes_object() -> None:
    docs = _k8s_documents()
    assert docs
    for doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", doc["metadata"]["name"])


def _pod_specs(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds = ("Deployment", "StatefulSet", "Job")
    return {d["metadata"]["name"]: d["spec"]["template"] for d in docs if d["kind"] in kinds}


def test_workloads_select_their_pods_and_pin_images() -> None:
    docs = _k8s_documents()
    for name, workload in {**_of_kind(docs, "Deployment"), **_of_kind(docs, "StatefulSet")}.items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert workload["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
    for name, template in _pod_specs(docs).items():
        for container in template["spec"]["containers"]:
            assert _pinned(container["image"]), f"{name}: {container['image']}"


def test_replicas_and_probes_of_the_tiers() -> None:
    deployments = _of_kind(_k8s_documents(), "Deployment")
    assert deployments["helpdesk"]["spec"]["replicas"] >= 2
    assert deployments["rasa"]["spec"]["replicas"] >= 2
    assert deployments["actions"]["spec"]["replicas"] >= 2
    helpdesk = deployments["helpdesk"]["spec"]["template"]["spec"]["containers"][0]
    assert helpdesk["readinessProbe"]["httpGet"]["path"] == "/health"
    assert helpdesk["livenessProbe"]["httpGet"]["path"] == "/health/live"
    for name in ("rasa", "actions"):
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert "httpGet" in container["readinessProbe"] and "livenessProbe" in container


def test_probe_and_service_ports_exist_on_the_pods() -> None:
    docs = _k8s_documents()
    pods = _pod_specs(docs)
    for name, template in pods.items():
        for container in template["spec"]["containers"]:
            ports = {p.get("name") for p in container.get("ports", [])}
            ports |= {p["containerPort"] for p in container.get("ports", [])}
            for probe in ("readinessProbe", "livenessProbe"):
                handler = container.get(probe, {}).get("httpGet") or {}
                if handler:
                    assert handler["port"] in ports, f"{name} {probe}"
    for name, service in _of_kind(docs, "Service").items():
        selected = [
            t
            for t in pods.values()
            if service["spec"]["selector"].items() <= t["metadata"]["labels"].items()
        ]
        assert selected, f"service {name} selects no pods"
        ports = {p.get("name") for c in selected[0]["spec"]["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, f"service {name}: {port}"


def test_migrations_run_once_as_a_job() -> None:
    docs = _k8s_documents()
    job = _of_kind(docs, "Job")["helpdesk-migrate"]
    assert "handoff prepare" in " ".join(
        job["spec"]["template"]["spec"]["containers"][0]["command"]
    )
    helpdesk = _of_kind(docs, "Deployment")["helpdesk"]["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in helpdesk["containers"][0]["env"]}
    assert env["HELPDESK_AUTO_PREPARE"] == "false"


def test_secrets_referenced_exist_in_the_example() -> None:
    example = yaml.safe_load((K8S / "secret.example.yaml").read_text())
    keys = set(example["stringData"])
    text = "\n".join(
        (K8S / n).read_text()
        for n in yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    )
    used = set(re.findall(r"secretKeyRef: \{name: helpdesk-secrets, key: ([a-z-]+)\}", text))
    assert used and used <= keys, used - keys


def test_ingress_routes_to_the_helpdesk_service() -> None:
    docs = _k8s_documents()
    ingress = _of_kind(docs, "Ingress")["helpdesk"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = _of_kind(docs, "Service")[backend["name"]]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert (
        int(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"])
        >= 3600
    )


def test_no_proxy_logs_the_sockets_tokens() -> None:
    annotations = _of_kind(_k8s_documents(), "Ingress")["helpdesk"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/enable-access-log"] == "false"
    for conf in (DEPLOY / "nginx").iterdir():
        assert re.search(r"^\s*access_log off;", conf.read_text(), re.M), conf.name


def test_the_service_sees_the_employees_address_behind_the_proxy() -> None:
    """The login limit per client address counts employees, not the proxy in front."""
    compose = _compose()["services"]["helpdesk"]["environment"]
    assert compose["FORWARDED_ALLOW_IPS"] == "*"
    [deployment] = [
        d
        for d in _k8s_documents()
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "helpdesk"
    ]
    env = {
        e["name"]: e.get("value")
        for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["FORWARDED_ALLOW_IPS"] == "*"
    for conf in (DEPLOY / "nginx").iterdir():
        assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf.read_text(), conf.name


def test_rasa_endpoints_are_the_same_in_compose_and_kubernetes() -> None:
    config_map = _of_kind(_k8s_documents(), "ConfigMap")["rasa-endpoints"]
    in_k8s = yaml.safe_load(config_map["data"]["endpoints.yml"])
    in_compose = yaml.safe_load((DEPLOY / "rasa" / "endpoints.yml").read_text())
    assert in_k8s == in_compose
    assert in_k8s["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
    assert in_k8s["tracker_store"]["dialect"] == "postgresql"


# --- secrets stay off command lines ---------------------------------------------------

# A command line is readable by every user of the node (ps, /proc/PID/cmdline): secrets
# reach the processes through the environment (bot.rasa_server hands Rasa its token).
_SECRET_OPTION = re.compile(r"--(auth-token|jwt-secret|password|token|secret)\b|\$[{(]?HELPDESK_")


def _commands() -> dict[str, str]:
    commands = {
        f"compose {name}": " ".join(map(str, [*(s.get("entrypoint") or []), *s["command"]]))
        for name, s in _compose()["services"].items()
        if isinstance(s.get("command"), list)
    }
    for name, template in _pod_specs(_k8s_documents()).items():
        for container in template["spec"]["containers"]:
            argv = [*container.get("command", []), *container.get("args", [])]
            commands[f"k8s {name}/{container['name']}"] = " ".join(map(str, argv))
    return commands


def test_no_container_passes_a_secret_on_its_command_line() -> None:
    commands = _commands()
    assert any("bot.rasa_server run" in c for c in commands.values()), commands
    offending = {name: c for name, c in commands.items() if _SECRET_OPTION.search(c)}
    assert not offending, offending
