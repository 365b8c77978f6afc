package main

import (
	"context"
	"sync"
	"time"
)

// clock is the real one in the command and a fake one in tests.
type clock struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration)
}

var realClock = clock{now: time.Now, sleep: func(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}}

// openLoop fires arrivals at a constant rate for dur: arrival i is due at
// start + i/rate, fixed in advance, and each runs in its own goroutine, so a
// slow response never delays the arrivals after it (the closed loop's
// coordinated omission). fire gets the arrival's due time, from which its
// latency is measured, so time spent waiting to be sent counts too. It
// returns how many arrivals fired, after all of them finished.
func openLoop(ctx context.Context, c clock, rate float64, dur time.Duration, fire func(i int, due time.Time)) int {
	interval := time.Duration(float64(time.Second) / rate)
	start := c.now()
	n := int(dur.Seconds() * rate)
	var wg sync.WaitGroup
	fired := 0
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		c.sleep(ctx, due.Sub(c.now()))
		if ctx.Err() != nil {
			break
		}
		fired++
		wg.Go(func() { fire(i, due) })
	}
	wg.Wait()
	return fired
}

// since is the latency of an arrival due at due and answered now: the
// queueing before it was sent included.
func since(c clock, due time.Time) time.Duration { return c.now().Sub(due) }
