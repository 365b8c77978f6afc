package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"carecoord/internal/calendar"
	"carecoord/migrations"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrator applies the embedded migrations as the schema owner.
type Migrator struct {
	db       *sql.DB
	provider *goose.Provider
}

// NewMigrator connects to url (the owner's connection). A session-level
// advisory lock lets several replicas start at once: one migrates, the others
// wait and then find nothing to do.
func NewMigrator(url string) (*Migrator, error) {
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	return &Migrator{db: sqlDB, provider: p}, nil
}

// Close releases the connection.
func (m *Migrator) Close() error { return m.db.Close() }

// Up applies every pending migration.
func (m *Migrator) Up(ctx context.Context) ([]*goose.MigrationResult, error) {
	return m.provider.Up(ctx)
}

// Down rolls back the newest applied migration.
func (m *Migrator) Down(ctx context.Context) (*goose.MigrationResult, error) {
	return m.provider.Down(ctx)
}

// Status writes one line per migration: applied or pending.
func (m *Migrator) Status(ctx context.Context, w io.Writer) error {
	all, err := m.provider.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range all {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.Format(calendar.Stamp)
		}
		fmt.Fprintf(w, "%05d  %-40s %s\n", s.Source.Version, s.Source.Path, applied)
	}
	return nil
}

// ensure the pgx database/sql driver is registered.
var _ = stdlib.GetDefaultDriver
