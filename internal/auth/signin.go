package auth

import (
	"context"
	"errors"

	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// Sign-in throttling: this many failures within the window lock the account
// for the lock duration. The numbers live in SQL below, in one statement, so
// that concurrent attempts on several app replicas count correctly.
const (
	MaxFailedSignIns = 5
	LockMinutes      = 15
)

var (
	// ErrInvalidCredentials covers an unknown email, a wrong password and a
	// disabled account alike, so that the answer reveals nothing about which.
	ErrInvalidCredentials = fail.Invalid(nil, "That email and password don't match an account. Check them and try again.")
	// ErrLocked means too many recent failures; the password is not checked.
	ErrLocked = fail.Precondition("Too many unsuccessful attempts. For safety this account is locked for 15 minutes; try again after that, or ask your administrator.")
)

// timingHash is checked against when the email is unknown, so that an unknown
// email takes as long to refuse as a wrong password. Its password is unknown.
const timingHash = "$argon2id$v=19$m=19456,t=2,p=1$7bqoX1PMxgbjjAnpBl6ZNw$P9oWG+NSKW7TIUjaQmBv1Y7yPTdS5SIHmaCe4bNRZzg"

// SignIn checks an email and password. Each failure on a known account counts
// towards its lock; success clears the count.
func SignIn(ctx context.Context, q db.DBTX, email, password string) (User, error) {
	var (
		u      User
		hash   string
		locked bool
	)
	err := q.QueryRow(ctx, `
		select `+userColumns+`, password_hash, coalesce(locked_until > now(), false)
		  from users where email = $1`, NormalizeEmail(email)).
		Scan(&u.ID, &u.Email, &u.Name, &u.PlatformAdmin, &u.Disabled, &u.SessionVersion, &hash, &locked)
	if errors.Is(err, pgx.ErrNoRows) {
		_, _ = CheckPassword(timingHash, password)
		return User{}, ErrInvalidCredentials
	}
	if err != nil {
		return User{}, err
	}
	if locked {
		return User{}, ErrLocked
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, recordFailure(ctx, q, u.ID)
	}
	if u.Disabled {
		return User{}, ErrInvalidCredentials
	}
	// With an authenticator app the count is cleared only by the right
	// code (MFA.Verify): otherwise the password, once known, would reset
	// the count of wrong codes between guesses.
	_, err = q.Exec(ctx, `
		update users set failed_logins = 0, first_failed_at = null, locked_until = null
		 where id = $1 and not exists (select 1 from user_totp where user_id = $1 and confirmed_at is not null)`, u.ID)
	return u, err
}

// recordFailure counts a failed attempt in a sliding window that starts at
// the first failure, and locks the account when the count reaches the limit.
// It returns the error the caller should report.
func recordFailure(ctx context.Context, q db.DBTX, userID string) error {
	var nowLocked bool
	// One UPDATE with no prior read: every expression sees the row as it
	// is once the row lock is held, so concurrent failures all count. (A
	// CTE that reads the row first would see a stale count.)
	const fresh = "(first_failed_at is null or first_failed_at <= now() - interval '15 minutes')"
	const failures = "(case when " + fresh + " then 1 else failed_logins + 1 end)"
	err := q.QueryRow(ctx, `
		update users set
		    failed_logins   = `+failures+`,
		    first_failed_at = case when `+fresh+` then now() else first_failed_at end,
		    locked_until    = case when `+failures+` >= $2 then now() + interval '15 minutes' else locked_until end
		 where id = $1
		returning coalesce(locked_until > now(), false)`, userID, MaxFailedSignIns).Scan(&nowLocked)
	if err != nil {
		return err
	}
	if nowLocked {
		return ErrLocked
	}
	return ErrInvalidCredentials
}
