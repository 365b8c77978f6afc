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
	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"

	"github.com/jackc/pgx/v5"
)

func BenchmarkWorklist(b *testing.B) {
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
	// The statistics autovacuum would have gathered by the time anyone
	// signs in; the app role may not analyze, the owner may.
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := owner.Exec(ctx, "analyze"); err != nil {
		b.Fatal(err)
	}
	owner.Close(ctx)
	var coord string
	if err := d.Pool.QueryRow(ctx, "select id from users where email = 'coord1@bigcare.test'").Scan(&coord); err != nil {
		b.Fatal(err)
	}

	s := New(Options{Pool: d.Pool, Log: slog.New(slog.DiscardHandler)})
	defer s.Close()
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	b.Run("page", func(b *testing.B) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/login",
			strings.NewReader(url.Values{"email": {"coord1@bigcare.test"}, "password": {demo.Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if res, err := c.Do(req); err != nil || res.Request.URL.Path != "/t/bigcare/worklist" {
			b.Fatalf("sign in: %v", err)
		}
		for b.Loop() {
			res, err := c.Get(hs.URL + "/t/bigcare/worklist")
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	queries := map[string]func(tx pgx.Tx) error{
		"tasks": func(tx pgx.Tx) error {
			_, err := contacts.OpenForAssignee(ctx, tx, res.TenantID, coord, contacts.EndOfDay(time.Now()))
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
			_, err := careplans.DueForReview(ctx, tx, res.TenantID, coord, time.Now())
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
