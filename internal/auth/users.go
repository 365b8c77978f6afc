package auth

import (
	"context"
	"strings"

	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// User is a person who signs in. Users are global: one account may belong to
// several tenants, with a role in each.
type User struct {
	ID             string `db:"id"`
	Email          string `db:"email"`
	Name           string `db:"name"`
	PlatformAdmin  bool   `db:"platform_admin"`
	Disabled       bool   `db:"disabled"`
	SessionVersion int    `db:"session_version"`
}

// ErrEmailTaken means another account already uses the email.
var ErrEmailTaken = fail.Conflict("Another account already uses this email address.")

const userColumns = "id, email, name, platform_admin, disabled, session_version"

// NormalizeEmail is the form emails are stored and looked up in.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// UserByID loads one user.
func UserByID(ctx context.Context, q db.DBTX, id string) (User, error) {
	rows, _ := q.Query(ctx, "select "+userColumns+" from users where id = $1", id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	return u, db.NotFound(err)
}

// NewUser is what creating an account needs.
type NewUser struct {
	Email         string
	Name          string
	Password      string
	PlatformAdmin bool
}

// CreateUser adds an account with a freshly hashed password.
func CreateUser(ctx context.Context, q db.DBTX, nu NewUser) (User, error) {
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return User{}, err
	}
	return CreateUserWithHash(ctx, q, nu, hash)
}

// CreateUserWithHash adds an account whose password is already hashed: demo
// data hashes its one shared password once instead of once per user.
func CreateUserWithHash(ctx context.Context, q db.DBTX, nu NewUser, hash string) (User, error) {
	rows, _ := q.Query(ctx, `
		insert into users (email, name, password_hash, platform_admin)
		values ($1, $2, $3, $4)
		returning `+userColumns,
		NormalizeEmail(nu.Email), strings.TrimSpace(nu.Name), hash, nu.PlatformAdmin)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if db.IsUniqueViolation(err, "users_email_key") {
		return User{}, ErrEmailTaken
	}
	return u, err
}

// UserByEmail loads the user who signs in with email.
func UserByEmail(ctx context.Context, q db.DBTX, email string) (User, error) {
	rows, _ := q.Query(ctx, "select "+userColumns+" from users where email = $1", NormalizeEmail(email))
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	return u, db.NotFound(err)
}

// SetPassword gives the user a new password, clears any sign-in lock and
// ends every session the user has (the session version moves on). It
// returns the new session version, for the session that made the change to
// carry on. Callers check the password with CheckNewPassword first.
func SetPassword(ctx context.Context, q db.DBTX, userID, password string) (int, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return 0, err
	}
	var version int
	err = q.QueryRow(ctx, `
		update users set password_hash = $2, session_version = session_version + 1,
		       failed_logins = 0, first_failed_at = null, locked_until = null
		 where id = $1
		returning session_version`, userID, hash).Scan(&version)
	return version, db.NotFound(err)
}

// EndSessions ends every session of the user on their next request.
func EndSessions(ctx context.Context, q db.DBTX, userID string) error {
	tag, err := q.Exec(ctx, "update users set session_version = session_version + 1 where id = $1", userID)
	if err == nil && tag.RowsAffected() == 0 {
		return db.ErrNotFound
	}
	return err
}
