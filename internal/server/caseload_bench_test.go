package server

// The supervisor's dashboard at scale: the tenant of 100,000 patients and
// 30 coordinators of demo.LoadScale (see worklist_bench_test.go). Not part
// of a plain `go test ./...`:
//
//	go test ./internal/server/ -run '^$' -bench BenchmarkCaseload -benchtime 100x

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/schedule"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func BenchmarkCaseload(b *testing.B) {
	d, res := scaleTenant(b)
	hs := benchServer(b, d)
	ctx := context.Background()
	inTenant := func(b *testing.B, fn func(tx pgx.Tx) error) {
		if err := db.InTenant(ctx, d.Pool, res.TenantID, fn); err != nil {
			b.Fatal(err)
		}
	}
	// What the scheduler does every minute: the page then reads it.
	b.Run("snapshot job", func(b *testing.B) {
		for b.Loop() {
			inTenant(b, func(tx pgx.Tx) error {
				return caseload.RefreshSnapshot(ctx, tx, tenants.System(res.TenantID, tenants.DefaultSettings(), time.Now()))
			})
		}
	})
	b.Run("dashboard page", func(b *testing.B) {
		if _, err := schedule.New(d.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, schedule.Jobs()).RunAll(ctx); err != nil {
			b.Fatal(err)
		}
		benchPage(b, hs, "supervisor@bigcare.test", "/t/bigcare/caseload")
	})
	// After a supervisor's change, until the next run: every look counts.
	b.Run("dashboard page, stale", func(b *testing.B) {
		inTenant(b, func(tx pgx.Tx) error { return caseload.MarkStale(ctx, tx, res.TenantID) })
		benchPage(b, hs, "supervisor@bigcare.test", "/t/bigcare/caseload")
	})
	b.Run("patient list page", func(b *testing.B) {
		benchPage(b, hs, "supervisor@bigcare.test", "/t/bigcare/caseload/patients?flag=past_cadence")
	})
	rules := caseload.RulesAt(tenants.DefaultSettings(), calendar.Calendar{}, time.Now())
	b.Run("dashboard queries", func(b *testing.B) {
		for b.Loop() {
			inTenant(b, func(tx pgx.Tx) error {
				_, _, err := caseload.Dashboard(ctx, tx, res.TenantID, rules)
				return err
			})
		}
	})
}
