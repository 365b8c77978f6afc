package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-step sign-in (issue 21): after the right password, a person with an
// authenticator app enters the 6-digit code it shows (TOTP, RFC 6238), or
// one of their recovery codes. Platform administrators always need it; an
// organisation may require it of all its members (tenants.Settings).

// MFA is the use cases of the second step: enrolling an authenticator,
// answering with a code, and the state an account is in.
type MFA struct {
	pool *pgxpool.Pool
	box  *SecretBox
	// requiredBy reports whether an organisation the user works in
	// requires the second step. Settings belong to internal/tenants,
	// which builds on this package, so the server hands its rule in.
	requiredBy func(ctx context.Context, q db.DBTX, userID string) (bool, error)
}

// NewMFA is the second step's use cases over pool, sealing secrets with
// box; requiredBy is tenants.RequiresMFA.
func NewMFA(pool *pgxpool.Pool, box *SecretBox, requiredBy func(ctx context.Context, q db.DBTX, userID string) (bool, error)) *MFA {
	return &MFA{pool: pool, box: box, requiredBy: requiredBy}
}

// Step is what a person whose password was right must still do.
type Step int

const (
	// StepNone: nothing; they are signed in.
	StepNone Step = iota
	// StepCode: enter a code from their authenticator app.
	StepCode
	// StepEnrol: set up an authenticator app first (they must have one
	// and have none yet).
	StepEnrol
)

// The codes: 6 digits, a new one every 30 seconds, and the one before and
// after also accepted, for a phone's clock a little off.
const (
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodes is how many recovery codes an enrolment gives.
	RecoveryCodes = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var (
	// ErrWrongCode is a code that is not the app's current one, a code
	// already used, or an unknown recovery code: the answer does not say
	// which.
	ErrWrongCode = fail.Invalid(map[string]string{"code": "That code didn't work. Enter the 6-digit code your app shows now, or one of your recovery codes."},
		"That code didn't work.")
	// ErrEnrolCode is a wrong first code while setting up the app.
	ErrEnrolCode = fail.Invalid(map[string]string{"code": "That code doesn't match. Check the app shows CareCoord and enter the 6-digit code it shows now."},
		"That code doesn't match.")
	// ErrAlreadyEnrolled: the account has an authenticator app already;
	// an administrator resets it before another is set up.
	ErrAlreadyEnrolled = fail.Precondition("Your account already has an authenticator app. To move to another, ask your administrator to reset two-step sign-in.")
	// ErrNoEnrolment: there is no enrolment waiting for its first code.
	ErrNoEnrolment = fail.Precondition("Start setting up your authenticator app again: the set-up you had open has ended.")
)

// AfterPassword is the step u must still take. A person who must enrol
// and has not started is given a new secret here, so that the page that
// shows it only reads.
func (m *MFA) AfterPassword(ctx context.Context, u User) (Step, error) {
	var step Step
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		var confirmed, pending bool
		err := tx.QueryRow(ctx, `
			select coalesce(bool_or(confirmed_at is not null), false), coalesce(bool_or(confirmed_at is null), false)
			  from user_totp where user_id = $1`, u.ID).Scan(&confirmed, &pending)
		if err != nil || confirmed {
			step = StepCode
			return err
		}
		required := u.PlatformAdmin
		if !required {
			if required, err = m.requiredBy(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		if !required {
			return nil
		}
		step = StepEnrol
		if pending {
			return nil
		}
		_, err = m.begin(ctx, tx, u)
		return err
	})
	return step, err
}

// Enrolment is an authenticator app being set up: its secret as text, to
// type in, and as a QR code to scan (a data: URI of a PNG).
type Enrolment struct {
	Secret string
	QR     string
}

// Begin starts setting up an authenticator app for u with a new secret,
// replacing one not yet confirmed.
func (m *MFA) Begin(ctx context.Context, u User) error {
	return pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		_, err := m.begin(ctx, tx, u)
		return err
	})
}

func (m *MFA) begin(ctx context.Context, tx pgx.Tx, u User) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "CareCoord", AccountName: u.Email})
	if err != nil {
		return "", err
	}
	tag, err := tx.Exec(ctx, `
		insert into user_totp (user_id, secret) values ($1, $2)
		on conflict (user_id) do update set secret = excluded.secret, created_at = now(), last_step = 0
		 where user_totp.confirmed_at is null`, u.ID, m.box.seal(u.ID, key.Secret()))
	if err == nil && tag.RowsAffected() == 0 {
		return "", ErrAlreadyEnrolled
	}
	return key.Secret(), err
}

// Pending is u's enrolment waiting for its first code: ErrNoEnrolment if
// none is, ErrAlreadyEnrolled if the app is set up.
func (m *MFA) Pending(ctx context.Context, u User) (Enrolment, error) {
	secret, confirmed, _, err := m.secret(ctx, m.pool, u.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return Enrolment{}, ErrNoEnrolment
	case err != nil:
		return Enrolment{}, err
	case confirmed:
		return Enrolment{}, ErrAlreadyEnrolled
	}
	return enrolmentOf(u, secret)
}

// enrolmentOf is the secret as text and as a QR code of its otpauth:// URL.
func enrolmentOf(u User, secret string) (Enrolment, error) {
	q := url.Values{"secret": {secret}, "issuer": {"CareCoord"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	key, err := otp.NewKeyFromURL("otpauth://totp/" + url.PathEscape("CareCoord:"+u.Email) + "?" + q.Encode())
	if err != nil {
		return Enrolment{}, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: secret, QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())}, nil
}

// secret is the user's authenticator secret, whether it is confirmed, and
// the last step whose code was used.
func (m *MFA) secret(ctx context.Context, q db.DBTX, userID string) (secret string, confirmed bool, lastStep int64, err error) {
	var sealed []byte
	err = q.QueryRow(ctx, `select secret, confirmed_at is not null, last_step from user_totp where user_id = $1`, userID).
		Scan(&sealed, &confirmed, &lastStep)
	if err != nil {
		return "", false, 0, db.NotFound(err)
	}
	secret, err = m.box.open(userID, sealed)
	return secret, confirmed, lastStep, err
}

// Confirm finishes setting up u's authenticator app once code is the
// one it shows at, and returns the recovery codes, shown this once.
func (m *MFA) Confirm(ctx context.Context, ip string, u User, code string, at time.Time) ([]string, error) {
	code = normalizeCode(code)
	var codes []string
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		secret, confirmed, _, err := m.secret(ctx, tx, u.ID)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return ErrNoEnrolment
		case err != nil:
			return err
		case confirmed:
			return ErrAlreadyEnrolled
		}
		step, ok := matchingStep(secret, code, at)
		if !ok {
			return ErrEnrolCode
		}
		if _, err := tx.Exec(ctx, `update user_totp set confirmed_at = now(), last_step = $2 where user_id = $1`, u.ID, step); err != nil {
			return err
		}
		if codes, err = newRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.MFAEnrolled, IP: ip})
	})
	return codes, err
}

// matchingStep is the 30-second step within the skew whose code is code.
func matchingStep(secret, code string, at time.Time) (int64, bool) {
	now := at.Unix() / totpPeriod
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// newRecoveryCodes replaces the user's recovery codes with fresh ones and
// returns them; only their hashes are kept.
func newRecoveryCodes(ctx context.Context, q db.DBTX, userID string) ([]string, error) {
	if _, err := q.Exec(ctx, `delete from recovery_codes where user_id = $1`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodes)
	hashes := make([][]byte, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = HashToken(normalizeCode(codes[i]))
	}
	_, err := q.Exec(ctx, `insert into recovery_codes (user_id, code_hash) select $1, h from unnest($2::bytea[]) as h`, userID, hashes)
	return codes, err
}

// recoveryAlphabet leaves out letters and digits easily mistaken for
// each other (0 O 1 l i).
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// newRecoveryCode is ten characters from the alphabet (about 49 bits),
// written as two groups of five.
func newRecoveryCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		// 256 is not a multiple of 31; the slight bias costs a fraction
		// of a bit and keeps this readable.
		b[i] = recoveryAlphabet[int(b[i])%len(recoveryAlphabet)]
	}
	return string(b[:5]) + "-" + string(b[5:])
}

// normalizeCode is a code as typed without spaces or dashes, in lower case.
func normalizeCode(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
}

// isTOTPCode reports whether s is six digits.
func isTOTPCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
