package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func required(context.Context, db.DBTX, string) (bool, error) { return true, nil }

// enrolled is a new user with an authenticator app set up at at, and its
// secret.
func enrolled(t *testing.T, m *auth.MFA, u auth.User, at time.Time) string {
	t.Helper()
	ctx := context.Background()
	if step, err := m.AfterPassword(ctx, u); err != nil || step != auth.StepEnrol {
		t.Fatalf("after password: %v %v, want enrolment", step, err)
	}
	e, err := m.Pending(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Confirm(ctx, "192.0.2.1", u, codeAt(t, e.Secret, at), at); err != nil {
		t.Fatal(err)
	}
	return e.Secret
}

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMFA_CodesWithinOneStepOfDriftAreAcceptedAndOthersNot(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	box, _ := auth.NewSecretBox(make([]byte, 32))
	m := auth.NewMFA(d.Pool, box, required)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	secret := enrolled(t, m, u, at)
	ctx := context.Background()
	tests := []struct {
		name   string
		codeAt time.Time
		ok     bool
	}{
		{"two steps behind", at.Add(-60 * time.Second), false},
		{"the enrolment's own code again", at, false},
		{"one step ahead", at.Add(30 * time.Second), true},
		{"three steps ahead", at.Add(90 * time.Second), false},
	}
	for _, tt := range tests {
		_, err := m.Verify(ctx, "192.0.2.1", u.ID, codeAt(t, secret, tt.codeAt), at)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestMFA_OneCodeSentTwiceAtOnceSignsInOnce(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	box, _ := auth.NewSecretBox(nil)
	m := auth.NewMFA(d.Pool, box, required)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	secret := enrolled(t, m, u, at)
	code := codeAt(t, secret, at.Add(30*time.Second))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = m.Verify(context.Background(), "192.0.2.1", u.ID, code, at) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, auth.ErrWrongCode):
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 4 concurrent uses of one code succeeded, want 1", ok)
	}
}

func TestSecretBox_ASealedSecretOpensOnlyForItsUser(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	other, err := auth.CreateUser(context.Background(), d.Pool, auth.NewUser{Email: "bo@example.test", Name: "Bo", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	box, _ := auth.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	m := auth.NewMFA(d.Pool, box, required)
	ctx := context.Background()
	if _, err := m.AfterPassword(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := m.AfterPassword(ctx, other); err != nil {
		t.Fatal(err)
	}
	// Someone with write access to the table copies their sealed secret
	// onto another account: it no longer opens.
	if _, err := d.Pool.Exec(ctx, "update user_totp set secret = (select secret from user_totp where user_id = $1) where user_id = $2", other.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Pending(ctx, u); err == nil {
		t.Error("a secret sealed for another user opened")
	}
	if _, err := auth.NewSecretBox([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}
