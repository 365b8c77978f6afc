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
