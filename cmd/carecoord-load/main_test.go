package main

import (
	"strings"
	"testing"
	"time"
)

func TestPct_NearestRank(t *testing.T) {
	t.Parallel()
	var ls []time.Duration
	for i := 1; i <= 100; i++ {
		ls = append(ls, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[int]string{50: "50ms", 90: "90ms", 99: "99ms", 100: "100ms"} {
		if got := pct(ls, p); got != want {
			t.Errorf("p%d = %s, want %s", p, got, want)
		}
	}
	if got := pct([]time.Duration{7 * time.Millisecond}, 99); got != "7ms" {
		t.Errorf("p99 of one = %s", got)
	}
	if got := pct(nil, 50); got != "-" {
		t.Errorf("p50 of none = %s", got)
	}
}

func TestRun_RefusesUnboundedLoad(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-duration", "1h"}, {"-workers", "0"}, {"-workers", "500"}, {"-pages", "worklist"}} {
		if err := run(args, &strings.Builder{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
