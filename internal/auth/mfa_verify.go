package auth

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// ErrNoCode is the code form sent empty.
var ErrNoCode = fail.Invalid(map[string]string{"code": "Enter the 6-digit code from your authenticator app, or a recovery code."}, "")

// Verify is the second step of userID's sign-in, once the password was
// right: code is the one the app shows at (each good once) or an unused
// recovery code. A wrong code counts towards the same lock as a wrong
// password, and while the account is locked no code is checked. Every
// attempt is recorded.
func (m *MFA) Verify(ctx context.Context, ip, userID, code string, at time.Time) (User, error) {
	code = normalizeCode(code)
	if code == "" {
		return User{}, ErrNoCode
	}
	var (
		u       User
		refused error
	)
	// A refusal is committed with its count and event, like a wrong
	// password's (see Service.SignIn).
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		var locked bool
		// The row lock serialises concurrent answers of one person, so a
		// code is spent once however many arrive together.
		err := tx.QueryRow(ctx, `
			select `+userColumns+`, coalesce(locked_until > now(), false)
			  from users where id = $1 for update`, userID).
			Scan(&u.ID, &u.Email, &u.Name, &u.PlatformAdmin, &u.Disabled, &u.SessionVersion, &locked)
		if err != nil {
			return db.NotFound(err)
		}
		if u.Disabled {
			refused = ErrInvalidCredentials
			return nil
		}
		action := audit.SignInLocked
		if !locked {
			if action, err = m.spend(ctx, tx, u.ID, code, at); err != nil {
				return err
			}
		}
		if locked || action == audit.MFAFailed {
			if refused = ErrLocked; !locked {
				refused = wrongCode(recordFailure(ctx, tx, u.ID))
			}
		} else if _, err := tx.Exec(ctx, "update users set failed_logins = 0, first_failed_at = null, locked_until = null where id = $1", u.ID); err != nil {
			return err
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: action, IP: ip})
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// wrongCode is what recordFailure's answer means for a code: the lock,
// or a code that didn't work.
func wrongCode(err error) error {
	if errors.Is(err, ErrInvalidCredentials) {
		return ErrWrongCode
	}
	return err
}

// spend uses code if it is good: the app's code for a step later than the
// last one used, or an unused recovery code. It returns the event of what
// happened: audit.MFAVerified, audit.MFARecoveryUsed or audit.MFAFailed.
func (m *MFA) spend(ctx context.Context, tx pgx.Tx, userID, code string, at time.Time) (string, error) {
	if !isTOTPCode(code) {
		tag, err := tx.Exec(ctx, `
			update recovery_codes set used_at = now()
			 where user_id = $1 and code_hash = $2 and used_at is null`, userID, HashToken(code))
		if err != nil || tag.RowsAffected() == 0 {
			return audit.MFAFailed, err
		}
		return audit.MFARecoveryUsed, nil
	}
	secret, confirmed, last, err := m.secret(ctx, tx, userID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !confirmed) {
		return audit.MFAFailed, nil
	}
	if err != nil {
		return "", err
	}
	step, ok := matchingStep(secret, code, at)
	if !ok || step <= last {
		return audit.MFAFailed, nil
	}
	// The condition repeats the check above in the statement itself, so
	// the step is spent once even without the row lock Verify holds.
	tag, err := tx.Exec(ctx, `update user_totp set last_step = $2 where user_id = $1 and last_step < $2`, userID, step)
	if err != nil || tag.RowsAffected() == 0 {
		return audit.MFAFailed, err
	}
	return audit.MFAVerified, nil
}

// MFAStatus is what a person's account page says about their second step.
type MFAStatus struct {
	Enrolled bool
	Since    time.Time
	// CodesLeft is how many recovery codes are unused.
	CodesLeft int
}

// Status is userID's second step as it stands.
func (m *MFA) Status(ctx context.Context, userID string) (MFAStatus, error) {
	var st MFAStatus
	var since *time.Time
	err := m.pool.QueryRow(ctx, `
		select (select confirmed_at from user_totp where user_id = $1),
		       (select count(*) from recovery_codes where user_id = $1 and used_at is null)`, userID).
		Scan(&since, &st.CodesLeft)
	if since != nil {
		st.Enrolled, st.Since = true, *since
	}
	return st, err
}

// ResetMFA removes the user's authenticator app and recovery codes, so
// that they set up a new one at their next sign-in, and ends their
// sessions. It reports whether there was anything to reset; the event is
// recorded in the user's own sign-in history.
func ResetMFA(ctx context.Context, q db.DBTX, userID, ip string) (bool, error) {
	u, err := UserByID(ctx, q, userID)
	if err != nil {
		return false, err
	}
	if _, err := q.Exec(ctx, `delete from recovery_codes where user_id = $1`, userID); err != nil {
		return false, err
	}
	tag, err := q.Exec(ctx, `delete from user_totp where user_id = $1`, userID)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	if err := EndSessions(ctx, q, userID); err != nil {
		return false, err
	}
	return true, audit.RecordAuth(ctx, q, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.MFAReset, IP: ip})
}

// MFAEnrolled reports whether the user has an authenticator app set up.
func MFAEnrolled(ctx context.Context, q db.DBTX, userID string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `select exists (select 1 from user_totp where user_id = $1 and confirmed_at is not null)`, userID).Scan(&ok)
	return ok, err
}
