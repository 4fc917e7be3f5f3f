"""An instance dies (SIGKILL) while writing a tutor reply: the client resumes on another instance,
gets every frame that was written, then a clear `interrupted` end instead of waiting forever."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eaili5.core.db import Database, create_engine
from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.servers import ThrowawayRedis, free_port
from tests.conftest import make_settings
from tests.tutor.loopback_llm import LoopbackLLM
from tests.tutor.test_resume import _wait_ready, new_token, resume, slow_answer, start_reply

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(240)]
# How long a resumed stream waits for the next frame before calling the reply interrupted.
REPLY_TIMEOUT_SECONDS = 3


@pytest.fixture
def two_instances(
    chaos_database_url: str, chaos_redis: ThrowawayRedis, llm: LoopbackLLM
) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    env = {
        **os.environ,
        "DATABASE_URL": chaos_database_url,
        "REDIS_URL": chaos_redis.url,
        "EAILI5_ENVIRONMENT": "test",
        "EAILI5_FRONTEND_DIST": "/nonexistent",
        "EAILI5_LOG_LEVEL": "WARNING",
        "EAILI5_TUTOR_MODEL_TIMEOUT_SECONDS": str(REPLY_TIMEOUT_SECONDS),
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-loopback",
        "OPENAI_MODEL": "loopback-model",
    }
    instances = []
    for n in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "eaili5.cli", "serve", "--port", str(port)],
            env={**env, "EAILI5_INSTANCE_ID": f"chaos-{n}"},
            cwd=Path(__file__).parents[2],
        )
        instances.append((f"127.0.0.1:{port}", process))
    try:
        for address, process in instances:
            _wait_ready(int(address.rsplit(":", 1)[1]), process)
        yield instances
    finally:
        for _, process in instances:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


async def test_reply_resumes_on_another_instance_after_the_writer_dies(
    two_instances: list[tuple[str, subprocess.Popen[bytes]]], llm: LoopbackLLM, chaos_database_url: str
) -> None:
    (a, writer), (b, _) = two_instances
    llm.enqueue(slow_answer(pieces=200, pause=0.05))  # ~10 s of reply: it is cut well before the end
    token = await new_token(f"http://{a}")
    before = await start_reply(f"ws://{a}/ws", token, frames_before_leaving=3)
    writer.kill()  # no shutdown hooks: like a crashed or evicted instance
    writer.wait(timeout=10)
    rest = await resume(f"ws://{b}/ws", token, before[0]["message_id"], offset=len(before))
    numbered = before + [frame for frame in rest if "offset" in frame]
    assert [frame["offset"] for frame in numbered] == list(range(len(numbered))), (
        "a frame was lost or repeated"
    )
    assert rest[-1]["type"] == "chat.error" and rest[-1]["code"] == "interrupted", rest[-1]
    assert "Ask again" in rest[-1]["detail"]
    database = Database(create_engine(make_settings(database_url=chaos_database_url)))
    try:
        await assert_ledger_reconciles(database)
    finally:
        await database.dispose()
