package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// envFor points the program at a test database.
func envFor(d dbtest.DB, extra ...string) func(string) string {
	m := map[string]string{"DATABASE_URL": d.URL, "MIGRATE_DATABASE_URL": d.OwnerURL}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, env func(string) string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, env, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

func TestRun_BadConfigurationStopsWithTheVariableNamed(t *testing.T) {
	t.Parallel()
	_, err := runCmd(t, func(k string) string {
		return map[string]string{"ADDR": "nowhere"}[k]
	}, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "ADDR") {
		t.Errorf("err = %v, want ADDR named", err)
	}
}

func TestRun_UnknownCommandShowsUsage(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) || !strings.Contains(stderr.String(), "usage: carecoord") {
		t.Errorf("err = %v, stderr %q; want the command named and usage shown", err, stderr.String())
	}
}

func TestRun_SeedDemoLoadsOnlyIntoAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	env := envFor(d)
	out, err := runCmd(t, env, "", "seed", "demo")
	if err != nil || !strings.Contains(out, "Demo data loaded.") || !strings.Contains(out, "coord1@northside.test") {
		t.Fatalf("first seed: %v\n%s", err, out)
	}
	if _, err := runCmd(t, env, "", "seed", "demo"); err == nil || !strings.Contains(err.Error(), "already has tenants") {
		t.Errorf("second seed: err = %v, want a refusal", err)
	}
	out, err = runCmd(t, env, "", "seed", "demo", "-if-empty")
	if err != nil || !strings.Contains(out, "not loaded") || !strings.Contains(out, "platform@demo.test") {
		t.Errorf("seed -if-empty on a full database: %v\n%s", err, out)
	}
}

func TestRun_MigrateDownAndUpAgain(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	env := envFor(d)
	if out, err := runCmd(t, env, "", "migrate", "up"); err != nil || !strings.Contains(out, "0 applied") {
		t.Fatalf("up on a migrated database: %v %s", err, out)
	}
	if _, err := runCmd(t, env, "", "migrate", "down"); err != nil {
		t.Fatalf("down: %v", err)
	}
	if out, _ := runCmd(t, env, "", "migrate", "status"); !strings.Contains(out, "pending") {
		t.Errorf("status after down:\n%s", out)
	}
	if out, err := runCmd(t, env, "", "migrate", "up"); err != nil || strings.Contains(out, " 0 applied") {
		t.Fatalf("up again: %v %s", err, out)
	}
}

func TestRun_CreatePlatformAdminChecksThePassword(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	env := envFor(d)
	args := []string{"user", "create-platform-admin", "-email", "ops@example.test", "-name", "Ops Person"}
	if _, err := runCmd(t, env, "short\n", args...); err == nil || !strings.Contains(err.Error(), "at least") {
		t.Errorf("short password: err = %v", err)
	}
	if _, err := runCmd(t, env, "password1234\n", args...); err == nil || !strings.Contains(err.Error(), "commonly used") {
		t.Errorf("common password: err = %v", err)
	}
	if out, err := runCmd(t, env, "a sufficiently long passphrase\n", args...); err != nil || !strings.Contains(out, "created") {
		t.Fatalf("create: %v %s", err, out)
	}
	var admin bool
	if err := d.Pool.QueryRow(context.Background(), "select platform_admin from users where email = 'ops@example.test'").Scan(&admin); err != nil || !admin {
		t.Errorf("platform_admin = %v, %v", admin, err)
	}
}

func TestRun_ServeAnswersThenStopsCleanlyWhenAsked(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, envFor(d, "ADDR", "127.0.0.1:0"), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no start-up line: %v (%v)", err, <-done)
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(line[strings.Index(line, "http://"):])
	for _, path := range []string{"/healthz", "/readyz", "/login"} {
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not stop")
	}
}
