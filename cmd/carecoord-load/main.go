// Command carecoord-load measures a running CareCoord from outside. It only
// ever targets the base URL it is given (loopback by default).
//
// The open loop (-rate) is the measurement that counts: arrivals of a
// realistic mix (mix.go) at a constant rate, each on a timetable fixed in
// advance and timed from its due time, so queueing counts; coordinators and
// supervisors of the tenants signed in. It prints per page requests,
// errors, throughput and p50/p95/p99, the growth from one tenant to the
// next, the server's peak memory, optionally the throughput ratio to the
// yardstick (-yardstick, see internal/yardstick) and the capacity
// (-capacity), and exits non-zero on any failed request:
//
//	go run ./cmd/carecoord-load -url http://127.0.0.1:8080 -tenants bigcare,smallcare -rate 50 -duration 60s
//
// -only runs some pages of the mix alone at the rate, for example the
// patient search at a low constant rate (single-user latency):
//
//	go run ./cmd/carecoord-load -tenants bigcare -rate 5 -duration 60s -only "patient search"
//
// Without -rate it is a closed loop: several clients signed in as one demo
// user request pages back to back for a bounded time:
//
//	go run ./cmd/carecoord-load -duration 20s -workers 8
//
// -pages chooses the pages (paths inside the tenant, comma-separated), for
// example the worklist alone against a scale tenant:
//
//	go run ./cmd/carecoord-load -tenant bigcare -email coord1@bigcare.test -pages /worklist
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "carecoord-load:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("carecoord-load", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "CareCoord's address")
	email := fs.String("email", "coord1@northside.test", "demo user to sign in as")
	password := fs.String("password", "demo-password", "their password")
	tenant := fs.String("tenant", "northside", "tenant slug")
	duration := fs.Duration("duration", 20*time.Second, "how long to run (at most 5m)")
	workers := fs.Int("workers", 8, "concurrent clients (1-64)")
	only := fs.String("pages", "", "comma-separated paths inside the tenant to request instead of the usual mix, e.g. /worklist")
	open, tenants := openFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if open.rate != 0 {
		open.base, open.password, open.duration = strings.TrimRight(*base, "/"), *password, *duration
		if open.tenants = splitList(*tenants); len(open.tenants) == 0 {
			open.tenants = []string{*tenant}
		}
		if err := open.check(); err != nil {
			return err
		}
		return runOpen(open, out)
	}
	if *duration <= 0 || *duration > 5*time.Minute || *workers < 1 || *workers > 64 {
		return errors.New("-duration must be within 5m and -workers within 1..64")
	}
	t := "/t/" + *tenant
	pages := []string{t + "/worklist", t + "/patients", t + "/patients?coordinator=all&status=active",
		t + "/patients?coordinator=all&q=marg", t + "/patients/new"}
	if *only != "" {
		pages = nil
		for _, p := range strings.Split(*only, ",") {
			if p = strings.TrimSpace(p); !strings.HasPrefix(p, "/") {
				return fmt.Errorf("-pages: %q is not a path inside the tenant (start it with /)", p)
			}
			pages = append(pages, t+p)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var mu sync.Mutex
	latencies := map[string][]time.Duration{}
	failures := map[string]int{}
	var wg sync.WaitGroup
	for w := range *workers {
		c, err := signIn(*base, *email, *password)
		if err != nil {
			return fmt.Errorf("sign in: %w", err)
		}
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				page := pages[i%len(pages)]
				d, err := get(ctx, c, *base+page)
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				if err != nil {
					failures[page]++
				} else {
					latencies[page] = append(latencies[page], d)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	report(out, pages, latencies, failures, *duration, *workers)
	return nil
}

func signIn(base, email, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if !strings.Contains(res.Request.URL.Path, "/t/") {
		return nil, fmt.Errorf("sign-in as %s did not reach a tenant page (ended at %s)", email, res.Request.URL.Path)
	}
	return c, nil
}

func get(ctx context.Context, c *http.Client, u string) (time.Duration, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", res.StatusCode)
	}
	return time.Since(start), nil
}

func report(out io.Writer, pages []string, lat map[string][]time.Duration, fail map[string]int, d time.Duration, workers int) {
	total := 0
	fmt.Fprintf(out, "%d clients for %s\n%-52s %7s %7s %8s %8s %8s %8s %6s\n", workers, d, "page", "count", "fails", "p50", "p90", "p95", "p99", "max")
	for _, p := range pages {
		ls := lat[p]
		slices.Sort(ls)
		total += len(ls)
		fmt.Fprintf(out, "%-52s %7d %7d %8s %8s %8s %8s %6s\n", p, len(ls), fail[p], pct(ls, 50), pct(ls, 90), pct(ls, 95), pct(ls, 99), pct(ls, 100))
	}
	fmt.Fprintf(out, "throughput: %.0f requests/s\n", float64(total)/d.Seconds())
}

// pct is the p-th percentile of sorted latencies, nearest rank.
func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := (len(sorted)*p + 99) / 100
	i = max(1, min(i, len(sorted)))
	return sorted[i-1].Round(100 * time.Microsecond).String()
}
