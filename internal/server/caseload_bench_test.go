package server

// The supervisor's dashboard at scale: the tenant of 100,000 patients and
// 30 coordinators of demo.LoadScale (see worklist_bench_test.go). Not part
// of a plain `go test ./...`:
//
//	go test ./internal/server/ -run '^$' -bench BenchmarkCaseload -benchtime 100x

import (
	"context"
	"testing"
	"time"

	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func BenchmarkCaseload(b *testing.B) {
	d, res := scaleTenant(b)
	hs := benchServer(b, d)
	b.Run("dashboard page", func(b *testing.B) { benchPage(b, hs, "supervisor@bigcare.test", "/t/bigcare/caseload") })
	b.Run("patient list page", func(b *testing.B) {
		benchPage(b, hs, "supervisor@bigcare.test", "/t/bigcare/caseload/patients?flag=past_cadence")
	})
	ctx := context.Background()
	rules := caseload.RulesAt(tenants.DefaultSettings(), time.Now())
	b.Run("dashboard queries", func(b *testing.B) {
		for b.Loop() {
			err := db.InTenant(ctx, d.Pool, res.TenantID, func(tx pgx.Tx) error {
				_, _, err := caseload.Dashboard(ctx, tx, res.TenantID, rules)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
