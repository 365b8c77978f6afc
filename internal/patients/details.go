package patients

import (
	"context"
	"errors"
	"reflect"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// DetailsPage is what the edit-details form shows: the patient as saved,
// and who they can be assigned to.
type DetailsPage struct {
	Patient    Patient
	Assignable []tenants.Person
	// CoordinatorLeft: the patient's coordinator is no longer one of
	// Assignable, and stays on offer for this patient, so that editing
	// other details does not force a reassignment.
	CoordinatorLeft bool
}

// DetailsPage reads the patient for the edit-details form.
func (s *Service) DetailsPage(ctx context.Context, a tenants.Actor, patientID string) (DetailsPage, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) (DetailsPage, error) { return detailsPage(ctx, tx, a.TenantID, patientID) })
}

func detailsPage(ctx context.Context, q db.DBTX, tenantID, patientID string) (DetailsPage, error) {
	p, err := Get(ctx, q, tenantID, patientID)
	if err != nil {
		return DetailsPage{}, err
	}
	people, err := tenants.Coordinators(ctx, q, tenantID)
	page := DetailsPage{Patient: p, Assignable: people, CoordinatorLeft: p.CoordinatorID != nil}
	for _, person := range people {
		if p.CoordinatorID != nil && person.ID == *p.CoordinatorID {
			page.CoordinatorLeft = false
		}
	}
	return page, err
}

// assignableIDs are the ids the patient's coordinator may be set to.
func (d DetailsPage) assignableIDs() map[string]bool {
	ids := idsOf(d.Assignable)
	if d.CoordinatorLeft {
		ids[*d.Patient.CoordinatorID] = true
	}
	return ids
}

func idsOf(people []tenants.Person) map[string]bool {
	ids := make(map[string]bool, len(people))
	for _, p := range people {
		ids[p.ID] = true
	}
	return ids
}

// EditDetails saves the patient's details as typed in f, if nobody saved
// a change since the form was read at version; otherwise it is a conflict
// whose message names the answers that differ from what is saved now. The
// timeline and the audit log get the names of the changed fields, never
// their values.
func (s *Service) EditDetails(ctx context.Context, a tenants.Actor, patientID string, version int, f DetailsForm) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		page, err := detailsPage(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		errs := Errors{}
		d := f.Validate(a.Today(), page.assignableIDs(), errs)
		if len(errs) > 0 {
			return fail.Invalid(errs, "")
		}
		before := page.Patient
		err = update(ctx, tx, a, patientID, version, d)
		if errors.Is(err, db.ErrConflict) {
			return db.ErrConflict.Because(conflictMessage(before, d))
		}
		if err != nil {
			return err
		}
		after, err := Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		changed := ChangedDetails(DetailsFormOf(before), DetailsFormOf(after))
		e := audit.Event{Action: "patient.updated", EntityType: "patient", EntityID: patientID, PatientID: patientID,
			Detail: map[string]any{"fields": changed}}
		if len(changed) == 0 {
			return a.Audit(ctx, tx, e)
		}
		return record(ctx, tx, a, patientID, "details", "Details edited: "+strings.Join(changed, ", "), e)
	})
}

// conflictMessage tells the coordinator that someone else saved first and
// which of their answers differ from what is saved now.
func conflictMessage(saved Patient, typed Details) string {
	mine := typed.DetailsForm
	mine.RiskTier = string(typed.Tier)
	msg := "Someone else saved changes to this patient while you were editing, so nothing was saved. Your answers are kept below."
	if diff := ChangedDetails(DetailsFormOf(saved), mine); len(diff) > 0 {
		msg += " What is saved now differs from them in: " + strings.Join(diff, ", ") + "."
	}
	return msg + " Check them, then save again to keep yours."
}

// detailLabels names the details fields the way the edit form does, for the
// timeline and the audit log (which get the names, never the values).
var detailLabels = map[string]string{
	"GivenName": "first name", "FamilyName": "last name", "PreferredName": "preferred name",
	"DateOfBirth": "date of birth", "Sex": "sex", "GenderIdentity": "gender identity", "Pronouns": "pronouns",
	"Phone": "phone", "PhoneAlt": "other phone", "BestTimeToCall": "best time to call", "Email": "email",
	"AddressLine1": "street address", "AddressLine2": "apartment or unit", "City": "town or city",
	"Region": "state or region", "PostalCode": "postal code", "PreferredContactMethod": "preferred contact method",
	"PreferredLanguage": "preferred language", "InterpreterNeeded": "interpreter needed", "ExternalID": "MRN or member id",
	"RiskTier": "risk tier", "CoordinatorID": "assigned coordinator", "ReferralSource": "referred by",
	"ReferralDate": "referral date", "ReferralReason": "reason for referral",
}

// ChangedDetails names the fields that differ between two versions of a
// patient's details, in form order.
func ChangedDetails(before, after DetailsForm) []string {
	b, a := reflect.ValueOf(before), reflect.ValueOf(after)
	var out []string
	for i := range b.NumField() {
		if !b.Field(i).Equal(a.Field(i)) {
			out = append(out, detailLabels[b.Type().Field(i).Name])
		}
	}
	return out
}
