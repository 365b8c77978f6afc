package auth

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// ResetValidFor is how long a password-reset link works: long enough to be
// passed on and used, short enough that a forgotten one is soon worthless.
const ResetValidFor = time.Hour

// ErrLinkExpired means a link was real but is no longer valid: used,
// replaced or out of date.
var ErrLinkExpired = fail.Precondition("This password-reset link was used already or has expired: each link works once, for one hour. Ask your administrator for a new one.")

// CreateReset makes a single-use password-reset link for the user and
// returns its token. Older links of the user stop working.
func CreateReset(ctx context.Context, q db.DBTX, userID, createdBy string) (string, error) {
	if _, err := q.Exec(ctx, "update password_resets set used_at = now() where user_id = $1 and used_at is null", userID); err != nil {
		return "", err
	}
	token, hash := NewToken()
	_, err := q.Exec(ctx, `
		insert into password_resets (user_id, token_hash, created_by, expires_at)
		values ($1, $2, nullif($3, '')::uuid, now() + make_interval(secs => $4))`,
		userID, hash, createdBy, ResetValidFor.Seconds())
	return token, err
}

// ResetUser returns the user a reset token belongs to: ErrNotFound for a
// token that never existed, ErrLinkExpired for one used or out of date.
func ResetUser(ctx context.Context, q db.DBTX, token string) (User, error) {
	var (
		u     User
		valid bool
	)
	err := q.QueryRow(ctx, `
		select u.id, u.email, u.name, u.platform_admin, u.disabled, u.session_version,
		       r.used_at is null and r.expires_at > now() and not u.disabled
		  from password_resets r join users u on u.id = r.user_id
		 where r.token_hash = $1`, HashToken(token)).
		Scan(&u.ID, &u.Email, &u.Name, &u.PlatformAdmin, &u.Disabled, &u.SessionVersion, &valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, db.ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	if !valid {
		return User{}, ErrLinkExpired
	}
	return u, nil
}

// UseReset sets the password of the token's user and spends the token, in
// one step: of two concurrent uses only one succeeds. Every session of the
// user ends.
func UseReset(ctx context.Context, q db.DBTX, token, password string) (User, error) {
	var userID string
	err := q.QueryRow(ctx, `
		update password_resets r set used_at = now()
		  from users u
		 where r.token_hash = $1 and u.id = r.user_id
		   and r.used_at is null and r.expires_at > now() and not u.disabled
		returning r.user_id`, HashToken(token)).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrLinkExpired
	}
	if err != nil {
		return User{}, err
	}
	if _, err := SetPassword(ctx, q, userID, password); err != nil {
		return User{}, err
	}
	return UserByID(ctx, q, userID)
}
