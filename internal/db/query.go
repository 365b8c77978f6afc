package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Query is one read statement and how each of its rows scans into a T.
// It can be sent alone, or queued with a page's other reads in one
// pgx.Batch, so that a page's independent statements cost one round trip
// together instead of one each (issue 22: the chart).
type Query[T any] struct {
	SQL  string
	Args []any
	Scan pgx.RowToFunc[T]
}

// All sends q alone and returns its rows.
func (q Query[T]) All(ctx context.Context, tx DBTX) ([]T, error) {
	rows, _ := tx.Query(ctx, q.SQL, q.Args...)
	return pgx.CollectRows(rows, q.Scan)
}

// One sends q alone and returns its one row, or ErrNotFound.
func (q Query[T]) One(ctx context.Context, tx DBTX) (T, error) {
	rows, _ := tx.Query(ctx, q.SQL, q.Args...)
	v, err := pgx.CollectExactlyOneRow(rows, q.Scan)
	return v, NotFound(err)
}

// QueueAll queues q in b; when b's results are read, its rows are stored
// in *dst.
func (q Query[T]) QueueAll(b *pgx.Batch, dst *[]T) {
	b.Queue(q.SQL, q.Args...).Query(func(rows pgx.Rows) (err error) {
		*dst, err = pgx.CollectRows(rows, q.Scan)
		return err
	})
}

// QueueOne queues q in b; when b's results are read, its one row is
// stored in *dst, and reading b fails with ErrNotFound when there is none.
func (q Query[T]) QueueOne(b *pgx.Batch, dst *T) {
	b.Queue(q.SQL, q.Args...).Query(func(rows pgx.Rows) (err error) {
		*dst, err = pgx.CollectExactlyOneRow(rows, q.Scan)
		return NotFound(err)
	})
}

// Send sends b on tx and reads every result: the first error of a
// statement or of storing its rows is returned.
func Send(ctx context.Context, tx DBTX, b *pgx.Batch) error {
	return tx.SendBatch(ctx, b).Close()
}
