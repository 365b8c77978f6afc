package once_test

import (
	"context"
	"testing"
	"time"

	"carecoord/internal/db/dbtest"
	"carecoord/internal/once"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const token = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func user(t *testing.T, d dbtest.DB, email string) string {
	t.Helper()
	var id string
	if err := d.Pool.QueryRow(t.Context(), `insert into users (email, name, password_hash) values ($1, 'Someone', 'x') returning id`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

var quick = once.Wait{Poll: time.Millisecond, Tries: 3}

func take(t *testing.T, d dbtest.DB, userID string) (once.Outcome, bool) {
	t.Helper()
	o, mine, err := once.Take(t.Context(), d.Pool, userID, token, quick)
	if err != nil {
		t.Fatal(err)
	}
	return o, mine
}

func TestTake_FirstRunsRepeatsWaitThenGetTheRedirect(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	maya, liam := user(t, d, "maya@x.test"), user(t, d, "liam@x.test")

	if _, mine := take(t, d, maya); !mine {
		t.Fatal("the first post of a token does not run")
	}
	// While it runs, a repeat waits, and gives up still pending.
	if o, mine := take(t, d, maya); mine || o.State != once.Pending {
		t.Fatalf("repeat while the first runs: mine %v, state %v", mine, o.State)
	}
	// Tokens are the user's own: another person's post is not a repeat.
	if _, mine := take(t, d, liam); !mine {
		t.Error("the same token of another user is taken as a repeat")
	}
	if err := once.Finish(t.Context(), d.Pool, maya, token, "/t/x/patients/1", "Saved."); err != nil {
		t.Fatal(err)
	}
	if o, mine := take(t, d, maya); mine || o != (once.Outcome{State: once.Done, Location: "/t/x/patients/1", Flash: "Saved."}) {
		t.Fatalf("repeat after the first: mine %v, %+v", mine, o)
	}
	// A done post is never given up.
	if err := once.Release(t.Context(), d.Pool, maya, token); err != nil {
		t.Fatal(err)
	}
	if o, _ := take(t, d, maya); o.State != once.Done {
		t.Errorf("released a done post: %v", o.State)
	}
}

func TestTake_AFailedPostGivesTheTokenUp(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	maya := user(t, d, "maya@x.test")
	take(t, d, maya)
	if err := once.Release(t.Context(), d.Pool, maya, token); err != nil {
		t.Fatal(err)
	}
	if _, mine := take(t, d, maya); !mine {
		t.Error("after a failure the corrected form does not run")
	}
}

func TestClaim_ForgetsTheUsersDayOldClaims(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	maya := user(t, d, "maya@x.test")
	ctx := context.Background()
	take(t, d, maya)
	if _, err := d.Pool.Exec(ctx, `update form_posts set claimed_at = now() - interval '25 hours'`); err != nil {
		t.Fatal(err)
	}
	if _, err := once.Claim(ctx, d.Pool, maya, "ZYXWVUTSRQPONMLKJIHGFEDCBA"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.Pool.QueryRow(ctx, `select count(*) from form_posts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d claims kept, want only the new one", n)
	}
}

func TestValid(t *testing.T) {
	for tok, want := range map[string]bool{
		token: true, "abc": false, "ABCDEFGHIJKLMNOP\x00": false, "ABCDEFGHIJKLMNOP QRS": false, "ABCDEFGH-IJKLMNO_P": true,
	} {
		if once.Valid(tok) != want {
			t.Errorf("Valid(%q) = %v", tok, !want)
		}
	}
}
