package caseload

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Snapshots keeps, in this process, each tenant's latest copy of a read
// that is costly and changes slowly, such as the measures' monthly trend,
// for a short while. It is a cache of reads, never written by a change:
// within Fresh a copy is served as it is; after that it is still served,
// marked with its time, while one refresh runs in the background, up to
// Stale, after which a request waits for a new one. Forget drops a
// tenant's copies at once.
type Snapshots[T any] struct {
	Fresh, Stale time.Duration
	mu           sync.Mutex
	byKey        map[string]*snapshotEntry[T]
	// cold makes requests that find no copy at the same time (the first
	// look of the morning, after a restart) wait for one computation
	// rather than each run their own.
	cold singleflight.Group
}

type snapshotEntry[T any] struct {
	value      T
	at         time.Time
	refreshing bool
}

// Computed is a value with the moment it was computed.
type Computed[T any] struct {
	Value T
	At    time.Time
}

// NewSnapshots returns an empty store.
func NewSnapshots[T any](fresh, stale time.Duration) *Snapshots[T] {
	return &Snapshots[T]{Fresh: fresh, Stale: stale, byKey: map[string]*snapshotEntry[T]{}}
}

// Get returns the copy kept under key, computing it with compute when
// there is none young enough to serve. A background refresh runs compute
// with its own context, so the request that triggered it does not wait.
func (s *Snapshots[T]) Get(ctx context.Context, key string, now time.Time, compute func(context.Context) (Computed[T], error)) (Computed[T], error) {
	s.mu.Lock()
	e, ok := s.byKey[key]
	if ok {
		age := now.Sub(e.at)
		switch {
		case age < s.Fresh:
			s.mu.Unlock()
			return Computed[T]{e.value, e.at}, nil
		case age < s.Stale:
			if !e.refreshing {
				e.refreshing = true
				go s.refresh(key, compute)
			}
			c := Computed[T]{e.value, e.at}
			s.mu.Unlock()
			return c, nil
		}
	}
	s.mu.Unlock()
	v, err, _ := s.cold.Do(key, func() (any, error) {
		// The computation serves every waiting request, so one leaving
		// early must not cancel it.
		c, err := compute(context.WithoutCancel(ctx))
		if err == nil {
			s.put(key, c)
		}
		return c, err
	})
	if err != nil {
		return Computed[T]{}, err
	}
	return v.(Computed[T]), nil
}

func (s *Snapshots[T]) refresh(key string, compute func(context.Context) (Computed[T], error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := compute(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byKey[key]
	if !ok {
		return // forgotten meanwhile: the next request computes afresh
	}
	e.refreshing = false
	if err == nil && c.At.After(e.at) {
		e.value, e.at = c.Value, c.At
	}
}

func (s *Snapshots[T]) put(key string, c Computed[T]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byKey[key]; ok && e.at.After(c.At) {
		return
	}
	s.byKey[key] = &snapshotEntry[T]{value: c.Value, at: c.At}
}

// Forget drops the copies kept under every key that starts with prefix
// (a tenant id), after a change that must show at once.
func (s *Snapshots[T]) Forget(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.byKey {
		if strings.HasPrefix(k, prefix) {
			delete(s.byKey, k)
		}
	}
}
