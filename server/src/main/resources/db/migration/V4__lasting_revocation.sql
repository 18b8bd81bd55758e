-- Revocation is a stored fact, not a comparison with the clock: a clock stepped back must not
-- revive a revoked token. A rotation's grace period still ends by the clock; once it has ended and
-- been published on the feed, the old token is marked revoked too.
ALTER TABLE token ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
UPDATE token SET revoked = 1
WHERE revoke_time IS NOT NULL AND id NOT IN (SELECT token_id FROM pending_revocation);
