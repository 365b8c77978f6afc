package main

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// tally collects one run's outcomes per page.
type tally struct {
	mu       sync.Mutex
	lat      map[string][]time.Duration
	errs     map[string]int
	firstErr map[string]string
	skipped  map[string]int
	took     time.Duration
}

// skip counts an arrival that could not be made (no task left to
// complete); it is reported, and is not a failure.
func (t *tally) skip(page string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.skipped[page]++
}

func newTally() *tally {
	return &tally{lat: map[string][]time.Duration{}, errs: map[string]int{}, firstErr: map[string]string{}, skipped: map[string]int{}}
}

func (t *tally) add(page string, d time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lat[page] = append(t.lat[page], d)
	if err != nil {
		t.errs[page]++
		if t.firstErr[page] == "" {
			t.firstErr[page] = err.Error()
		}
	}
}

func (t *tally) errors() int {
	n := 0
	for _, e := range t.errs {
		n += e
	}
	return n
}

// summary is one page's line of the table.
type summary struct {
	page                string
	requests, errors    int
	perSecond           float64
	p50, p95, p99, pMax time.Duration
}

// summarize sorts each page's latencies; "mix" is every page together.
func (t *tally) summarize(pages []string) []summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	var all []time.Duration
	var out []summary
	for _, p := range pages {
		ls := slices.Clone(t.lat[p])
		all = append(all, ls...)
		if len(ls) == 0 {
			continue
		}
		out = append(out, summarize(p, ls, t.errs[p], t.took))
	}
	errs := 0
	for _, e := range t.errs {
		errs += e
	}
	return append(out, summarize("mix", all, errs, t.took))
}

func summarize(page string, ls []time.Duration, errs int, took time.Duration) summary {
	slices.Sort(ls)
	s := summary{page: page, requests: len(ls), errors: errs,
		p50: percentile(ls, 50), p95: percentile(ls, 95), p99: percentile(ls, 99), pMax: percentile(ls, 100)}
	if took > 0 {
		s.perSecond = float64(len(ls)) / took.Seconds()
	}
	return s
}

// percentile is the p-th percentile of sorted latencies by nearest rank:
// the smallest value with at least p% of them at or below it.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(1, min(i, len(sorted)))-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func printTable(out io.Writer, title string, rows []summary) {
	fmt.Fprintf(out, "\n%s\n%-22s %8s %6s %8s %8s %8s %8s %8s\n", title, "page", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, s := range rows {
		fmt.Fprintf(out, "%-22s %8d %6d %8.1f %8s %8s %8s %8s\n", s.page, s.requests, s.errors, s.perSecond, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.pMax))
	}
}
