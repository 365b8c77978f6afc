package referrals

import (
	"context"

	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the use cases of referrals, the resource directory,
// authorisations and appointments. Each takes the acting tenants.Actor,
// runs in the tenant's transaction, and writes its change together with
// the patient's timeline line and the audit event, or nothing at all.
//
// The transaction-level functions the use cases are made of (WriteDraft,
// MarkSent, Move, RecordAuthorization, InsertAppointment, ApplyMark) hold
// the rules of each change; the demo loader replays its history through
// them.
type Service struct {
	pool *pgxpool.Pool
}

// NewService is the referrals' use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Failures a person is told about.
var (
	// ErrReferralChanged means the referral is not as the person saw it:
	// someone took a step or saved the authorisation meanwhile, or the
	// step asked for no longer applies.
	ErrReferralChanged = db.ErrConflict.Because("Someone else changed this referral while you were looking at it. " +
		"Reload the page to see where it stands now.")
	// ErrNoConsent means the patient's consent to share with the receiving
	// party is not in force (see CheckSharing), so nothing is sent.
	ErrNoConsent = fail.Precondition("Not sent: the patient's consent to share their information with them is not in force.")
	// ErrResourceChanged means someone saved the resource since it was
	// read.
	ErrResourceChanged = db.ErrConflict.Because("Someone else changed this resource while you were editing it. " +
		"Reload the page to see their change, then make yours again.")
	// ErrNotBegun means an appointment cannot be recorded as kept or
	// missed before it has begun.
	ErrNotBegun = db.ErrConflict.Because("The appointment has not begun yet, so whether it was kept or missed can't be recorded. " +
		"Reload the page to see where it stands.")
	// ErrNotMaintainer means the person's role does not maintain the
	// directory.
	ErrNotMaintainer = fail.Forbidden("Supervisors and administrators maintain the directory; your role reads it.")
)

// invalid is the failure of a form with errs beside its fields, or nil
// when there are none.
func invalid(errs Errors, msg string) error {
	if len(errs) == 0 {
		return nil
	}
	return fail.Invalid(errs, msg)
}

// GoalReferrals reads the referrals made for each of goalIDs, for the care
// plan page, which shows them under their goals.
func (s *Service) GoalReferrals(ctx context.Context, a tenants.Actor, goalIDs []string) (map[string][]Referral, error) {
	var out map[string][]Referral
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		out, err = ForGoals(ctx, tx, a.TenantID, goalIDs)
		return err
	})
	return out, err
}
