// Package db connects to PostgreSQL and runs every tenant-scoped piece of work
// inside a transaction bound to one tenant, so that row-level security sees the
// tenant and nothing else.
package db

import (
	"carecoord/internal/fail"
	"context"
	"errors"
	"fmt"
	"strings"

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
}

// ErrNotFound means the row does not exist or belongs to another tenant; the
// two are deliberately indistinguishable.
var ErrNotFound = fail.NotFound("There is nothing here, or you do not have access to it.")

// ErrConflict means the row changed since the caller read it.
var ErrConflict = fail.Conflict("Someone changed this while you were working on it. Reload to see their change, then make yours again.")

// Open connects a pool and checks that the database answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
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

// InTenant runs fn in one transaction whose app.tenant_id is tenantID. The
// setting is transaction-local (set_config's third argument), so it ends with
// the transaction and can never leak to the next user of the pooled connection.
// fn's error rolls the transaction back. Under a context made by Joining,
// fn joins that transaction instead, in a savepoint of its own.
func InTenant(ctx context.Context, pool *pgxpool.Pool, tenantID string, fn func(tx pgx.Tx) error) error {
	var from interface {
		Begin(context.Context) (pgx.Tx, error)
	} = pool
	if outer, ok := ctx.Value(joinKey{}).(pgx.Tx); ok {
		from = outer // pgx begins a savepoint inside a transaction
	}
	return missingReference(pgx.BeginFunc(ctx, from, func(tx pgx.Tx) error {
		if err := BindTenant(ctx, tx, tenantID); err != nil {
			return err
		}
		return fn(tx)
	}))
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
	if _, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true)", tenantID); err != nil {
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
