package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"carecoord/internal/auth"
	"carecoord/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func newUser(t *testing.T, d dbtest.DB) auth.User {
	t.Helper()
	u, err := auth.CreateUser(context.Background(), d.Pool, auth.NewUser{Email: " Ann@Example.TEST ", Name: "Ann", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignIn_CorrectPasswordSignsIn(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	want := newUser(t, d)
	got, err := auth.SignIn(context.Background(), d.Pool, "ANN@example.test", "a long password")
	if err != nil || got.ID != want.ID {
		t.Fatalf("SignIn = %+v, %v; want %s", got, err, want.ID)
	}
}

func TestSignIn_UnknownEmailAndWrongPasswordGetTheSameError(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	newUser(t, d)
	ctx := context.Background()
	_, unknown := auth.SignIn(ctx, d.Pool, "nobody@example.test", "a long password")
	_, wrong := auth.SignIn(ctx, d.Pool, "ann@example.test", "not the password")
	if !errors.Is(unknown, auth.ErrInvalidCredentials) || unknown != wrong {
		t.Errorf("unknown email: %v; wrong password: %v; want the same ErrInvalidCredentials", unknown, wrong)
	}
}

func TestSignIn_DisabledAccountCannotSignIn(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, "update users set disabled = true where id = $1", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.SignIn(ctx, d.Pool, u.Email, "a long password"); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Errorf("disabled account: err = %v, want ErrInvalidCredentials", err)
	}
}

func TestSignIn_FiveFailuresLockTheAccountEvenForTheRightPassword(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	for i := 1; i <= auth.MaxFailedSignIns; i++ {
		_, err := auth.SignIn(ctx, d.Pool, u.Email, "wrong")
		want := auth.ErrInvalidCredentials
		if i == auth.MaxFailedSignIns {
			want = auth.ErrLocked
		}
		if !errors.Is(err, want) {
			t.Fatalf("failure %d: err = %v, want %v", i, err, want)
		}
	}
	if _, err := auth.SignIn(ctx, d.Pool, u.Email, "a long password"); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("right password while locked: err = %v, want ErrLocked", err)
	}
	// Fifteen minutes later the lock has expired.
	if _, err := d.Pool.Exec(ctx, "update users set locked_until = now() - interval '1 second', first_failed_at = now() - interval '16 minutes' where id = $1", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.SignIn(ctx, d.Pool, u.Email, "a long password"); err != nil {
		t.Fatalf("after the lock expired: %v", err)
	}
}

func TestSignIn_FailuresOutsideTheWindowDoNotAddUp(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	for range auth.MaxFailedSignIns - 1 {
		_, _ = auth.SignIn(ctx, d.Pool, u.Email, "wrong")
	}
	if _, err := d.Pool.Exec(ctx, "update users set first_failed_at = now() - interval '16 minutes' where id = $1", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.SignIn(ctx, d.Pool, u.Email, "wrong"); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("first failure of a new window: err = %v, want ErrInvalidCredentials", err)
	}
}

func TestSignIn_ConcurrentFailuresAreAllCounted(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	u := newUser(t, d)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range auth.MaxFailedSignIns {
		wg.Go(func() { _, _ = auth.SignIn(ctx, d.Pool, u.Email, "wrong") })
	}
	wg.Wait()
	var failures int
	if err := d.Pool.QueryRow(ctx, "select failed_logins from users where id = $1", u.ID).Scan(&failures); err != nil {
		t.Fatal(err)
	}
	if failures != auth.MaxFailedSignIns {
		t.Errorf("failed_logins = %d after %d concurrent failures", failures, auth.MaxFailedSignIns)
	}
	if _, err := auth.SignIn(ctx, d.Pool, u.Email, "a long password"); !errors.Is(err, auth.ErrLocked) {
		t.Errorf("err = %v, want ErrLocked", err)
	}
}

func TestCreateUser_EmailIsUniqueWhateverItsCase(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	newUser(t, d)
	_, err := auth.CreateUser(context.Background(), d.Pool, auth.NewUser{Email: "ann@EXAMPLE.test", Name: "Ann 2", Password: "another long one"})
	if !errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("err = %v, want ErrEmailTaken", err)
	}
}
