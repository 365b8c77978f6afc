package caseload_test

import (
	"context"
	"testing"

	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// refresh stores the dashboard as the scheduler's job does.
func (w *world) refresh() {
	w.t.Helper()
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		return caseload.RefreshSnapshot(context.Background(), tx, tenants.System(w.tenant, tenants.DefaultSettings(), w.now))
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) stale() bool {
	return w.count("select count(*) from caseload_snapshots where changes > seen") == 1
}

func TestMarkStale_APlanEnteringOrLeavingSubmittedMarksTheStoredDashboard(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	w.plan(w.p3, "draft", "editing", -1, -1)
	w.refresh()
	for _, step := range []struct {
		set   string
		stale bool
	}{
		{"title = 'Renamed'", false},                                         // an edit: no count moves
		{"stage = 'submitted'", true},                                        // submitted
		{"stage = 'editing'", true},                                          // returned
		{"stage = 'submitted'", true},                                        // submitted again
		{"status = 'active', stage = 'approved', approved_at = now()", true}, // approved
		{"stage = 'editing'", false},                                         // a revision begun
	} {
		w.exec("update care_plans set "+step.set+" where patient_id = $1", w.p3)
		if got := w.stale(); got != step.stale {
			t.Errorf("after %s: stale %v, want %v", step.set, got, step.stale)
		}
		w.refresh()
		if w.stale() {
			t.Fatalf("a refresh after %s left the dashboard stale", step.set)
		}
	}
}

func TestDashboard_ComputedForThePageIsTheStoredOneWhileCurrent(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	s := caseload.NewService(w.d.Pool)
	a := tenants.Actor{TenantID: w.tenant, UserID: w.sue, Settings: tenants.DefaultSettings(), At: w.now}
	computed, err := s.Dashboard(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count("select count(*) from caseload_snapshots"); n != 0 {
		t.Fatal("the page stored the dashboard it computed")
	}
	w.refresh()
	stored, err := s.Dashboard(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Rows) != len(computed.Rows) || stored.Total.Counts[caseload.FlagPastCadence] != computed.Total.Counts[caseload.FlagPastCadence] ||
		stored.Rows[0].OldestReferralDays != computed.Rows[0].OldestReferralDays || len(stored.Weeks) != 12 {
		t.Errorf("the stored dashboard reads back differently:\nstored   %+v\ncomputed %+v", stored, computed)
	}
}
