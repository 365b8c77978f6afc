package auth

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"

	"github.com/alexedwards/scs/v2"
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

// SessionUserKey is the session value naming the signed-in user's id; the
// store keeps it in a column too, so that QueueSignedIn can join on it.
const SessionUserKey = "user_id"

// FindCtx returns a live session's data; found is false for an unknown or
// expired token. A session preloaded into ctx (QueueSignedIn) is not read
// again.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	if p, ok := ctx.Value(preloadKey{}).(*Preloaded); ok && p.Token == token {
		return p.data, p.found, nil
	}
	err = s.q.QueryRow(ctx, "select data from sessions where token = $1 and now() < expiry", token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// CommitCtx saves a session's data, to expire at expiry or after the idle
// time, whichever comes first.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, values, err := scs.GobCodec{}.Decode(b)
	if err != nil {
		return err
	}
	userID, _ := values[SessionUserKey].(string)
	_, err = s.q.Exec(ctx, `
		insert into sessions (token, data, expiry, user_id)
		values ($1, $2, least($3::timestamptz, now() + make_interval(secs => $4)), nullif($5, '')::uuid)
		on conflict (token) do update set data = excluded.data, expiry = excluded.expiry, user_id = excluded.user_id`,
		token, b, expiry, s.idle.Seconds(), userID)
	return err
}

// Preloaded is a request's session and its user, read in the round trip
// that reads their memberships too (see tenants.LoadSignedIn).
type Preloaded struct {
	Token string
	// User is the session's user; ok is false for a session without one,
	// or saved before sessions named their user.
	User  User
	ok    bool
	data  []byte
	found bool
}

// UserOf returns the preloaded user when the session is signed in as id.
func (p *Preloaded) UserOf(id string) (User, bool) {
	return p.User, p != nil && p.ok && p.User.ID == id
}

type preloadKey struct{}

// WithPreloaded is ctx carrying p, for the session store to find.
func WithPreloaded(ctx context.Context, p *Preloaded) context.Context {
	return context.WithValue(ctx, preloadKey{}, p)
}

// QueueSignedIn queues into b the reads of the session with token and of its
// user, filling p when b is sent.
func QueueSignedIn(b *pgx.Batch, token string, p *Preloaded) {
	p.Token = token
	b.Queue("select data from sessions where token = $1 and now() < expiry", token).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&p.data)
		p.found = err == nil
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	rows := "select " + userColumns + " from users where id = (" + UserOfSession + ")"
	b.Queue(rows, token).Query(func(rows pgx.Rows) error {
		users, err := pgx.CollectRows(rows, pgx.RowToStructByName[User])
		if len(users) == 1 {
			p.User, p.ok = users[0], true
		}
		return err
	})
}

// UserOfSession is SQL naming the user of the live session whose token is $1.
const UserOfSession = "select user_id from sessions where token = $1 and now() < expiry"

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
