"""The Terraform under infra/terraform: formatting, checkov, module wiring and every figure of issue 8.

`terraform validate` needs the Google provider, which cannot be downloaded offline; these tests parse
the code with python-hcl2 instead and check what validate would (every variable passed and declared)
plus the figures themselves.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.support import INFRA_BIN, TERRAFORM, require, terraform_files, which

ENV = "environments/prod"
DAY = 86400
_REF = re.compile(r"^\$\{(var|local)\.(\w+)\}$")


# --- reading the parsed code ---------------------------------------------------------------------
def _blocks(path_prefix: str, kind: str) -> dict[str, Any]:
    """name => body of every `kind` block (variable, output, module) in files under path_prefix."""
    found: dict[str, Any] = {}
    for path, parsed in terraform_files().items():
        if path.startswith(path_prefix + "/"):
            for entry in parsed.get(kind, []):
                found.update(entry)
    return found


def _locals(path_prefix: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path, parsed in terraform_files().items():
        if path.startswith(path_prefix + "/"):
            for entry in parsed.get("locals", []):
                merged.update(entry)
    return merged


def resource(module: str, kind: str, name: str) -> dict[str, Any]:
    for path, parsed in terraform_files().items():
        if path.startswith(f"modules/{module}/"):
            for entry in parsed.get("resource", []):
                if name in entry.get(kind, {}):
                    body: dict[str, Any] = entry[kind][name]
                    return body
    raise AssertionError(f"no resource {kind}.{name} in modules/{module}")


def env_default(name: str) -> Any:
    variable = _blocks(ENV, "variable")[name]
    assert "default" in variable, f"variable {name} has no default"
    return variable["default"]


def value(module: str, raw: Any) -> Any:
    """Follow var./local. references from a module through the prod call to the prod default."""
    match = _REF.match(raw) if isinstance(raw, str) else None
    if not match:
        return raw
    kind, name = match.groups()
    if kind == "local":
        return value(module, _locals(f"modules/{module}")[name])
    call = next(
        body for body in _blocks(ENV, "module").values() if body["source"] == f"../../modules/{module}"
    )
    argument = call[name]
    env_match = _REF.match(argument) if isinstance(argument, str) else None
    if env_match and env_match.group(1) == "var":
        return env_default(env_match.group(2))
    return argument


def one(body: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested block that appears once (python-hcl2 gives a list)."""
    blocks = body[key]
    assert isinstance(blocks, list) and len(blocks) == 1, key
    block: dict[str, Any] = blocks[0]
    return block


# --- tools ---------------------------------------------------------------------------------------
def test_terraform_fmt() -> None:
    terraform = require(which("terraform"), "terraform is not installed", ci_installs_it=False)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(
        [str(terraform), "fmt", "-check", "-recursive", "-diff"],
        cwd=TERRAFORM,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}{result.stderr}"


def test_checkov_passes_with_written_reasons_for_skips() -> None:
    checkov = require(INFRA_BIN / "checkov", "checkov is not installed in infra/.venv")
    config = TERRAFORM / ".checkov.yaml"
    text = config.read_text()
    skipped = re.findall(r"^\s+- (CKV2?_\w+)", text, flags=re.MULTILINE)
    assert skipped, "expected the skip list in .checkov.yaml"
    for check in skipped:  # each skip has a comment right above it (or above its group)
        before = text[: text.index(f"- {check}")].rstrip().splitlines()
        assert any(line.strip().startswith("#") for line in before[-3:]), f"{check} has no written reason"
    result = subprocess.run(
        [str(checkov), "--config-file", str(config), "-d", str(TERRAFORM), "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Failed checks: 0" in result.stdout
    passed = int(re.search(r"Passed checks: (\d+)", result.stdout).group(1))  # type: ignore[union-attr]
    assert passed >= 30


# --- wiring (what `terraform validate` would catch) ----------------------------------------------
def test_every_module_call_passes_exactly_the_declared_variables() -> None:
    for name, call in _blocks(ENV, "module").items():
        module = call["source"].removeprefix("../../modules/")
        declared = _blocks(f"modules/{module}", "variable")
        passed = set(call) - {"source", "depends_on"}
        required = {v for v, body in declared.items() if "default" not in body}
        assert required <= passed, f"module {name} misses {sorted(required - passed)}"
        assert passed <= set(declared), f"module {name} passes unknown {sorted(passed - set(declared))}"


@pytest.mark.parametrize(
    "root",
    [ENV] + [f"modules/{m.name}" for m in sorted((TERRAFORM / "modules").iterdir()) if m.is_dir()],
)
def test_every_referenced_variable_is_declared_typed_and_documented(root: str) -> None:
    declared = _blocks(root, "variable")
    text = "".join(p.read_text() for p in (TERRAFORM / root).glob("*.tf"))
    used = set(re.findall(r"\bvar\.(\w+)", text))
    assert used <= set(declared), f"{root} uses undeclared {sorted(used - set(declared))}"
    for name, body in declared.items():
        assert body.get("type"), f"{root}: variable {name} has no type"
        assert body.get("description"), f"{root}: variable {name} has no description"


def test_versions_are_pinned() -> None:
    terraform = terraform_files()[f"{ENV}/versions.tf"]["terraform"][0]
    assert terraform["required_version"] == "~> 1.11"
    providers = terraform["required_providers"][0]
    assert providers["google"]["source"] == "hashicorp/google"
    assert providers["google"]["version"] == "~> 7.10"
    assert one(terraform, "backend")["gcs"]["prefix"] == "eaili5/prod"


def test_region_and_domain_defaults() -> None:
    assert env_default("region") == "us-central1"
    assert env_default("domain") == "explainailikeimfive.com"


# --- the figures ---------------------------------------------------------------------------------
def test_required_apis() -> None:
    services = _locals("modules/apis")["services"]
    text = str(services)
    for api in (
        "run",
        "sqladmin",
        "redis",
        "secretmanager",
        "artifactregistry",
        "servicenetworking",
        "monitoring",
    ):
        assert f"{api}.googleapis.com" in text


def test_artifact_registry_keeps_last_ten_versions() -> None:
    repo = resource("registry", "google_artifact_registry_repository", "images")
    assert repo["format"] == "DOCKER"
    policies = {p["action"]: p for p in repo["cleanup_policies"]}
    assert value("registry", one(policies["KEEP"], "most_recent_versions")["keep_count"]) == 10
    assert one(policies["DELETE"], "condition")["tag_state"] == "ANY"


def test_one_service_account_per_service_and_secret_access_for_backend_only() -> None:
    accounts = {
        name: resource("iam", "google_service_account", name)["account_id"]
        for name in ("backend", "frontend")
    }
    assert accounts == {"backend": "eaili5-backend", "frontend": "eaili5-frontend"}
    assert "secretAccessor" not in str(_locals("modules/iam")["project_roles"])
    grant = resource("secrets", "google_secret_manager_secret_iam_member", "backend_reads")
    assert grant["role"] == "roles/secretmanager.secretAccessor"
    assert grant["for_each"] == "${google_secret_manager_secret.app}"  # one grant per secret
    assert value("secrets", grant["member"]) == "${module.iam.backend_member}"
    # The frontend's account reads only the public WalletConnect project id, granted on that one secret.
    assert _locals("modules/secrets")["public_secrets"] == ["walletconnect-project-id"]
    public = resource("secrets", "google_secret_manager_secret_iam_member", "frontend_reads_public")
    assert public["for_each"] == "${toset(local.public_secrets)}"
    assert public["role"] == "roles/secretmanager.secretAccessor"
    assert value("secrets", public["member"]) == "${module.iam.frontend_member}"


def test_secret_manager_access_is_audit_logged() -> None:
    audit = resource("secrets", "google_project_iam_audit_config", "secretmanager")
    assert audit["service"] == "secretmanager.googleapis.com"
    assert {c["log_type"] for c in audit["audit_log_config"]} >= {"DATA_READ"}


def test_secrets_and_rotation() -> None:
    table = _locals("modules/secrets")["secrets"]
    day = _locals("modules/secrets")["day"]
    assert day == DAY
    rotation = {name: (None if period is None else eval_days(period)) for name, period in table.items()}
    assert rotation == {
        "openai-api-key": 90,
        "tavily-api-key": 90,
        "bitquery-api-key": 90,
        "database-url": 180,
        "redis-url": None,
        "walletconnect-project-id": None,
    }
    secret = resource("secrets", "google_secret_manager_secret", "app")
    assert one(secret, "topics")["name"] == "${google_pubsub_topic.rotation.id}"
    assert "rotation" in str(secret["dynamic"])
    # Values are never in code: no version resource for the app's secrets.
    text = (TERRAFORM / "modules/secrets/main.tf").read_text()
    assert text.count('resource "google_secret_manager_secret_version"') == 1  # only the sidecar config
    assert "google_secret_manager_secret.gmp_config.id" in text


def eval_days(expression: Any) -> int:
    match = re.fullmatch(r"\$\{(\d+) \* local\.day\}", str(expression))
    assert match, expression
    return int(match.group(1))


def test_cloud_sql() -> None:
    db = resource("database", "google_sql_database_instance", "main")
    assert db["name"] == "eaili5-db"
    assert db["database_version"] == "POSTGRES_15"
    assert db["deletion_protection"] is True
    settings = one(db, "settings")
    assert value("database", settings["tier"]) == "db-custom-1-3840"  # dedicated core; shared-core has no SLA
    flags = {flag["name"]: flag["value"] for flag in settings["database_flags"]}
    assert flags["max_connections"] == "${tostring(var.max_connections)}"
    assert value("database", "${var.max_connections}") == 100
    assert value("database", settings["disk_size"]) == 10
    assert settings["disk_type"] == "PD_SSD"
    assert settings["disk_autoresize"] is True
    ip = one(settings, "ip_configuration")
    assert ip["ipv4_enabled"] is False  # private IP only
    assert ip["private_network"] == "${var.network_id}"
    assert ip["ssl_mode"] == "ENCRYPTED_ONLY"
    backup = one(settings, "backup_configuration")
    assert backup["enabled"] is True
    assert value("database", backup["start_time"]) == "03:00"
    assert backup["point_in_time_recovery_enabled"] is True
    assert value("database", one(backup, "backup_retention_settings")["retained_backups"]) == 7
    window = one(settings, "maintenance_window")
    assert value("database", window["day"]) == 7  # Sunday
    assert value("database", window["hour"]) == 3  # 03:00-04:00 UTC
    assert resource("database", "google_sql_database", "app")["name"] == "eaili5"
    user = resource("database", "google_sql_user", "app")
    assert user["name"] == "eaili5"
    assert "password" not in user and "password_wo" in user  # write-only: never in state
    password = _blocks("modules/database", "variable")["app_password"]
    assert password["sensitive"] is True and password["ephemeral"] is True


def test_memorystore_redis() -> None:
    redis = resource("redis", "google_redis_instance", "main")
    assert redis["name"] == "eaili5-redis"
    assert redis["redis_version"] == "REDIS_7_0"
    assert value("redis", redis["tier"]) == "BASIC"
    assert value("redis", redis["memory_size_gb"]) == 1
    assert redis["auth_enabled"] is True
    assert redis["authorized_network"] == "${var.network_id}"
    assert redis["connect_mode"] == "PRIVATE_SERVICE_ACCESS"


def test_network_private_services_and_run_egress() -> None:
    assert resource("network", "google_compute_network", "vpc")["auto_create_subnetworks"] is False
    peering = resource("network", "google_compute_global_address", "private_services")
    assert peering["purpose"] == "VPC_PEERING"
    connection = resource("network", "google_service_networking_connection", "private_services")
    assert connection["service"] == "servicenetworking.googleapis.com"
    for name in ("backend",):
        template = one(resource("cloud_run", "google_cloud_run_v2_service", name), "template")
        egress = one(template, "vpc_access")
        assert egress["egress"] == "PRIVATE_RANGES_ONLY"
        assert one(egress, "network_interfaces")["subnetwork"] == "${var.subnet_id}"


def _container(service: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    body = resource("cloud_run", "google_cloud_run_v2_service", service)
    template = one(body, "template")
    return body, template, template["containers"][0]


def test_backend_service() -> None:
    body, template, app = _container("backend")
    assert body["name"] == "eaili5-base-backend"
    assert body["ingress"] == "INGRESS_TRAFFIC_ALL"
    limits = one(app, "resources")["limits"]
    assert value("cloud_run", limits["memory"]) == "2Gi"
    assert value("cloud_run", limits["cpu"]) == "2"
    # One server process per vCPU: a single Python process uses one core.
    assert env_default("backend_env")["EAILI5_WORKERS"] == "2"
    scaling = one(template, "scaling")
    assert value("cloud_run", scaling["min_instance_count"]) == 1
    assert value("cloud_run", scaling["max_instance_count"]) == 10
    assert value("cloud_run", template["max_instance_request_concurrency"]) == 80
    assert value("cloud_run", one(app, "ports")["container_port"]) == 8000
    assert template["timeout"] == "${var.backend_timeout_seconds}s"
    assert env_default("backend_timeout_seconds") == 3600
    assert template["session_affinity"] is True
    assert one(one(app, "startup_probe"), "http_get")["path"] == "/readyz"
    assert one(one(app, "liveness_probe"), "http_get")["path"] == "/healthz"
    # Secrets as files, read through <SETTING>_FILE.
    dynamic_env = [d["env"] for d in app["dynamic"] if "env" in d]
    file_env = one(next(e for e in dynamic_env if e["for_each"] == "${var.backend_file_secrets}"), "content")
    assert file_env["name"] == "${env.value}_FILE"
    secrets = env_default("backend_file_secrets")
    assert secrets["database-url"] == "DATABASE_URL" and secrets["redis-url"] == "REDIS_URL"
    volume = one(next(d["volumes"] for d in template["dynamic"] if "volumes" in d), "content")
    assert one(one(volume, "secret"), "items")["version"] == "latest"


def test_frontend_service() -> None:
    body, template, nginx = _container("frontend")
    assert body["name"] == "eaili5-base-frontend"
    limits = one(nginx, "resources")["limits"]
    assert value("cloud_run", limits["memory"]) == "512Mi"
    assert value("cloud_run", limits["cpu"]) == "1"
    scaling = one(template, "scaling")
    assert value("cloud_run", scaling["min_instance_count"]) == 0
    assert value("cloud_run", scaling["max_instance_count"]) == 10
    assert value("cloud_run", template["max_instance_request_concurrency"]) == 100
    assert one(nginx, "ports")["container_port"] == 80
    env = {e["name"]: e["value"] for e in nginx["env"]}
    assert env["EAILI5_API_ORIGIN"] == "https://${local.api_host}"
    # WalletConnect's project id reaches nginx's config.js from the backend's secret, only when listed.
    walletconnect = one(next(d["env"] for d in nginx["dynamic"] if "env" in d), "content")
    assert walletconnect["name"] == "WALLETCONNECT_PROJECT_ID"
    ref = one(one(walletconnect, "value_source"), "secret_key_ref")
    assert ref == {"secret": "${var.secret_ids[env.value]}", "version": "latest"}
    assert "walletconnect-project-id" in env_default("backend_file_secrets")


def test_migration_job_runs_eaili5_migrate_with_the_backend_image() -> None:
    job = resource("cloud_run", "google_cloud_run_v2_job", "migrate")
    inner = one(one(job, "template"), "template")
    container = inner["containers"][0]
    assert container["image"] == "${var.backend_image}"
    assert (container["command"], container["args"]) == (["eaili5"], ["migrate"])
    assert inner["service_account"] == "${var.backend_service_account}"


def test_domain_mappings_and_dns_outputs() -> None:
    hosts = _locals("modules/cloud_run")
    assert hosts["app_host"] == "base.${var.domain}"
    assert hosts["api_host"] == "base-api.${var.domain}"
    mapping = resource("cloud_run", "google_cloud_run_domain_mapping", "hosts")
    assert "local.app_host" in str(mapping["for_each"]) and "local.api_host" in str(mapping["for_each"])
    assert "resource_records" in str(_blocks("modules/cloud_run", "output")["dns_records"])
    assert _blocks(ENV, "output")["dns_records"]["value"] == "${module.cloud_run.dns_records}"


def test_monitoring() -> None:
    checks = _locals("modules/monitoring")["uptime_targets"]
    assert {t["host"] for t in checks.values()} == {"${var.app_host}", "${var.api_host}"}
    errors = resource("monitoring", "google_monitoring_alert_policy", "error_ratio")
    condition = one(one(errors, "conditions"), "condition_prometheus_query_language")
    assert condition["query"].endswith("> ${var.error_ratio_threshold}")
    assert 'response_code_class="5xx"' in _locals("modules/monitoring")["requests_5xx_ratio"]
    assert env_default("alert_error_ratio") == 0.05
    assert condition["duration"] == "${var.error_ratio_duration_seconds}s"
    assert env_default("alert_error_ratio_seconds") == 300
    latency = resource("monitoring", "google_monitoring_alert_policy", "latency_p95")
    query = one(one(latency, "conditions"), "condition_prometheus_query_language")["query"]
    assert query.startswith("histogram_quantile(0.95,") and query.endswith(
        "> ${var.latency_p95_threshold_ms}"
    )
    assert env_default("alert_latency_p95_ms") == 500
    uptime = resource("monitoring", "google_monitoring_alert_policy", "uptime")
    assert "uptime_check/check_passed" in str(uptime["dynamic"])
    for policy in (errors, latency, uptime):
        assert policy["notification_channels"] == "${var.notification_channels}"
    tiles = _locals("modules/monitoring")
    titles = str(tiles["promql_tile"]) + str(tiles["filter_tile"]) + str(tiles["instance_tile"])
    for title in ("Requests", "p50 / p95 / p99", "5xx error rate", "CPU", "Memory", "Instances", "WebSocket"):
        assert title in titles
    assert "ws_connections_active" in titles
    retention = resource("monitoring", "google_logging_project_bucket_config", "default")
    assert retention["bucket_id"] == "_Default"
    assert env_default("log_retention_days") == 30


# --- the database connection budget --------------------------------------------------------------
def _plan_budget(
    tmp_path: Path, max_instances: int, backend_env: dict[str, str], max_connections: int
) -> str:
    """`terraform plan` of modules/connection_budget (no provider needed, so it runs offline)."""
    terraform = require(which("terraform"), "terraform is not installed", ci_installs_it=False)
    module = tmp_path / "connection_budget"
    shutil.copytree(TERRAFORM / "modules" / "connection_budget", module)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1"}
    run = functools.partial(subprocess.run, cwd=module, env=env, capture_output=True, text=True, timeout=120)
    init = run([str(terraform), "init", "-input=false", "-no-color"])
    assert init.returncode == 0, init.stdout + init.stderr
    env_map = "{" + ",".join(f'{k}="{v}"' for k, v in backend_env.items()) + "}"
    plan = run(
        [
            str(terraform),
            "plan",
            "-input=false",
            "-no-color",
            f"-var=backend_max_instances={max_instances}",
            f"-var=backend_env={env_map}",
            f"-var=db_max_connections={max_connections}",
        ]
    )
    return f"exit {plan.returncode}\n{plan.stdout}{plan.stderr}"


def test_the_default_backend_pools_fit_the_database_connections(tmp_path: Path) -> None:
    call = _blocks(ENV, "module")["connection_budget"]
    assert call["backend_max_instances"] == "${var.backend_max_instances}"
    assert call["backend_env"] == "${var.backend_env}"
    assert call["db_max_connections"] == "${var.db_max_connections}"
    env = env_default("backend_env")
    assert env["EAILI5_DB_POOL_SIZE"] == "2"
    output = _plan_budget(
        tmp_path, env_default("backend_max_instances"), env, env_default("db_max_connections")
    )
    assert output.startswith("exit 0"), output
    assert "peak_backend_connections = 80" in output  # 10 instances x 2 workers x (2 + 2 overflow)


def test_plan_refuses_pools_that_could_exhaust_the_database(tmp_path: Path) -> None:
    # The app's default pool (10 + 10 overflow) at 10 instances x 2 workers: 400 connections for 100.
    output = _plan_budget(tmp_path, 10, {"EAILI5_WORKERS": "2"}, 100)
    assert not output.startswith("exit 0"), output
    assert "Database connections could run out" in output
    assert "= 400" in output


def test_the_budget_counts_the_pools_the_app_really_opens() -> None:
    """The module assumes the app's defaults and max_overflow = pool size: check them against the app."""
    from eaili5.core.db import create_engine
    from eaili5.core.settings import Settings

    module = (TERRAFORM / "modules" / "connection_budget" / "main.tf").read_text(encoding="utf-8")
    defaults = dict(re.findall(r'lookup\(var\.backend_env, "(\w+)", "(\d+)"\)', module))
    fields = Settings.model_fields
    assert int(defaults["EAILI5_DB_POOL_SIZE"]) == fields["db_pool_size"].default
    assert int(defaults["EAILI5_WORKERS"]) == fields["workers"].default
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url="postgresql://u@127.0.0.1:1/x", db_pool_size=3
    )
    pool: Any = create_engine(settings).sync_engine.pool
    assert (pool.size(), pool._max_overflow) == (3, 3)  # pool + overflow = 2 x pool, as the module counts
