package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/server"
	"carecoord/internal/yardstick"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Seed{Name: "demo", Load: demo.Load})
}

// The whole open-loop mode against the real server on the demo data: every
// page of the mix, the writes included, answers as expected, and every read
// page is compared with the yardstick.
func TestRunOpen_TheMixAgainstTheDemoServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the mix for seconds")
	}
	d := dbtest.New(t, "demo")
	ctx := context.Background()
	rec := yardstick.NewRecorder()
	pool, err := db.Open(ctx, d.URL, rec.Tune)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := server.New(server.Options{Pool: pool, Log: slog.New(slog.DiscardHandler)})
	defer srv.Close()
	app := httptest.NewServer(rec.Record(srv.Handler()))
	defer app.Close()
	bare := httptest.NewServer(yardstick.Replayer{Pool: pool, Recorder: rec})
	defer bare.Close()

	o := &openOptions{base: app.URL, password: demo.Password, yardstick: bare.URL, tenants: []string{"northside"},
		rate: 25, duration: 4 * time.Second, coordinators: 2, supervisors: 1,
		slice: 200 * time.Millisecond, rounds: 1, workers: 2}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := runOpen(o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	report := out.String()
	for _, p := range mix {
		line := lineOf(report, p.name+" ")
		if f := strings.Fields(strings.TrimPrefix(line, p.name)); len(f) < 2 || f[1] != "0" {
			t.Errorf("%s: %q, want a line with no errors", p.name, line)
		}
	}
	for _, want := range []string{"throughput against the yardstick", "server memory (pid"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
}

func lineOf(report, prefix string) string {
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// -only runs the named pages of the mix alone: the patient search at a
// constant rate, every arrival a search, and nothing else requested.
func TestRunOpen_OnlyRunsTheNamedPages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the search for seconds")
	}
	d := dbtest.New(t, "demo")
	pool, err := db.Open(context.Background(), d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := server.New(server.Options{Pool: pool, Log: slog.New(slog.DiscardHandler)})
	defer srv.Close()
	app := httptest.NewServer(srv.Handler())
	defer app.Close()

	var out strings.Builder
	err = run([]string{"-url", app.URL, "-password", demo.Password, "-tenants", "northside", "-rate", "10", "-duration", "2s",
		"-coordinators", "2", "-supervisors", "1", "-only", "patient search"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	report := out.String()
	if f := strings.Fields(strings.TrimPrefix(lineOf(report, "patient search "), "patient search")); len(f) < 2 || f[0] != "20" || f[1] != "0" {
		t.Errorf("patient search: %v, want 20 requests and no errors:\n%s", f, report)
	}
	for _, p := range mix {
		if p.name != "patient search" && lineOf(report, p.name+" ") != "" {
			t.Errorf("%s was requested with -only \"patient search\":\n%s", p.name, report)
		}
	}
	if !strings.Contains(report, "only patient search") {
		t.Errorf("the report does not say it ran the search alone:\n%s", report)
	}
}

func TestRun_OnlyRefusesAPageNotInTheMix(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-rate", "5", "-only", "search"},
		{"-rate", "5", "-only", "patient search", "-capacity"},
	} {
		if err := run(args, &strings.Builder{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
