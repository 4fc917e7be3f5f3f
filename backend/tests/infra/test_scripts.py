"""infra/scripts: strict mode, --help, and rollback.sh choosing the right revision (against a stand-in
gcloud that answers like the real one and records what it was asked to do)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.infra.support import INFRA

SCRIPTS = sorted((INFRA / "scripts").glob("*.sh"))


def test_the_runbook_scripts_exist() -> None:
    assert {p.name for p in SCRIPTS} >= {"rollback.sh", "db-backup.sh", "db-restore.sh", "release.sh"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_strict_mode_and_help(script: Path) -> None:
    assert "\nset -euo pipefail\n" in script.read_text()
    assert os.access(script, os.X_OK)
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "usage" in result.stdout.lower() or script.name in result.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_arguments_is_a_usage_error(script: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REGION")}
    result = subprocess.run(
        [str(script)], capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 2


def _fake_gcloud(
    tmp_path: Path, serving: str, revisions: list[tuple[str, str]]
) -> tuple[dict[str, str], Path]:
    calls = tmp_path / "calls"
    described = {"status": {"traffic": [{"revisionName": serving, "percent": 100}]}}
    (tmp_path / "describe.json").write_text(json.dumps(described))
    # `--format=value(metadata.name,status.conditions[0].status)` prints tab-separated columns, newest first.
    (tmp_path / "revisions.txt").write_text("".join(f"{name}\t{ready}\n" for name, ready in revisions))
    gcloud = tmp_path / "bin" / "gcloud"
    gcloud.parent.mkdir()
    gcloud.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$*" in\n'
        f'  *"services describe"*) cat {tmp_path / "describe.json"} ;;\n'
        f'  *"revisions list"*) cat {tmp_path / "revisions.txt"} ;;\n'
        "esac\n"
    )
    gcloud.chmod(0o755)
    return {**os.environ, "PATH": f"{gcloud.parent}:{os.environ['PATH']}", "REGION": "us-central1"}, calls


def _rollback(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INFRA / "scripts/rollback.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_rollback_goes_to_the_newest_ready_revision_older_than_the_serving_one(tmp_path: Path) -> None:
    revisions = [
        ("svc-5", "True"),
        ("svc-4", "True"),
        ("svc-3", "False"),
        ("svc-2", "True"),
        ("svc-1", "True"),
    ]
    env, calls = _fake_gcloud(tmp_path, serving="svc-4", revisions=revisions)
    result = _rollback(env, "eaili5-base-backend")
    assert result.returncode == 0, result.stderr
    assert "svc-4 -> svc-2" in result.stdout  # svc-5 is newer (a failed release), svc-3 never became ready
    last = calls.read_text().splitlines()[-1]
    assert (
        last
        == "run services update-traffic eaili5-base-backend --region us-central1 --to-revisions svc-2=100"
    )


def test_rollback_to_a_named_revision(tmp_path: Path) -> None:
    env, calls = _fake_gcloud(tmp_path, serving="svc-4", revisions=[])
    assert _rollback(env, "eaili5-base-frontend", "svc-1").returncode == 0
    assert calls.read_text().splitlines()[-1].endswith("--to-revisions svc-1=100")


def test_rollback_with_nothing_older_changes_nothing(tmp_path: Path) -> None:
    env, calls = _fake_gcloud(tmp_path, serving="svc-1", revisions=[("svc-1", "True")])
    result = _rollback(env, "eaili5-base-backend")
    assert result.returncode == 1
    assert "no ready revision older than svc-1" in result.stderr
    assert "update-traffic" not in calls.read_text()
