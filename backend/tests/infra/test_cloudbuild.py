"""infra/cloudbuild/*.yaml parse, use only images, scripts, files and substitutions that exist, deploy the
services Terraform creates, and keep the release order; release.sh keeps the old revision on failure."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.support import REPO, terraform_files

BUILDS = {
    "backend": REPO / "infra/cloudbuild/backend.yaml",
    "frontend": REPO / "infra/cloudbuild/frontend.yaml",
}
# Cloud Build's own substitutions (https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values).
BUILT_IN = {
    "PROJECT_ID",
    "PROJECT_NUMBER",
    "BUILD_ID",
    "LOCATION",
    "COMMIT_SHA",
    "SHORT_SHA",
    "REPO_NAME",
    "BRANCH_NAME",
}
CLOUD_SDK = "gcr.io/google.com/cloudsdktool/cloud-sdk:slim"
DOCKER = "gcr.io/cloud-builders/docker"
ORDER = {
    "backend": [
        "commit",
        "test",
        "build",
        "push",
        "migrate",
        "deploy-no-traffic",
        "health-check",
        "canary",
        "promote",
    ],
    "frontend": ["commit", "test", "build", "push", "deploy-no-traffic", "health-check", "canary", "promote"],
}


def load(service: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(BUILDS[service].read_text())
    return document


def steps(service: str) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in load(service)["steps"]}


def _from_images(dockerfile: Path) -> list[str]:
    return re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), flags=re.MULTILINE)


def _terraform_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in terraform_files()["modules/cloud_run/main.tf"]["resource"]:
        for kind, bodies in entry.items():
            for key, body in bodies.items():
                if kind.startswith("google_cloud_run_v2_"):
                    names[key] = body["name"]
    return names


@pytest.mark.parametrize("service", BUILDS)
def test_substitutions_are_defined_and_used(service: str) -> None:
    # Comments are not substituted; everything else is.
    text = "\n".join(
        line for line in BUILDS[service].read_text().splitlines() if not line.lstrip().startswith("#")
    )
    defined = set(load(service)["substitutions"])
    assert all(name.startswith("_") for name in defined)
    # Every `$` is `$$` (a literal) or a substitution: `$NAME`, `${NAME}` or `${NAME:offset:length}`.
    used: set[str] = set()
    for match in re.finditer(r"\$(\$|\{(\w+)(?::\d+:\d+)?\}|(\w+))", text):
        if match.group(1) != "$":
            used.add(match.group(2) or match.group(3))
    stray = re.findall(r"\$(?![\${\w])", text.replace("$$", ""))
    assert not stray, "a lone $ would be read as a substitution"
    assert used - BUILT_IN <= defined, f"undefined substitutions {sorted(used - BUILT_IN - defined)}"
    assert defined <= used, f"defined but unused {sorted(defined - used)}"
    assert load(service)["options"]["dynamicSubstitutions"] is True  # ${_COMMIT_SHA:0:7} needs it


@pytest.mark.parametrize("service", BUILDS)
def test_images_scripts_and_files_exist(service: str) -> None:
    dockerfile = REPO / service / "Dockerfile"
    allowed = {CLOUD_SDK, DOCKER, *(_from_images(dockerfile)[:1])}
    for step in load(service)["steps"]:
        assert step["name"] in allowed, f"{step['id']} uses {step['name']}"
        if "dir" in step:
            assert (REPO / step["dir"]).is_dir()
        for arg in step.get("args", []):
            for script in re.findall(r"infra/scripts/[\w.-]+", str(arg)):
                path = REPO / script
                assert path.is_file() and path.stat().st_mode & stat.S_IXUSR, script
            for lock in re.findall(r"-r ([\w./-]+)", str(arg)):
                assert (REPO / step.get("dir", ".") / lock).is_file(), lock
            if str(arg).startswith("--file="):
                assert (REPO / str(arg).removeprefix("--file=")).resolve() == dockerfile
    build = steps(service)["build"]
    assert build["args"][-1] == service  # the Dockerfile's context
    if service == "frontend":
        scripts = json.loads((REPO / "frontend/package.json").read_text())["scripts"]
        for command in re.findall(r"npm run ([\w:]+)", steps(service)["test"]["args"][-1]):
            assert command in scripts, command


@pytest.mark.parametrize("service", BUILDS)
def test_release_order_and_safety(service: str) -> None:
    assert list(steps(service)) == ORDER[service]
    by_id = steps(service)
    deploy = by_id["deploy-no-traffic"]["args"][-1]
    assert "--no-traffic" in deploy and '--tag "c-${_COMMIT_SHA:0:7}"' in deploy
    assert "${_REPOSITORY}/" + service + ":${_COMMIT_SHA}" in deploy
    if service == "backend":  # the app container, not the metrics sidecar, gets the new image
        assert "--container app --image ${_REPOSITORY}/backend:${_COMMIT_SHA}" in deploy
        app = terraform_files()["modules/cloud_run/main.tf"]["resource"][0]["google_cloud_run_v2_service"][
            "backend"
        ]
        assert app["template"][0]["containers"][0]["name"] == "app"
    build = by_id["build"]["args"]
    assert f"--tag=${{_REPOSITORY}}/{service}:${{_COMMIT_SHA}}" in build
    assert f"--tag=${{_REPOSITORY}}/{service}:latest" in build
    assert by_id["push"]["args"] == ["push", "--all-tags", f"${{_REPOSITORY}}/{service}"]
    path = "/readyz" if service == "backend" else "/healthz"
    assert by_id["health-check"]["args"][1:] == ["check", "${_SERVICE}", "c-${_COMMIT_SHA:0:7}", path]
    assert any(e.startswith("DEADLINE_SECONDS=") for e in by_id["health-check"]["env"])
    assert by_id["canary"]["args"][1] == "canary" and by_id["promote"]["args"][1] == "promote"
    substitutions = load(service)["substitutions"]
    assert 0 < int(substitutions["_CANARY_PERCENT"]) < 100


def test_names_match_terraform() -> None:
    names = _terraform_names()
    assert load("backend")["substitutions"]["_SERVICE"] == names["backend"]
    assert load("frontend")["substitutions"]["_SERVICE"] == names["frontend"]
    assert load("backend")["substitutions"]["_MIGRATE_JOB"] == names["migrate"]
    migrate = steps("backend")["migrate"]["args"][-1]
    assert (
        "gcloud run jobs update ${_MIGRATE_JOB}" in migrate
        and "--image ${_REPOSITORY}/backend:${_COMMIT_SHA}" in migrate
    )
    assert "gcloud run jobs execute ${_MIGRATE_JOB}" in migrate and "--wait" in migrate
    for entry in terraform_files()["modules/registry/main.tf"]["resource"]:
        repository_id = entry["google_artifact_registry_repository"]["images"]["repository_id"]
    for service in BUILDS:
        repository = load(service)["substitutions"]["_REPOSITORY"]
        assert re.fullmatch(rf"[a-z0-9-]+-docker\.pkg\.dev/\$\{{PROJECT_ID\}}/{repository_id}", repository)
        assert load(service)["substitutions"]["_REGION"] in repository


def test_test_steps_match_the_build_images() -> None:
    assert steps("backend")["test"]["name"] == _from_images(REPO / "backend/Dockerfile")[0]
    assert steps("frontend")["test"]["name"] == _from_images(REPO / "frontend/Dockerfile")[0]


# --- release.sh against a fake gcloud and a real loopback "revision" ------------------------------
class _Revision(BaseHTTPRequestHandler):
    healthy = True

    def do_GET(self) -> None:
        self.send_response(200 if type(self).healthy else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def revision() -> Iterator[tuple[str, type[_Revision]]]:
    handler = type("Revision", (_Revision,), {"healthy": True})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _fake_gcloud(tmp_path: Path, tagged_url: str) -> tuple[dict[str, str], Path]:
    """A stand-in gcloud: `run services describe` answers a traffic split, every call is recorded."""
    calls = tmp_path / "calls"
    described = {
        "status": {
            "traffic": [
                {"revisionName": "svc-00001-old", "percent": 100},
                {"revisionName": "svc-00002-new", "tag": "c-abc1234", "url": tagged_url},
            ]
        }
    }
    (tmp_path / "describe.json").write_text(json.dumps(described))
    gcloud = tmp_path / "bin" / "gcloud"
    gcloud.parent.mkdir()
    gcloud.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        f'case "$*" in *"services describe"*) cat {tmp_path / "describe.json"} ;; esac\n'
    )
    gcloud.chmod(0o755)
    env = {**os.environ, "PATH": f"{gcloud.parent}:{os.environ['PATH']}", "REGION": "us-central1"}
    return env, calls


def _release(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / "infra/scripts/release.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_release_check_passes_for_a_healthy_tagged_revision(tmp_path: Path, revision: Any) -> None:
    url, _ = revision
    env, calls = _fake_gcloud(tmp_path, url)
    result = _release(env, "check", "svc", "c-abc1234", "/readyz")
    assert result.returncode == 0, result.stderr
    assert "update-traffic" not in calls.read_text()


def test_release_check_fails_within_its_deadline_and_moves_no_traffic(tmp_path: Path, revision: Any) -> None:
    url, handler = revision
    handler.healthy = False
    env, calls = _fake_gcloud(tmp_path, url)
    result = _release({**env, "DEADLINE_SECONDS": "1"}, "check", "svc", "c-abc1234", "/readyz")
    assert result.returncode == 1
    assert "traffic unchanged" in result.stderr
    assert "update-traffic" not in calls.read_text()


def test_release_canary_failure_restores_the_previous_split(tmp_path: Path, revision: Any) -> None:
    url, handler = revision
    handler.healthy = False
    env, calls = _fake_gcloud(tmp_path, url)
    result = _release(
        {**env, "CANARY_PERCENT": "10", "CANARY_SECONDS": "5"}, "canary", "svc", "c-abc1234", "/readyz"
    )
    assert result.returncode == 1
    recorded = calls.read_text().splitlines()
    traffic = [line for line in recorded if "update-traffic" in line]
    assert traffic[0].endswith("--to-tags c-abc1234=10")
    assert traffic[1].endswith("--to-revisions svc-00001-old=100")


def test_release_canary_then_promote(tmp_path: Path, revision: Any) -> None:
    url, _ = revision
    env, calls = _fake_gcloud(tmp_path, url)
    assert _release({**env, "CANARY_SECONDS": "1"}, "canary", "svc", "c-abc1234", "/readyz").returncode == 0
    assert _release(env, "promote", "svc", "c-abc1234").returncode == 0
    traffic = [line for line in calls.read_text().splitlines() if "update-traffic" in line]
    assert [line.rsplit(" ", 1)[-1] for line in traffic] == ["c-abc1234=10", "c-abc1234=100"]
