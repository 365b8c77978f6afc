// Package db connects to PostgreSQL and runs every tenant-scoped piece of work
// inside a transaction bound to one tenant, so that row-level security sees the
// tenant and nothing else.
package db

import (
	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DBTX is what repositories query through: a pgx.Tx inside a request's tenant
// transaction, or the pool for global tables.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	// SendBatch sends several statements in one round trip (see Query).
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// ErrNotFound means the row does not exist or belongs to another tenant; the
// two are deliberately indistinguishable.
var ErrNotFound = fail.NotFound("There is nothing here, or you do not have access to it.")

// ErrConflict means the row changed since the caller read it.
var ErrConflict = fail.Conflict("Someone changed this while you were working on it. Reload to see their change, then make yours again.")

// Limits bound every wait on the database, so that a database that stops
// answering makes pages fail quickly instead of hanging (issue 21).
type Limits struct {
	// ConnectTimeout bounds opening a connection, handshake included.
	ConnectTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout for every
	// connection of the pool: a statement running longer is cancelled by
	// the server itself, even after its client has gone.
	StatementTimeout time.Duration
	// LockTimeout is how long a statement waits for a row or table lock.
	LockTimeout time.Duration
	// IdleInTransactionTimeout ends a session that holds a transaction
	// open without sending anything, freeing its locks.
	IdleInTransactionTimeout time.Duration
	// MaxConns is the pool's size; zero keeps the URL's pool_max_conns or
	// pgx's default.
	MaxConns int32
}

// DefaultConnectTimeout bounds connecting for the tools (migrate, seed) that
// set no other limit.
const DefaultConnectTimeout = 5 * time.Second

// Open connects a pool with only a connect timeout, for the commands
// whose statements may legitimately run long (seeding, tests' loaders),
// and checks that the database answers. Each tune adjusts the pool's
// configuration first (the yardstick's recorder installs its tracer this way).
func Open(ctx context.Context, url string, tune ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	return OpenLimited(ctx, url, Limits{ConnectTimeout: DefaultConnectTimeout}, tune...)
}

// OpenLimited connects a pool whose every connection is bound by l, and
// checks that the database answers. It is the app's pool, whose statements
// are a page's, so JIT compilation is off: measured on an aggregate over a
// tenant's contacts, compiling took 1.4-1.7 s for a query that runs in
// 0.2-0.7 s without (issue 22; docs in the faults report).
func OpenLimited(ctx context.Context, url string, l Limits, tune ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	l.apply(cfg)
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	for _, f := range tune {
		f(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// apply sets l on cfg: the connect timeout on the client, the rest as
// run-time parameters sent with each connection's start-up, so they cost
// no round trip and hold for every statement on it.
func (l Limits) apply(cfg *pgxpool.Config) {
	if l.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = l.ConnectTimeout
	}
	if l.MaxConns > 0 {
		cfg.MaxConns = l.MaxConns
	}
	for name, d := range map[string]time.Duration{
		"statement_timeout":                   l.StatementTimeout,
		"lock_timeout":                        l.LockTimeout,
		"idle_in_transaction_session_timeout": l.IdleInTransactionTimeout,
	} {
		if d > 0 {
			cfg.ConnConfig.RuntimeParams[name] = strconv.FormatInt(d.Milliseconds(), 10)
		}
	}
}

// SetLocalStatementTimeout gives the rest of tx a statement timeout of its
// own: for named background jobs that may run longer than a page.
func SetLocalStatementTimeout(ctx context.Context, tx pgx.Tx, d time.Duration) error {
	if _, err := tx.Exec(ctx, "select set_config('statement_timeout', $1, true)", strconv.FormatInt(d.Milliseconds(), 10)); err != nil {
		return fmt.Errorf("set statement timeout: %w", err)
	}
	return nil
}

// Unavailable reports whether err means the database could not be reached
// or did not answer in time, rather than that it refused the work: a
// timeout, a cut or refused connection, a deadline met while waiting for
// the pool, or a statement the server cancelled for running too long.
// Such a failure passes; the same request a moment later may succeed.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableCodes[pgErr.Code] || strings.HasPrefix(pgErr.Code, "08")
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		pgconn.Timeout(err) || errors.As(err, &netErr) || errors.As(err, &connectErr) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// unavailableCodes are the SQLSTATEs of a server that is overloaded,
// shutting down, or gave up waiting (class 08, connection exception, too).
var unavailableCodes = map[string]bool{
	"57014": true, // query_canceled: statement_timeout
	"55P03": true, // lock_not_available: lock_timeout
	"25P03": true, // idle_in_transaction_session_timeout
	"53300": true, // too_many_connections
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now
}

// InTenant runs fn in one transaction whose app.tenant_id is tenantID. The
// setting is transaction-local (set_config's third argument), so it ends with
// the transaction and can never leak to the next user of the pooled connection.
// fn's error rolls the transaction back. Under a context made by Joining,
// fn joins that transaction instead, in a savepoint of its own.
func InTenant(ctx context.Context, pool *pgxpool.Pool, tenantID string, fn func(tx pgx.Tx) error) error {
	if outer, ok := ctx.Value(joinKey{}).(pgx.Tx); ok {
		// pgx begins a savepoint inside a transaction
		return missingReference(pgx.BeginFunc(ctx, outer, func(tx pgx.Tx) error {
			if err := BindTenant(ctx, tx, tenantID); err != nil {
				return err
			}
			return fn(tx)
		}))
	}
	begin, err := beginInTenant(tenantID)
	if err != nil {
		return err
	}
	return missingReference(pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{BeginQuery: begin}, fn))
}

// beginInTenant is the statement that begins a transaction and binds it to
// tenantID in one round trip: two statements in one simple-protocol
// message. The id is written into the SQL, so it must be a UUID and
// nothing else, which also rules out any injection. The empty id is a
// transaction bound to no tenant yet (one that creates the tenant, then
// binds it with BindTenant): row-level security sees nothing until then.
func beginInTenant(tenantID string) (string, error) {
	if tenantID != "" && !ValidUUID(tenantID) {
		return "", fmt.Errorf("bind tenant: %q is not a tenant id", tenantID)
	}
	if tenantID == "" {
		return "begin; select set_config('app.tenant_id', '', true)", nil
	}
	return "begin; select set_config('app.tenant_id', '" + tenantID + "', true), " + tenantZone("'"+tenantID+"'"), nil
}

// tenantZone is the set_config that puts the transaction on the clock of
// the tenant whose id the SQL expression id gives: its time zone setting
// (tenants.Settings.TimeZone), or calendar.DefaultZone when it has none.
// Then current_date, now()::date and every timestamptz cast to a date or
// truncated to a day are the tenant's, not the server's. It reads the
// tenants row in the statement that binds the tenant, so it adds no round
// trip; the setting is transaction-local like app.tenant_id.
func tenantZone(id string) string {
	return "set_config('TimeZone', coalesce((select nullif(settings->>'time_zone', '') from tenants where id = (" + id +
		")::uuid), '" + calendar.DefaultZone + "'), true)"
}

// missingReference turns a foreign key that points at nothing into
// ErrNotFound: every foreign key between tenant-owned tables includes
// tenant_id, so an id of another tenant (or of nothing) sent in a form
// ends here, and the visitor learns only that it is not there. A row
// still referenced when deleted stays what it is.
func missingReference(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" && strings.Contains(pgErr.Detail, "is not present in table") {
		return errors.Join(ErrNotFound, err)
	}
	return err
}

type joinKey struct{}

// Joining is ctx under which every InTenant joins tx rather than opening a
// transaction of its own: for a loader that makes many changes through the
// use cases (the demo data) and must make all of them or none. Requests
// never use it: each is its own transaction.
func Joining(ctx context.Context, tx pgx.Tx) context.Context {
	return context.WithValue(ctx, joinKey{}, tx)
}

// BindTenant makes row-level security in tx see tenantID, until tx ends. It
// is for a transaction that learns its tenant part-way, such as one that
// creates the tenant; everything else uses InTenant.
func BindTenant(ctx context.Context, tx pgx.Tx, tenantID string) error {
	if _, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true), "+tenantZone("$1::text"), tenantID); err != nil {
		return fmt.Errorf("bind tenant: %w", err)
	}
	return nil
}

// NotFound turns pgx's no-rows error into ErrNotFound and leaves others alone.
func NotFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// IsUniqueViolation reports whether err is PostgreSQL's unique_violation on
// the named constraint (any constraint when name is empty).
func IsUniqueViolation(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (name == "" || pgErr.ConstraintName == name)
}

// ValidUUID reports whether s is a UUID in its canonical text form.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
