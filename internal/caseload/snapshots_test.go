package caseload_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"carecoord/internal/caseload"
)

func TestSnapshots_FreshServedStaleRefreshedInTheBackgroundForgottenRecomputed(t *testing.T) {
	t.Parallel()
	s := caseload.NewSnapshots[int](time.Minute, 10*time.Minute)
	var calls atomic.Int32
	done := make(chan struct{}, 4)
	clock := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	compute := func(context.Context) (caseload.Computed[int], error) {
		n := calls.Add(1)
		defer func() { done <- struct{}{} }()
		return caseload.Computed[int]{Value: int(n), At: clock.Add(time.Duration(n) * time.Second)}, nil
	}
	get := func(now time.Time) caseload.Computed[int] {
		snap, err := s.Get(context.Background(), "t1", now, compute)
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	first := get(clock)
	<-done
	if again := get(clock.Add(30 * time.Second)); !again.At.Equal(first.At) || calls.Load() != 1 {
		t.Fatalf("a fresh snapshot was recomputed: %d calls", calls.Load())
	}
	// Two minutes on: the old snapshot is served while one refresh runs.
	if stale := get(clock.Add(2 * time.Minute)); !stale.At.Equal(first.At) {
		t.Error("a stale snapshot was not served at once")
	}
	<-done
	clock = clock.Add(2 * time.Minute)
	if calls.Load() != 2 {
		t.Errorf("%d computations after the refresh, want 2", calls.Load())
	}
	s.Forget("t1")
	get(clock.Add(2*time.Minute + time.Second))
	<-done
	if calls.Load() != 3 {
		t.Errorf("%d computations after Forget, want 3", calls.Load())
	}
	// Far too old: the request waits for a new one.
	get(clock.Add(time.Hour))
	<-done
	if calls.Load() != 4 {
		t.Errorf("%d computations for a snapshot older than Stale, want 4", calls.Load())
	}
}
