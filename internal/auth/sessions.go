package auth

import (
	"context"

	"carecoord/internal/db"
)

// Sessions live in the sessions table of scs's pgxstore: global, since a
// session begins before any tenant is chosen.

// DeleteExpiredSessions removes the sessions past their expiry. Several
// replicas may sweep at once; the delete is idempotent.
func DeleteExpiredSessions(ctx context.Context, q db.DBTX) error {
	_, err := q.Exec(ctx, "delete from sessions where expiry < now()")
	return err
}
