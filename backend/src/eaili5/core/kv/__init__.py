"""KV layer: pick the implementation once, from settings."""

from eaili5.core.kv.base import KV, KV_UNAVAILABLE, Lock, MessageHandler, RateLimitResult
from eaili5.core.settings import Settings


def create_kv(settings: Settings) -> KV:
    if settings.redis_url:
        from eaili5.core.kv.redis import RedisKV

        return RedisKV(
            settings.redis_url, prefix=settings.kv_prefix, max_connections=settings.redis_max_connections
        )
    from eaili5.core.kv.memory import MemoryKV

    return MemoryKV(prefix=settings.kv_prefix)


__all__ = ["KV", "KV_UNAVAILABLE", "Lock", "MessageHandler", "RateLimitResult", "create_kv"]
