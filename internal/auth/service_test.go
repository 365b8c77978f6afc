package auth_test

import (
	"context"
	"errors"
	"testing"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/fail"

	"github.com/google/go-cmp/cmp"
)

// events lists the auth events of the email, oldest first.
func events(t *testing.T, d dbtest.DB, email string) []string {
	t.Helper()
	rows, err := d.Pool.Query(context.Background(), "select action from auth_events where email = $1 order by at, id", email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func worksNowhere(context.Context, db.DBTX, string) (bool, error)   { return false, nil }
func worksSomewhere(context.Context, db.DBTX, string) (bool, error) { return true, nil }

func TestServiceSignIn_RecordsEveryAttemptAndRefusesAnAccountWithNowhereToWork(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	s := auth.NewService(d.Pool, worksSomewhere)
	if _, err := s.SignIn(ctx, "192.0.2.1", auth.SignInForm{Email: u.Email, Password: "wrong"}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if got, err := s.SignIn(ctx, "192.0.2.1", auth.SignInForm{Email: u.Email, Password: "a long password"}); err != nil || got.ID != u.ID {
		t.Errorf("right password: %+v, %v", got, err)
	}
	_, err := auth.NewService(d.Pool, worksNowhere).SignIn(ctx, "192.0.2.1", auth.SignInForm{Email: u.Email, Password: "a long password"})
	if !errors.Is(err, auth.ErrNoOrganisation) || fail.KindOf(err) != fail.KindPrecondition {
		t.Errorf("no organisation: %v", err)
	}
	want := []string{"sign_in_failed", "sign_in", "sign_in_refused"}
	if diff := cmp.Diff(want, events(t, d, u.Email)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestServiceSignIn_EmptyFieldsAreInvalidAndNotRecorded(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	_, err := auth.NewService(d.Pool, worksSomewhere).SignIn(context.Background(), "192.0.2.1", auth.SignInForm{Email: " "})
	want := map[string]string{"email": "Enter your email address.", "password": "Enter your password."}
	if diff := cmp.Diff(want, fail.Fields(err)); diff != "" || fail.KindOf(err) != fail.KindInvalid {
		t.Errorf("%v (-want +got):\n%s", err, diff)
	}
	if n := len(events(t, d, "")); n != 0 {
		t.Errorf("%d events", n)
	}
}

func TestServiceChangePassword_NeedsTheCurrentOneAndEndsOtherSessions(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	s := auth.NewService(d.Pool, worksSomewhere)
	_, err := s.ChangePassword(ctx, "192.0.2.1", u, auth.PasswordForm{Current: "wrong", New: "harbour tide lantern 42", Confirm: "harbour tide lantern 42"})
	if !errors.Is(err, auth.ErrInvalidCredentials) || fail.Fields(err)["current_password"] != "That is not your current password." {
		t.Fatalf("wrong current password: %v", err)
	}
	_, err = s.ChangePassword(ctx, "192.0.2.1", u, auth.PasswordForm{Current: "a long password", New: "harbour tide lantern 42", Confirm: "harbour tide lantern 4"})
	if fail.Fields(err)["confirm_password"] == "" {
		t.Errorf("mistyped confirmation: %v", err)
	}
	changed, err := s.ChangePassword(ctx, "192.0.2.1", u, auth.PasswordForm{Current: "a long password", New: "harbour tide lantern 42", Confirm: "harbour tide lantern 42"})
	if err != nil || changed.SessionVersion != u.SessionVersion+1 {
		t.Fatalf("change: %+v, %v", changed, err)
	}
	if _, err := auth.SignIn(ctx, d.Pool, u.Email, "harbour tide lantern 42"); err != nil {
		t.Errorf("new password: %v", err)
	}
	want := []string{"sign_in_failed", "password_changed"}
	if diff := cmp.Diff(want, events(t, d, u.Email)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestServiceResetPassword_LinkWorksOnce(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	s := auth.NewService(d.Pool, worksSomewhere)
	token, err := auth.CreateReset(ctx, d.Pool, u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.ResetLink(ctx, token); err != nil || got.ID != u.ID {
		t.Fatalf("link: %+v, %v", got, err)
	}
	if _, err := s.ResetLink(ctx, "no such token"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	f := auth.PasswordForm{New: "harbour tide lantern 42", Confirm: "harbour tide lantern 42"}
	if err := s.ResetPassword(ctx, "192.0.2.1", token, auth.PasswordForm{New: "short", Confirm: "short"}); fail.Fields(err)["new_password"] == "" {
		t.Errorf("short password: %v", err)
	}
	if err := s.ResetPassword(ctx, "192.0.2.1", token, f); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetPassword(ctx, "192.0.2.1", token, f); !errors.Is(err, auth.ErrLinkExpired) {
		t.Errorf("second use: %v", err)
	}
	if diff := cmp.Diff([]string{"password_reset"}, events(t, d, u.Email)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestRoles_AreLabelledFromOneTable(t *testing.T) {
	t.Parallel()
	for r, want := range map[auth.Role]string{auth.Coordinator: "Care coordinator", auth.TenantAdmin: "Administrator", "owner": "owner"} {
		if got := r.Label(); got != want {
			t.Errorf("%s: %q, want %q", r, got, want)
		}
	}
	if auth.Role("owner").Valid() || !auth.Supervisor.Valid() {
		t.Error("Valid does not follow the table")
	}
}
