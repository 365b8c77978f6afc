package schedule

import (
	"context"
	"time"

	"carecoord/internal/caseload"
	"carecoord/internal/contacts"
	"carecoord/internal/referrals"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Jobs are CareCoord's time-driven work. A feature that needs work done
// when time passes (not when someone acts) adds its job here.
func Jobs() []Job {
	return []Job{
		// Follow-ups of referrals nobody answered, and warnings of
		// authorisations about to end: due on a day, so a few minutes'
		// delay after midnight is harmless.
		{Name: "referrals.raise_due", Every: 5 * time.Minute, Run: raiseReferralTasks},
		// The supervisors' dashboard, counted and stored for every page
		// and replica to read; after raise_due, so it counts what that
		// raised.
		{Name: "caseload.snapshot", Every: time.Minute, Run: refreshCaseload},
		// The measures' cadence counts, recomputed after the organisation
		// changes its cadence (a no-op otherwise); every active patient's
		// contacts at 100,000 patients take tens of seconds.
		{Name: "caseload.measure_cadence", Every: time.Minute, Run: refreshMeasureCadence, Timeout: 5 * time.Minute},
		// The kept engagement of discharges not worked out yet: once, for
		// those recorded before migration 00033 (bigcare's 7,099: 1.25 s), and
		// for any a loader copied in bulk; one probe of an empty partial
		// index otherwise. The measure reads their contacts until then.
		{Name: "contacts.follow_ups", Every: time.Minute, Run: workOutFollowUps, Timeout: 5 * time.Minute},
	}
}

func raiseReferralTasks(ctx context.Context, tx pgx.Tx, a tenants.Actor) error {
	_, err := referrals.RaiseDue(ctx, tx, a.TenantID, a.Today(), a.At.Location(), a.Settings.AuthorizationWarningDays)
	return err
}

func refreshCaseload(ctx context.Context, tx pgx.Tx, a tenants.Actor) error {
	return caseload.RefreshSnapshot(ctx, tx, a)
}

func workOutFollowUps(ctx context.Context, tx pgx.Tx, a tenants.Actor) error {
	_, err := contacts.WorkOutFollowUps(ctx, tx, a.TenantID, a.At.Location())
	return err
}

func refreshMeasureCadence(ctx context.Context, tx pgx.Tx, a tenants.Actor) error {
	return caseload.RefreshMeasureCadence(ctx, tx, a)
}
