package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"carecoord/internal/yardstick"
)

// openOptions are the flags of the open-loop mode.
type openOptions struct {
	base, password, yardstick string
	tenants                   []string
	only                      []string // page names of the mix to run alone; none: the whole mix
	rate                      float64
	duration                  time.Duration
	coordinators, supervisors int
	pid                       int
	capacity                  bool
	step, maxRate             float64
	stepDuration              time.Duration
	slice                     time.Duration
	rounds, workers           int
}

func openFlags(fs *flag.FlagSet) (*openOptions, *string) {
	o := &openOptions{}
	fs.Func("only", `open loop: comma-separated pages of the mix to run alone, by the names the report prints (e.g. "patient search")`, func(s string) error {
		o.only = splitList(s)
		_, err := mixOf(o.only)
		return err
	})
	tenants := fs.String("tenants", "", "open loop: comma-separated tenants to run the mix on in turn (the first is the one that counts; the others give the growth ratio)")
	fs.Float64Var(&o.rate, "rate", 0, "open loop: arrivals per second of the realistic mix (0: the closed loop of -workers)")
	fs.IntVar(&o.coordinators, "coordinators", 30, "open loop: coord1..coordN of each tenant sign in")
	fs.IntVar(&o.supervisors, "supervisors", 2, "open loop: how many sessions supervisor@<tenant>.test opens")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id, for its peak memory (0: the process listening on -url's port)")
	fs.BoolVar(&o.capacity, "capacity", false, "open loop: step the rate up by -step from -step until the mix's p95 passes 100 ms")
	fs.Float64Var(&o.step, "step", 10, "capacity search: rate added per step")
	fs.Float64Var(&o.maxRate, "max-rate", 500, "capacity search: the highest rate tried")
	fs.DurationVar(&o.stepDuration, "step-duration", 20*time.Second, "capacity search: how long each rate runs")
	fs.StringVar(&o.yardstick, "yardstick", "", "the yardstick's URL (the server's YARDSTICK_ADDR): compare each read page's throughput with it")
	fs.DurationVar(&o.slice, "slice", 2*time.Second, "yardstick: length of one interleaved slice")
	fs.IntVar(&o.rounds, "rounds", 3, "yardstick: app/yardstick slice pairs per page")
	fs.IntVar(&o.workers, "ratio-workers", 4, "yardstick: concurrent clients in a slice")
	return o, tenants
}

func (o *openOptions) check() error {
	switch {
	case o.rate <= 0 || o.rate > 2000:
		return errors.New("-rate must be within 0..2000 per second")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-duration must be within 10m in the open loop")
	case len(o.tenants) == 0:
		return errors.New("-tenants names no tenant")
	case o.capacity && len(o.only) > 0:
		return errors.New("-capacity steps up the whole mix: leave -only out")
	case o.coordinators < 1 || o.coordinators > 1000 || o.supervisors < 1 || o.supervisors > 100:
		return errors.New("-coordinators must be within 1..1000 and -supervisors within 1..100")
	case o.capacity && (o.step <= 0 || o.maxRate > 5000 || o.stepDuration <= 0 || o.stepDuration > 5*time.Minute):
		return errors.New("-step must be positive, -max-rate at most 5000, -step-duration within 5m")
	case o.rounds < 1 || o.workers < 1 || o.workers > 64 || o.slice <= 0 || o.slice > time.Minute:
		return errors.New("-rounds ≥ 1, -ratio-workers within 1..64, -slice within 1m")
	}
	return nil
}

// runOpen is the open-loop mode: the mix on each tenant, the yardstick
// ratios, the capacity search, and the server's memory. Any error fails it.
func runOpen(o *openOptions, out io.Writer) error {
	ctx := context.Background()
	transport := &http.Transport{MaxIdleConns: 2000, MaxIdleConnsPerHost: 2000, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	failed := 0
	var first []summary
	for i, tenant := range o.tenants {
		pages, err := mixOf(o.only)
		if err != nil {
			return err
		}
		l := &load{base: o.base, tenant: tenant, transport: transport, nonce: time.Now().UnixNano() % 1_000_000, sampled: map[string][]string{}, pages: pages}
		if err := l.prepare(o.coordinators, o.supervisors, o.password); err != nil {
			return fmt.Errorf("preparing %s: %w", tenant, err)
		}
		t := l.run(ctx, o.rate, o.duration)
		rows := t.summarize(pageNames())
		title := fmt.Sprintf("%s: open loop, %.0f arrivals/s for %s, %d coordinators and %d supervisor sessions", tenant, o.rate, o.duration, len(l.coords), len(l.supers))
		if len(o.only) > 0 {
			title += ", only " + strings.Join(o.only, ", ")
		}
		printTable(out, title, rows)
		failed += reportErrors(out, t)
		if err := printMemory(out, o); err != nil {
			return err
		}
		if i == 0 {
			first = rows
			if o.yardstick != "" {
				n, err := l.compare(ctx, o, out)
				if err != nil {
					return err
				}
				failed += n
			}
			if o.capacity {
				failed += l.capacity(ctx, o, out)
			}
		} else {
			printGrowth(out, o.tenants[0], tenant, first, rows)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d requests failed", failed)
	}
	return nil
}

func pageNames() []string {
	names := make([]string, len(mix))
	for i, p := range mix {
		names[i] = p.name
	}
	return names
}

// run is one open-loop run of the mix at rate for dur.
func (l *load) run(ctx context.Context, rate float64, dur time.Duration) *tally {
	t := newTally()
	r := rand.New(rand.NewPCG(1, uint64(rate)))
	pages := make([]*page, int(dur.Seconds()*rate))
	for i := range pages {
		pages[i] = choose(r, l.pages)
	}
	start := realClock.now()
	openLoop(ctx, realClock, rate, dur, func(i int, due time.Time) {
		l.do(ctx, pages[i], i, realClock, due, t)
	})
	t.took = realClock.now().Sub(start)
	return t
}

func reportErrors(out io.Writer, t *tally) int {
	for page, n := range t.skipped {
		fmt.Fprintf(out, "  %s: %d arrivals skipped, no coordinator had an open task left\n", page, n)
	}
	for page, msg := range t.firstErr {
		fmt.Fprintf(out, "  %s: %d errors, the first: %s\n", page, t.errs[page], msg)
	}
	return t.errors()
}

// capacity steps the rate up until the mix's p95 passes 100 ms (or a
// request fails) and reports the highest rate that held.
func (l *load) capacity(ctx context.Context, o *openOptions, out io.Writer) int {
	fmt.Fprintf(out, "\ncapacity search on %s: %s per step\n%8s %8s %8s %8s\n", l.tenant, o.stepDuration, "rate/s", "p95 ms", "p99 ms", "errors")
	held := 0.0
	for rate := o.step; rate <= o.maxRate; rate += o.step {
		t := l.run(ctx, rate, o.stepDuration)
		rows := t.summarize(pageNames())
		m := rows[len(rows)-1]
		fmt.Fprintf(out, "%8.0f %8s %8s %8d\n", rate, ms(m.p95), ms(m.p99), m.errors)
		if m.p95 > 100*time.Millisecond || m.errors > 0 {
			break
		}
		held = rate
	}
	fmt.Fprintf(out, "capacity: %.0f arrivals/s held p95 < 100 ms\n", held)
	return 0 // past capacity, errors are the search's end, not a failure
}

// compare measures each read page's throughput against the yardstick in
// interleaved slices: app, yardstick, app, yardstick… with the same URLs,
// so the machine's other load falls on both alike.
func (l *load) compare(ctx context.Context, o *openOptions, out io.Writer) (int, error) {
	if _, err := url.Parse(o.yardstick); err != nil {
		return 0, err
	}
	bare := &http.Client{Transport: l.transport, Timeout: 30 * time.Second}
	fmt.Fprintf(out, "\nthroughput against the yardstick (same statements, same bytes; %d clients, %d × %s slices each)\n%-22s %10s %12s %7s\n",
		o.workers, o.rounds, o.slice, "page", "app req/s", "yardstick", "ratio")
	failed := 0
	for _, p := range mix {
		uris := l.sampled[p.name]
		if !p.read || len(uris) == 0 {
			continue
		}
		who := l.coords[0].email
		if p.supervisor {
			who = l.supers[0].email
		}
		// A fresh session: the mix may have ended the old one (the server
		// signs out a session whose request failed while loading its user).
		u, err := l.signIn(who, o.password)
		if err != nil {
			return failed, err
		}
		// Each URL once on the app first, so the yardstick has them all.
		for _, uri := range uris {
			req, _ := http.NewRequest(http.MethodGet, o.base+uri, nil)
			req.Header.Set(yardstick.RecordHeader, "1")
			if err := send(ctx, u.client, req, true); err != nil {
				return failed, fmt.Errorf("recording %s: %w", uri, err)
			}
		}
		var appN, bareN int
		var appT, bareT time.Duration
		var firstErr error
		for range o.rounds {
			n, d, f1, e1 := closedLoop(ctx, o.workers, o.slice, true, func(w, i int) (*http.Client, string) {
				return u.client, o.base + uris[(w+i)%len(uris)]
			})
			appN, appT = appN+n, appT+d
			m, e, f2, e2 := closedLoop(ctx, o.workers, o.slice, false, func(w, i int) (*http.Client, string) {
				return bare, o.yardstick + uris[(w+i)%len(uris)]
			})
			bareN, bareT = bareN+m, bareT+e
			failed += f1 + f2
			firstErr = cmp.Or(firstErr, e1, e2)
		}
		a, b := float64(appN)/appT.Seconds(), float64(bareN)/bareT.Seconds()
		fmt.Fprintf(out, "%-22s %10.1f %12.1f %7.2f\n", p.name, a, b, a/b)
		if firstErr != nil {
			fmt.Fprintf(out, "  %s: the first failure: %v\n", p.name, firstErr)
		}
	}
	if failed > 0 {
		fmt.Fprintf(out, "  %d requests failed while comparing\n", failed)
	}
	return failed, nil
}

// closedLoop runs workers back to back for d: how many answered 200, how
// long it took, how many did not. Requests under way at the end are let
// finish and counted (cancelling them would end the session: see
// compare). record asks the app to record the pages for the yardstick.
func closedLoop(ctx context.Context, workers int, d time.Duration, record bool, next func(w, i int) (*http.Client, string)) (ok int, took time.Duration, failed int, firstErr error) {
	var okN, failN atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	start := realClock.now()
	end := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			for i := 0; realClock.now().Before(end) && ctx.Err() == nil; i++ {
				c, u := next(w, i)
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				if record {
					req.Header.Set(yardstick.RecordHeader, "1")
				}
				if err := send(ctx, c, req, true); err != nil {
					failN.Add(1)
					once.Do(func() { firstErr = err })
				} else {
					okN.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(okN.Load()), realClock.now().Sub(start), int(failN.Load()), firstErr
}

// printGrowth is each page's p95 on the big tenant over its p95 on the
// small one.
func printGrowth(out io.Writer, big, small string, bigRows, smallRows []summary) {
	p95 := map[string]time.Duration{}
	for _, s := range smallRows {
		p95[s.page] = s.p95
	}
	fmt.Fprintf(out, "\ngrowth: p95 on %s / p95 on %s\n", big, small)
	for _, s := range bigRows {
		if base := p95[s.page]; base > 0 {
			fmt.Fprintf(out, "%-22s %8s / %8s ms = %6.1f\n", s.page, ms(s.p95), ms(base), float64(s.p95)/float64(base))
		}
	}
}

func printMemory(out io.Writer, o *openOptions) error {
	pid := o.pid
	if pid == 0 {
		u, err := url.Parse(o.base)
		if err != nil {
			return err
		}
		port, _ := strconv.Atoi(u.Port())
		if pid, err = listener(port); err != nil {
			fmt.Fprintf(out, "\nserver memory: unknown (%v)\n", err)
			return nil
		}
	}
	peak, now, err := memory(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nserver memory (pid %d): peak RSS so far %.0f MB, now %.0f MB\n", pid, float64(peak)/1024, float64(now)/1024)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
