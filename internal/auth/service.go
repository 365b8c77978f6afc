package auth

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the use cases of a person's own account: signing in and out,
// changing the password, and choosing one from a reset link. Each records
// its sign-in event (audit.AuthEvent, from the request's address ip) in
// the transaction of what it changes. They happen before any tenant is
// chosen, so they take no tenants.Actor.
type Service struct {
	pool *pgxpool.Pool
	// worksSomewhere reports whether a user has an organisation to work
	// in now. Memberships belong to internal/tenants, which builds on this
	// package, so the server hands its rule in.
	worksSomewhere func(ctx context.Context, q db.DBTX, userID string) (bool, error)
}

// NewService is the account use cases over pool; worksSomewhere is
// tenants.HasActiveTenant.
func NewService(pool *pgxpool.Pool, worksSomewhere func(ctx context.Context, q db.DBTX, userID string) (bool, error)) *Service {
	return &Service{pool: pool, worksSomewhere: worksSomewhere}
}

// ErrNoOrganisation means the password was right but the account has no
// active membership in an active organisation: deactivated everywhere, or
// its only organisation suspended.
var ErrNoOrganisation = fail.Precondition("Your account is not active in any organisation at the moment, so you can't sign in. " +
	"If you think this is a mistake, ask your organisation's administrator.")

// SignInForm is the sign-in form as typed.
type SignInForm struct {
	Email    string
	Password string
}

// ParseSignInForm reads a posted sign-in form.
func ParseSignInForm(v url.Values) SignInForm {
	return SignInForm{Email: strings.TrimSpace(v.Get("email")), Password: v.Get("password")}
}

// SignIn checks the email and password (throttled: see the function
// SignIn) and records the attempt, whatever comes of it. A right password
// is still refused (ErrNoOrganisation) when the account has nowhere to
// work, unless it is a platform administrator's.
func (s *Service) SignIn(ctx context.Context, ip string, f SignInForm) (User, error) {
	errs := forms.Errors{}
	errs.Required("email", f.Email, "Enter your email address.")
	if f.Password == "" {
		errs.Add("password", "Enter your password.")
	}
	if len(errs) > 0 {
		return User{}, fail.Invalid(errs, "")
	}
	var (
		u       User
		refused error
	)
	// A refusal is the outcome, not a failure of the transaction: the
	// failed attempt's count and its event are committed with it.
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		u, refused = SignIn(ctx, tx, f.Email, f.Password)
		action := FailedAction(refused)
		if action == "" && refused != nil {
			return refused
		}
		if action == "" {
			action = audit.SignIn
			works := u.PlatformAdmin
			if !works {
				if works, err = s.worksSomewhere(ctx, tx, u.ID); err != nil {
					return err
				}
			}
			if !works {
				action, refused = audit.SignInRefused, ErrNoOrganisation
			}
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: NormalizeEmail(f.Email), Action: action, IP: ip})
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// FailedAction is the auth event of a password check that SignIn refused
// (audit.SignInFailed or audit.SignInLocked), or "" when err is no
// refusal: nil, or a failure of the database.
func FailedAction(err error) string {
	switch {
	case errors.Is(err, ErrLocked):
		return audit.SignInLocked
	case errors.Is(err, ErrInvalidCredentials):
		return audit.SignInFailed
	}
	return ""
}

// SignOut records that u signed out.
func (s *Service) SignOut(ctx context.Context, ip string, u User) error {
	return audit.RecordAuth(ctx, s.pool, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignOut, IP: ip})
}

// PasswordForm is a new password as typed, twice, and the current one
// when a signed-in person changes theirs.
type PasswordForm struct {
	Current string
	New     string
	Confirm string
}

// ParsePasswordForm reads a posted password form.
func ParsePasswordForm(v url.Values) PasswordForm {
	return PasswordForm{Current: v.Get("current_password"), New: v.Get("new_password"), Confirm: v.Get("confirm_password")}
}

// ChangePassword gives u the new password once the current one is
// confirmed, and returns u with the session version that ends every
// other session. The current password is checked like a sign-in, so
// guesses from an unattended session count towards the account's lock.
func (s *Service) ChangePassword(ctx context.Context, ip string, u User, f PasswordForm) (User, error) {
	errs := forms.Errors{}
	if f.Current == "" {
		errs.Add("current_password", "Enter your current password.")
	}
	CheckNewPasswords(errs, f.New, f.Confirm, u.Email)
	if len(errs) > 0 {
		return u, fail.Invalid(errs, "")
	}
	var refused error
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, refused = SignIn(ctx, tx, u.Email, f.Current)
		switch FailedAction(refused) {
		case audit.SignInLocked:
			refused = ErrLocked.Because("Too many wrong passwords. For safety this account is locked for 15 minutes.")
		case audit.SignInFailed:
			refused = ErrInvalidCredentials.WithFields(map[string]string{"current_password": "That is not your current password."})
		default:
			if refused != nil {
				return refused
			}
			version, err := SetPassword(ctx, tx, u.ID, f.New)
			if err != nil {
				return err
			}
			u.SessionVersion = version
			return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.PasswordChanged, IP: ip})
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignInFailed, IP: ip})
	})
	if err == nil {
		err = refused
	}
	return u, err
}

// ResetLink is the user a password-reset link is for: db.ErrNotFound for
// a token that never existed, ErrLinkExpired for one used or out of date.
func (s *Service) ResetLink(ctx context.Context, token string) (User, error) {
	return ResetUser(ctx, s.pool, token)
}

// ResetPassword sets the password of the link's user and spends the link,
// ending every session of the user; the person then signs in with it.
func (s *Service) ResetPassword(ctx context.Context, ip, token string, f PasswordForm) error {
	u, err := ResetUser(ctx, s.pool, token)
	if err != nil {
		return err
	}
	errs := forms.Errors{}
	CheckNewPasswords(errs, f.New, f.Confirm, u.Email)
	if len(errs) > 0 {
		return fail.Invalid(errs, "")
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := UseReset(ctx, tx, token, f.New); err != nil {
			return err
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.PasswordReset, IP: ip})
	})
	if errors.Is(err, db.ErrNotFound) {
		// The link's user went away while the form was open.
		return ErrLinkExpired
	}
	return err
}
