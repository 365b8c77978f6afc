// Package once makes each form post take effect once. Every form carries a
// one-time token (web.Once); the first post of a token claims it, and the
// redirect of a successful post is recorded against it, so a repeat of the
// same post — a double click, a page sent again — is answered with that
// redirect instead of running again. It owns the form_posts table.
package once

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Kept is how long a claimed token is remembered: longer than a session
// lasts, so a page cannot outlive the memory of its posts.
const Kept = 24 * time.Hour

// Valid reports whether token looks like one web.Once renders: 16 to 64
// letters, digits, '-' or '_'. Anything else is treated as no token.
func Valid(token string) bool {
	if len(token) < 16 || len(token) > 64 {
		return false
	}
	for _, c := range token {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// State is what is known of a token.
type State int

const (
	// Free: nobody holds the token (never posted, or its post failed).
	Free State = iota
	// Pending: a post of the token is running.
	Pending
	// Done: a post of the token succeeded with Outcome.Location.
	Done
)

// Outcome is a token's state and, once done, the redirect and flash
// message its post answered with.
type Outcome struct {
	State    State
	Location string
	Flash    string
}

// Claim makes this post the one that runs for token, unless another post
// of it has claimed it first (false). It first forgets the user's claims
// older than Kept, so the table holds about a day of each user's posts.
func Claim(ctx context.Context, q db.DBTX, userID, token string) (bool, error) {
	tag, err := q.Exec(ctx, `
		with swept as (
			delete from form_posts where user_id = $1 and claimed_at < now() - make_interval(secs => $3)
		)
		insert into form_posts (user_id, token) values ($1, $2)
		on conflict (user_id, token) do nothing`,
		userID, token, Kept.Seconds())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// Finish records the redirect (and flash message) a claimed post answered
// with, for its repeats to answer the same.
func Finish(ctx context.Context, q db.DBTX, userID, token, location, flash string) error {
	_, err := q.Exec(ctx, `
		update form_posts set done_at = now(), location = $3, flash = $4
		where user_id = $1 and token = $2`, userID, token, location, flash)
	return err
}

// Release gives up the claim of a post that failed, so that the same form,
// corrected, can be sent again.
func Release(ctx context.Context, q db.DBTX, userID, token string) error {
	_, err := q.Exec(ctx, `delete from form_posts where user_id = $1 and token = $2 and done_at is null`, userID, token)
	return err
}

// Lookup reads the token's outcome.
func Lookup(ctx context.Context, q db.DBTX, userID, token string) (Outcome, error) {
	var o Outcome
	var done bool
	var location, flash *string
	err := q.QueryRow(ctx, `select done_at is not null, location, flash from form_posts where user_id = $1 and token = $2`,
		userID, token).Scan(&done, &location, &flash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Outcome{State: Free}, nil
	case err != nil:
		return o, err
	case !done:
		return Outcome{State: Pending}, nil
	}
	o = Outcome{State: Done, Location: *location}
	if flash != nil {
		o.Flash = *flash
	}
	return o, nil
}

// Wait is how a repeated post waits for the first: it looks every Poll,
// at most Tries times, taking a pooled connection only for each look (a
// connection held while waiting could starve the post being waited for).
type Wait struct {
	Poll  time.Duration
	Tries int
}

// DefaultWait waits up to about five seconds.
var DefaultWait = Wait{Poll: 50 * time.Millisecond, Tries: 100}

// Take claims token for this post (mine true), or waits until the post
// that holds it is done and returns its outcome (mine false). When that
// post fails and gives the token up, this one claims it and runs in its
// place. After w.Tries looks the outcome is still Pending.
func Take(ctx context.Context, q db.DBTX, userID, token string, w Wait) (Outcome, bool, error) {
	for try := 0; try <= w.Tries; try++ {
		mine, err := Claim(ctx, q, userID, token)
		if err != nil || mine {
			return Outcome{State: Pending}, mine, err
		}
		o, err := Lookup(ctx, q, userID, token)
		if err != nil || o.State == Done {
			return o, false, err
		}
		if o.State == Free {
			continue // the first post failed just now: claim the token again
		}
		if err := sleep(ctx, w.Poll); err != nil {
			return o, false, err
		}
	}
	return Outcome{State: Pending}, false, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
