package server

// The worklist at scale: a tenant of 100,000 patients (demo.LoadScale)
// whose coord1 carries 300. Loading takes about half a minute, so nothing
// here runs in a plain `go test ./...`:
//
//	go test ./internal/server/ -run '^$' -bench BenchmarkWorklist -benchtime 200x
//	CARECOORD_SCALE_PATIENTS=20000 go test ./internal/server/ -run '^$' -bench BenchmarkWorklist
//
// "page" times the whole request through the router (session, tenant
// transaction, every query, rendering); the others time each query of the
// page inside a tenant transaction.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/tasks"
	"carecoord/internal/worklist"

	"github.com/jackc/pgx/v5"
)

func BenchmarkWorklist(b *testing.B) {
	d, res := scaleTenant(b)
	ctx := context.Background()
	var coord string
	if err := d.Pool.QueryRow(ctx, "select id from users where email = 'coord1@bigcare.test'").Scan(&coord); err != nil {
		b.Fatal(err)
	}
	hs := benchServer(b, d)
	b.Run("page", func(b *testing.B) { benchPage(b, hs, "coord1@bigcare.test", "/t/bigcare/worklist") })
	queries := map[string]func(tx pgx.Tx) error{
		"tasks": func(tx pgx.Tx) error {
			_, err := tasks.OpenForAssignee(ctx, tx, res.TenantID, coord, calendar.EndOfDay(time.Now()))
			return err
		},
		"caseload": func(tx pgx.Tx) error {
			_, err := contacts.Caseload(ctx, tx, res.TenantID, coord)
			return err
		},
		"assessments": func(tx pgx.Tx) error {
			_, err := assessments.LatestForCoordinator(ctx, tx, res.TenantID, coord)
			return err
		},
		"plan reviews": func(tx pgx.Tx) error {
			_, err := careplans.DueForReview(ctx, tx, res.TenantID, coord, time.Now(), worklist.Shown)
			return err
		},
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := db.InTenant(ctx, d.Pool, res.TenantID, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scaleTenant loads the scale tenant "bigcare" into a fresh database and
// analyzes it, as autovacuum would have by the time anyone signs in (the
// app role may not analyze; the owner may).
func scaleTenant(b *testing.B) (dbtest.DB, demo.ScaleResult) {
	b.Helper()
	patients := 100_000
	if n, err := strconv.Atoi(os.Getenv("CARECOORD_SCALE_PATIENTS")); err == nil {
		patients = n
	}
	d := dbtest.New(b, "")
	ctx := context.Background()
	res, err := demo.LoadScale(ctx, d.Pool, demo.ScaleOptions{Slug: "bigcare", Patients: patients, Coordinators: 30})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded in %s: %d patients, %d contacts, %d open tasks", res.Took, res.Patients, res.Contacts, res.OpenTasks)
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, "analyze"); err != nil {
		b.Fatal(err)
	}
	return d, res
}

// benchServer serves the real router over the database.
func benchServer(b *testing.B, d dbtest.DB) *httptest.Server {
	b.Helper()
	s := New(Options{Pool: d.Pool, Log: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(s.Handler())
	b.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return hs
}

// benchPage times one page through the router, signed in as email.
func benchPage(b *testing.B, hs *httptest.Server, email, path string) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/login",
		strings.NewReader(url.Values{"email": {email}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res, err := c.Do(req); err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("sign in as %s: %v", email, err)
	}
	for b.Loop() {
		res, err := c.Get(hs.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: status %d", path, res.StatusCode)
		}
	}
}
