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

// After is the keyset condition of a list's next page: the row's sort keys
// (expressions on alias, its id last so they are unique) come after those
// of the cursor row, the row of table with id cursorArg. The cursor's keys
// are read from the table rather than carried in the link, so a cursor
// still works when its row has since left the list, and a page is read
// from the order's index at the cursor, never skipped over (no OFFSET).
func After(keys, table, alias, tenantArg, cursorArg string) string {
	return "(" + keys + ") > (select " + keys + " from " + table + " " + alias +
		" where " + alias + ".tenant_id = " + tenantArg + " and " + alias + ".id = " + cursorArg + "::uuid)"
}
