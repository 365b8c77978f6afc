package main

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when the scheduler sleeps, so the timetable is
// exact; it is shared with the arrivals, hence the lock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) clock() clock {
	return clock{
		now: func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
		sleep: func(_ context.Context, d time.Duration) {
			if d > 0 {
				f.advance(d)
			}
		},
	}
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func TestOpenLoop_ArrivalsOnAFixedTimetable(t *testing.T) {
	t.Parallel()
	f := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	start := f.now
	var mu sync.Mutex
	dues := map[int]time.Time{}
	sent := map[int]time.Time{}
	n := openLoop(context.Background(), f.clock(), 50, 2*time.Second, func(i int, due time.Time) {
		mu.Lock()
		defer mu.Unlock()
		dues[i] = due
		sent[i] = f.clock().now()
	})
	if n != 100 || len(dues) != 100 {
		t.Fatalf("50/s for 2s fired %d arrivals (%d seen), want 100", n, len(dues))
	}
	for i := range 100 {
		want := start.Add(time.Duration(i) * 20 * time.Millisecond)
		if !dues[i].Equal(want) {
			t.Errorf("arrival %d due at +%s, want +%s", i, dues[i].Sub(start), want.Sub(start))
		}
		if sent[i].Before(dues[i]) {
			t.Errorf("arrival %d sent %s before it was due", i, dues[i].Sub(sent[i]))
		}
	}
}

// A response that never comes back does not hold up the arrivals after it:
// the closed loop's coordinated omission.
func TestOpenLoop_SlowResponsesDoNotDelayLaterArrivals(t *testing.T) {
	t.Parallel()
	f := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	release := make(chan struct{})
	var mu sync.Mutex
	started := 0
	done := make(chan int)
	go func() {
		done <- openLoop(context.Background(), f.clock(), 100, time.Second, func(i int, _ time.Time) {
			mu.Lock()
			started++
			mu.Unlock()
			if i == 0 {
				<-release // the first response hangs until all the others went out
			}
		})
	}()
	deadline := time.After(5 * time.Second)
	for {
		mu.Lock()
		s := started
		mu.Unlock()
		if s == 100 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("only %d of 100 arrivals went out while the first was unanswered", s)
		case <-time.After(time.Millisecond):
		}
	}
	close(release)
	if n := <-done; n != 100 {
		t.Errorf("fired %d, want 100", n)
	}
}

// Latency counts from the due time: an arrival sent late because the load
// generator was behind is charged the wait too.
func TestSince_CountsFromTheDueTime(t *testing.T) {
	t.Parallel()
	f := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	due := f.now
	f.advance(30 * time.Millisecond) // sent 30 ms late
	f.advance(12 * time.Millisecond) // answered 12 ms after sending
	if got := since(f.clock(), due); got != 42*time.Millisecond {
		t.Errorf("latency %s, want 42ms", got)
	}
}

func TestOpenLoop_StopsWhenCancelled(t *testing.T) {
	t.Parallel()
	f := &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	stop := f.now.Add(450 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	c := f.clock()
	c.sleep = func(_ context.Context, d time.Duration) {
		if f.advance(d); !f.clock().now().Before(stop) {
			cancel() // the run is cut short at +450 ms
		}
	}
	if n := openLoop(ctx, c, 10, 10*time.Second, func(int, time.Time) {}); n != 5 {
		t.Errorf("fired %d arrivals, want the 5 due before the cancel", n)
	}
}

func TestPercentile_NearestRank(t *testing.T) {
	t.Parallel()
	var ls []time.Duration
	for i := 1; i <= 200; i++ {
		ls = append(ls, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[int]time.Duration{50: 100 * time.Millisecond, 95: 190 * time.Millisecond, 99: 198 * time.Millisecond, 100: 200 * time.Millisecond} {
		if got := percentile(ls, p); got != want {
			t.Errorf("p%d of 1..200 ms = %s, want %s", p, got, want)
		}
	}
	if got := percentile([]time.Duration{3, 9}, 95); got != 9 {
		t.Errorf("p95 of two = %d, want the larger", got)
	}
	if got := percentile(nil, 95); got != 0 {
		t.Errorf("p95 of none = %s", got)
	}
}

func TestTally_SummarizesPerPageAndTheMix(t *testing.T) {
	t.Parallel()
	tl := newTally()
	for i := 1; i <= 100; i++ {
		tl.add("chart", time.Duration(i)*time.Millisecond, nil)
	}
	tl.add("intake", 500*time.Millisecond, errNoTask)
	tl.took = 10 * time.Second
	rows := tl.summarize([]string{"chart", "intake", "measures"})
	if len(rows) != 3 || rows[0].page != "chart" || rows[1].page != "intake" || rows[2].page != "mix" {
		t.Fatalf("rows %+v", rows)
	}
	if rows[0].p95 != 95*time.Millisecond || rows[0].perSecond != 10 || rows[0].errors != 0 {
		t.Errorf("chart %+v", rows[0])
	}
	if rows[2].requests != 101 || rows[2].errors != 1 || rows[2].pMax != 500*time.Millisecond {
		t.Errorf("mix %+v", rows[2])
	}
}

func TestReadForm_WhatABrowserWouldSend(t *testing.T) {
	t.Parallel()
	page := `<form method="post" action="/logout"><button>Sign out</button></form>
<form method="post" action="/t/x/patients/p1/contacts" novalidate>
<input type="hidden" name="version" value="3">
<input name="occurred_at" type="datetime-local" value="2026-12-04T09:00">
<select name="method"><option value="phone">Phone</option><option value="video" selected>Video</option></select>
<select name="outcome"><option value="">Choose</option><option value="reached">Reached</option></select>
<input type="checkbox" name="goal" value="g1"><input type="checkbox" name="goal2" value="g2" checked>
<textarea name="summary">Said &amp; done</textarea>
</form><form method="post" action="/t/x/other"><input name="version" value="9"></form>`
	action, v, err := readForm(page, "/contacts")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"version": "3", "occurred_at": "2026-12-04T09:00", "method": "video", "outcome": "", "goal2": "g2", "summary": "Said & done"}
	if action != "/t/x/patients/p1/contacts" {
		t.Errorf("action %q", action)
	}
	for k, w := range want {
		if got := v.Get(k); got != w || !v.Has(k) {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if v.Has("goal") || len(v) != len(want) {
		t.Errorf("sent %v", v)
	}
	if _, _, err := readForm(page, "/complete"); err == nil {
		t.Error("a form that is not there was found")
	}
}
