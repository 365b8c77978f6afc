package auth

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Sessions live in the sessions table (the layout of scs's pgxstore):
// global, since a session begins before any tenant is chosen.

// DeleteExpiredSessions removes the sessions past their expiry. Several
// replicas may sweep at once; the delete is idempotent.
func DeleteExpiredSessions(ctx context.Context, q db.DBTX) error {
	_, err := q.Exec(ctx, "delete from sessions where expiry < now()")
	return err
}

// SessionStore keeps scs sessions in the sessions table. Unlike pgxstore it
// implements scs.CtxStore, so each lookup and save runs under the request's
// context and gives up at its deadline instead of waiting on a database
// that does not answer.
//
// A saved session is kept at most idle past its save (and never past the
// expiry scs asks for): the backstop behind the idle timeouts that the
// server checks itself, which lets scs save a session only when it changed.
type SessionStore struct {
	q    db.DBTX
	idle time.Duration
}

// NewSessionStore is a session store on q (the pool) that keeps an unsaved
// session for idle.
func NewSessionStore(q db.DBTX, idle time.Duration) *SessionStore {
	return &SessionStore{q: q, idle: idle}
}

// FindCtx returns a live session's data; found is false for an unknown or
// expired token.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.q.QueryRow(ctx, "select data from sessions where token = $1 and now() < expiry", token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// CommitCtx saves a session's data, to expire at expiry or after the idle
// time, whichever comes first.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.q.Exec(ctx, `
		insert into sessions (token, data, expiry)
		values ($1, $2, least($3::timestamptz, now() + make_interval(secs => $4)))
		on conflict (token) do update set data = excluded.data, expiry = excluded.expiry`, token, b, expiry, s.idle.Seconds())
	return err
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.q.Exec(ctx, "delete from sessions where token = $1", token)
	return err
}

// Find, Commit and Delete complete scs.Store; scs calls the Ctx forms.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a request.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a request.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
