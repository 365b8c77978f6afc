package caseload

import (
	"context"
	"sync"
	"time"
)

// Snapshot is the dashboard as computed at one moment.
type Snapshot struct {
	Rows  []Row
	Total Row
	// Weeks are the team's successful contacts in each of the last twelve
	// weeks.
	Weeks []WeekCount
	At    time.Time
}

// Snapshots keeps each tenant's latest dashboard for a short while.
// Counting the flags of a large organisation reads every open patient (a
// few hundred milliseconds at 100,000), while supervisors open the
// dashboard often: within Fresh a snapshot is served as it is; after that
// it is still served, marked with its time, while one refresh runs in the
// background, up to Stale, after which a request waits for a new one.
// Changes a supervisor makes from the dashboard call Forget, so their own
// next look is current.
type Snapshots struct {
	Fresh, Stale time.Duration
	mu           sync.Mutex
	byTenant     map[string]*snapshotEntry
}

type snapshotEntry struct {
	snap       Snapshot
	refreshing bool
}

// NewSnapshots returns an empty store.
func NewSnapshots(fresh, stale time.Duration) *Snapshots {
	return &Snapshots{Fresh: fresh, Stale: stale, byTenant: map[string]*snapshotEntry{}}
}

// Get returns the tenant's snapshot, computing it with compute when there
// is none young enough to serve. A background refresh runs compute with
// its own context, so the request that triggered it does not wait.
func (s *Snapshots) Get(ctx context.Context, tenantID string, now time.Time, compute func(context.Context) (Snapshot, error)) (Snapshot, error) {
	s.mu.Lock()
	e, ok := s.byTenant[tenantID]
	if ok {
		age := now.Sub(e.snap.At)
		switch {
		case age < s.Fresh:
			s.mu.Unlock()
			return e.snap, nil
		case age < s.Stale:
			if !e.refreshing {
				e.refreshing = true
				go s.refresh(tenantID, compute)
			}
			snap := e.snap
			s.mu.Unlock()
			return snap, nil
		}
	}
	s.mu.Unlock()
	snap, err := compute(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	s.put(tenantID, snap)
	return snap, nil
}

func (s *Snapshots) refresh(tenantID string, compute func(context.Context) (Snapshot, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := compute(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byTenant[tenantID]
	if !ok {
		return // forgotten meanwhile: the next request computes afresh
	}
	e.refreshing = false
	if err == nil && snap.At.After(e.snap.At) {
		e.snap = snap
	}
}

func (s *Snapshots) put(tenantID string, snap Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byTenant[tenantID]; ok && e.snap.At.After(snap.At) {
		return
	}
	s.byTenant[tenantID] = &snapshotEntry{snap: snap}
}

// Forget drops the tenant's snapshot, after a change the dashboard must
// show at once.
func (s *Snapshots) Forget(tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byTenant, tenantID)
}
