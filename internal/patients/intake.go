package patients

import (
	"context"
	"errors"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Intake is what an intake did: the new patient as stored, or the
// patients who may already be the person typed in. Then nothing was saved:
// the coordinator looks at them, and confirms a new person
// (IntakeForm.ConfirmedNew) or goes to the existing chart.
type Intake struct {
	PatientID string
	Stored    NewPatient
	// Duplicates are the possible duplicates found.
	Duplicates []Duplicate
}

// intakeProblem is said above an intake that could not be saved.
const intakeProblem = "Some answers need another look. They are marked below; everything you typed is kept."

// Intake takes a patient in: it checks the whole form, looks for possible
// duplicates until the coordinator confirms a new person, then stores the
// patient with the coverage, care team and consents typed, the first
// timeline line and the audit event, all at once.
func (s *Service) Intake(ctx context.Context, a tenants.Actor, f IntakeForm) (Intake, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) (Intake, error) {
		in, err := TakeIn(ctx, tx, a, f)
		if err != nil || in.PatientID == "" {
			return in, err
		}
		return in, a.Audit(ctx, tx, audit.Event{Action: "patient.created", EntityType: "patient", EntityID: in.PatientID, PatientID: in.PatientID})
	})
}

// TakeIn is Intake in q's transaction, before its audit event: the rules of
// taking a patient in, for a loader that makes patients as a coordinator
// would (the demo data).
func TakeIn(ctx context.Context, q db.DBTX, a tenants.Actor, f IntakeForm) (Intake, error) {
	people, err := tenants.Coordinators(ctx, q, a.TenantID)
	if err != nil {
		return Intake{}, err
	}
	np, errs := f.Validate(a.Today(), idsOf(people))
	if len(errs) > 0 {
		return Intake{}, fail.Invalid(errs, intakeProblem)
	}
	if err := lockBirthDate(ctx, q, a.TenantID, np.DOB); err != nil {
		return Intake{}, err
	}
	if !f.ConfirmedNew {
		dups, err := PossibleDuplicates(ctx, q, a.TenantID, np.DOB, np.GivenName, np.FamilyName)
		if err != nil || len(dups) > 0 {
			return Intake{Duplicates: dups}, err
		}
	}
	id, err := Create(ctx, q, a.TenantID, a.UserID, np)
	if errors.Is(err, ErrExternalIDTaken) {
		return Intake{}, ErrExternalIDTaken.Because(intakeProblem)
	}
	return Intake{PatientID: id, Stored: np}, err
}
