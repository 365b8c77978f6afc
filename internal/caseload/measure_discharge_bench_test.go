package caseload

import (
	"context"
	"os"
	"testing"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkDischargeMeasure_MeasuresPage times the discharge measures the
// measures page computes when nothing is cached (the last 30 days and each
// of the trend's six months), then every measure of those periods, on a
// scale database: CARECOORD_BENCH_URL is the app role's URL of it,
// CARECOORD_BENCH_TENANT the tenant's slug (bigcare by default). Skipped
// without it:
//
//	CARECOORD_BENCH_URL=postgres://carecoord_app:carecoord_app@127.0.0.1:5432/carecoord_bench \
//	    go test ./internal/caseload -run '^$' -bench DischargeMeasure -benchtime 20x
func BenchmarkDischargeMeasure_MeasuresPage(b *testing.B) {
	url := os.Getenv("CARECOORD_BENCH_URL")
	if url == "" {
		b.Skip("CARECOORD_BENCH_URL is not set")
	}
	slug := os.Getenv("CARECOORD_BENCH_TENANT")
	if slug == "" {
		slug = "bigcare"
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	var tenant string
	if err := pool.QueryRow(ctx, `select id from tenants where slug = $1`, slug).Scan(&tenant); err != nil {
		b.Fatal(err)
	}
	today := calendar.DateOf(time.Now())
	periods := []Period{{From: today.AddDate(0, 0, -29), To: today}}
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := TrendMonths - 1; i >= 0; i-- {
		from := first.AddDate(0, -i, 0)
		to := from.AddDate(0, 1, -1)
		if to.After(today) {
			to = today
		}
		periods = append(periods, Period{From: from, To: to})
	}
	cadence := map[string]int{"high": 7, "moderate": 14, "low": 30}
	for _, bench := range []struct {
		name string
		run  func(tx pgx.Tx, p Period) error
	}{
		{"discharge", func(tx pgx.Tx, p Period) error { return dischargeFollowUp(ctx, tx, tenant, p, &Measure{}) }},
		{"all", func(tx pgx.Tx, p Period) error { _, err := Measures(ctx, tx, tenant, p, cadence); return err }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			for range b.N {
				for _, p := range periods {
					if err := db.InTenant(ctx, pool, tenant, func(tx pgx.Tx) error { return bench.run(tx, p) }); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
