package yardstick_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/server"
	"carecoord/internal/yardstick"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Seed{Name: "demo", Load: demo.Load})
}

// The real server in record mode on the demo data: the yardstick answers a
// chart the app served with the same bytes, having run the same statements
// (the app's own transaction included) on its own pool.
func TestRecordAndReplay_ChartOnDemoData(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	ctx := context.Background()
	rec := yardstick.NewRecorder()
	appPool, err := db.Open(ctx, d.URL, rec.Tune)
	if err != nil {
		t.Fatal(err)
	}
	defer appPool.Close()
	srv := server.New(server.Options{Pool: appPool, Log: slog.New(slog.DiscardHandler)})
	defer srv.Close()
	app := httptest.NewServer(rec.Record(srv.Handler()))
	defer app.Close()
	barePool, err := db.Open(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer barePool.Close()
	bare := httptest.NewServer(yardstick.Replayer{Pool: barePool, Recorder: rec})
	defer bare.Close()

	c := signIn(t, app.URL, "coord1@northside.test")
	worklist := get(t, c, app.URL+"/t/northside/worklist")
	if _, ok := rec.Page("/t/northside/worklist"); ok {
		t.Error("a page was recorded without being asked to")
	}
	chart := regexp.MustCompile(`/t/northside/patients/[0-9a-f-]{36}`).FindString(worklist)
	if chart == "" {
		t.Fatal("no patient on the worklist")
	}
	body := get(t, c, app.URL+chart, yardstick.RecordHeader)

	r, ok := rec.Page(chart)
	if !ok {
		t.Fatalf("%s was not recorded", chart)
	}
	var sqls []string
	for _, s := range r.Statements {
		sqls = append(sqls, strings.TrimSpace(s.SQL))
		for _, q := range s.Batch {
			sqls = append(sqls, strings.TrimSpace(q.SQL))
		}
	}
	joined := strings.Join(sqls, "\n")
	for _, want := range []string{"begin", "set_config('app.tenant_id'", "commit", "from patients"} {
		if !strings.Contains(joined, want) {
			t.Errorf("recorded statements lack %q:\n%s", want, joined)
		}
	}
	if _, ok := rec.Page("/t/northside/patients/new?x=1"); ok {
		t.Error("a page never served is recorded")
	}

	replayed := get(t, http.DefaultClient, bare.URL+chart)
	if replayed != body {
		t.Errorf("the yardstick wrote %d bytes, the app %d", len(replayed), len(body))
	}
	res, err := http.Get(bare.URL + "/t/northside/patients/new")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("an unrecorded page: status %d, want 404", res.StatusCode)
	}
}

func signIn(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"email": {email}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return c
}

func get(t *testing.T, c *http.Client, u string, headers ...string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for _, h := range headers {
		req.Header.Set(h, "1")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, res.StatusCode)
	}
	return string(b)
}

// A pgx.Batch is one round trip in the app and is recorded and replayed as
// one batch, so batching statements shows in the ratio.
func TestRecordAndReplay_ABatchStaysOneBatch(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	ctx := context.Background()
	rec := yardstick.NewRecorder()
	pool, err := db.Open(ctx, d.URL, rec.Tune)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	page := rec.Record(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := &pgx.Batch{}
		b.Queue("select 1")
		b.Queue("select $1::int + 1", 41)
		if err := pool.SendBatch(r.Context(), b).Close(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var n int
		if err := pool.QueryRow(r.Context(), "select $1::int", 7).Scan(&n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("seven"))
	}))
	app := httptest.NewServer(page)
	defer app.Close()
	get(t, http.DefaultClient, app.URL+"/p?x=1", yardstick.RecordHeader)

	r, ok := rec.Page("/p?x=1")
	if !ok {
		t.Fatal("not recorded")
	}
	if len(r.Statements) != 2 || len(r.Statements[0].Batch) != 2 || r.Statements[0].Batch[1].Args[0] != 41 || r.Statements[1].SQL != "select $1::int" {
		t.Fatalf("recorded %+v, want a batch of two then one query", r.Statements)
	}
	bare := httptest.NewServer(yardstick.Replayer{Pool: pool, Recorder: rec})
	defer bare.Close()
	if got := get(t, http.DefaultClient, bare.URL+"/p?x=1"); got != "seven" {
		t.Errorf("replayed %q", got)
	}
}
