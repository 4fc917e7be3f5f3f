"""Farcaster Quick Auth sign-in: a verified FID is linked to the caller, or signs a guest in to its account.

What a person expects decides the rules. A verified Quick Auth token proves the caller controls the FID,
as a SIWE signature proves control of a wallet, so it is treated the same way:

- FID linked to nobody, caller has no FID (guest or wallet user): linked to the caller;
- FID linked to nobody, caller has another FID: 409 `other_fid_linked`;
- FID linked to the caller: nothing changes (signed in again);
- FID linked to another user, caller a guest without wallet or FID: the guest merges into that user,
  exactly as a guest signing in with a known wallet does (merge.py);
- FID linked to another user, caller a wallet user or another FID's user: 409 `fid_linked_elsewhere`.

So opening the mini app on a second device (a fresh guest there) lands the person in their account with
whatever they did as that guest, while two accounts that both carry an identity are never joined behind
the person's back. Every success rotates the session token (method `farcaster`), like wallet sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.auth import merge
from eaili5.auth.errors import FarcasterConflict
from eaili5.auth.quick_auth import QuickAuthVerifier
from eaili5.auth.service import Principal, SessionService
from eaili5.core.errors import Conflict, NotFound
from eaili5.models import User


@dataclass(frozen=True, slots=True)
class FarcasterResult:
    token: str
    expires_at: datetime
    user: User
    fid: int
    linked: bool
    merged_guest: bool


class FarcasterSignIn:
    def __init__(self, verifier: QuickAuthVerifier, sessions: SessionService) -> None:
        self.verifier = verifier
        self.sessions = sessions

    async def sign_in(
        self,
        db: AsyncSession,
        principal: Principal,
        old_token: str,
        quick_auth_token: str,
        user_agent: str | None,
    ) -> FarcasterResult:
        # Verified before any write: a refused token changes nothing.
        identity = await self.verifier.verify(quick_auth_token)
        fid = identity.fid
        caller = await db.get(User, principal.user_id)
        if caller is None or not await merge.lock_user(db, caller.id):
            raise NotFound("This user no longer exists.")
        owner = await db.scalar(select(User).where(User.farcaster_fid == fid))
        target, linked, merged = await self._decide(db, caller, owner, fid)
        try:
            await db.flush()
        except IntegrityError:
            raise Conflict(
                "This Farcaster account is signing in somewhere else right now. Please try again."
            ) from None
        token, expires_at = await self.sessions.rotate(
            db, principal, old_token, target.id, {"method": "farcaster", "fid": fid}, user_agent
        )
        await db.refresh(target)
        return FarcasterResult(token, expires_at, target, fid, linked, merged)

    async def _decide(
        self, db: AsyncSession, caller: User, owner: User | None, fid: int
    ) -> tuple[User, bool, bool]:
        """(the user signed in afterwards, FID newly linked, guest merged) — see the module's table."""
        if owner is None:
            if caller.farcaster_fid is not None and caller.farcaster_fid != fid:
                raise FarcasterConflict(
                    "other_fid_linked",
                    f"This account is already linked to Farcaster ID {caller.farcaster_fid}.",
                )
            caller.farcaster_fid = fid
            return caller, True, False
        if owner.id == caller.id:
            return caller, False, False
        if caller.wallet_address is None and caller.farcaster_fid is None:
            await merge.lock_user(db, owner.id)
            await merge.merge_guest_into(db, caller.id, owner.id)
            return owner, False, True
        raise FarcasterConflict(
            "fid_linked_elsewhere",
            "This Farcaster account is linked to another EAILI5 account. Sign out, then open the app "
            "from Farcaster again to use that account.",
        )
