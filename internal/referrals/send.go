package referrals

import (
	"context"
	"net/url"
	"slices"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Sending is what the coordinator chose when sending a referral.
type Sending struct {
	// Fields are the patient's details shared beyond their name.
	Fields []string
	// PartyAgreed: the patient agreed to this referral and to the receiving
	// party seeing these details (asked for resources outside the care
	// team; a care-team provider's agreement is on the care team).
	PartyAgreed bool
	// Version is the referral's version as the coordinator saw it.
	Version int
}

// SharedFields are the patient details a referral may carry beyond the
// name, in the order the form offers them.
var SharedFields = forms.Choices[string]{
	{Value: "contact", Label: "Phone and email"}, {Value: "address", Label: "Address"}, {Value: "date_of_birth", Label: "Date of birth"},
	{Value: "language", Label: "Preferred language and interpreter need"}, {Value: "need", Label: "The need, as described on the plan"},
	{Value: "insurance", Label: "Insurance coverage"},
}

// DefaultShared are the details the send form offers ticked.
var DefaultShared = []string{"contact", "language", "need"}

// ParseSending reads the send form.
func ParseSending(v url.Values) Sending {
	return Sending{Fields: v["share"], PartyAgreed: v.Get("party_agreed") == "yes", Version: forms.Version(v.Get("version"))}
}

// Validate checks the send form for the referral.
func (s Sending) Validate(r Referral, errs Errors) {
	for _, f := range s.Fields {
		if !SharedFields.Has(f) {
			errs.Add("share", "Choose the details to share from the list.")
		}
	}
	if !r.Clinical() && !s.PartyAgreed {
		errs.Add("party_agreed", "Confirm that the patient agreed to this referral and to "+r.ToName+" seeing the details you share.")
	}
}

// Send marks a draft referral sent, once the patient's consent to share
// with the receiving party is in force and what is shared is chosen, with
// its timeline line and audit event. It returns the referral as sent. A
// consent not in force is ErrNoConsent saying why; nothing is sent then.
func (s *Service) Send(ctx context.Context, a tenants.Actor, patientID, id string, f Sending) (Referral, error) {
	var r Referral
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if r, err = Get(ctx, tx, a.TenantID, patientID, id); err != nil {
			return err
		}
		if r.Status != Draft {
			return ErrReferralChanged
		}
		errs := Errors{}
		f.Validate(r, errs)
		check, err := sharingFor(ctx, tx, a, r)
		switch {
		case err != nil:
			return err
		case !check.Allowed:
			return ErrNoConsent.Because("Not sent: " + check.Reason).WithFields(errs)
		case errs["party_agreed"] != "":
			// The patient's agreement to this party is part of the consent.
			return ErrNoConsent.Because(noticeNotSent).WithFields(errs)
		case len(errs) > 0:
			return invalid(errs, noticeNotSent)
		}
		if r, err = MarkSent(ctx, tx, a, r, f, check); err != nil {
			return err
		}
		day := r.FollowUpDue.Format(calendar.Day)
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "referral",
			"Referral to "+r.ToName+" sent; follow-up on "+day+" if no answer"); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "referral.sent", EntityType: "referral", EntityID: id, PatientID: patientID,
			Detail: map[string]any{"shared": f.Fields}})
	})
	return r, err
}

const noticeNotSent = "Some answers need another look. They are marked below; nothing was sent yet."

// Sharing reads whether the patient's consent allows sending the draft
// referral to its party today.
func sharingFor(ctx context.Context, q db.DBTX, a tenants.Actor, r Referral) (Sharing, error) {
	p, err := patients.Get(ctx, q, a.TenantID, r.PatientID)
	if err != nil {
		return Sharing{}, err
	}
	consents, err := patients.Consents(ctx, q, a.TenantID, r.PatientID)
	if err != nil {
		return Sharing{}, err
	}
	var member *patients.Member
	if r.Clinical() {
		if r.MemberID == "" {
			return Sharing{Reason: "The provider is no longer on the care team.", Fix: "Cancel this referral and write a new one."}, nil
		}
		m, err := patients.GetMember(ctx, q, a.TenantID, r.PatientID, r.MemberID)
		if err != nil {
			return Sharing{}, err
		}
		member = &m
	}
	return CheckSharing(consents, member, p.DisplayName(), a.Today()), nil
}

// MarkSent marks a draft referral sent at a.At, at the version the
// coordinator saw (s.Version), with the details chosen and the consent
// check relied on (see CheckSharing); sets the day it is followed up if
// nobody answers; and marks its need as being addressed. It returns the
// referral as sent. Without consent nothing changes and ErrNoConsent is
// returned.
func MarkSent(ctx context.Context, q db.DBTX, a tenants.Actor, r Referral, s Sending, check Sharing) (Referral, error) {
	if !check.Allowed || (!r.Clinical() && !s.PartyAgreed) {
		return r, ErrNoConsent
	}
	basis := check.Basis
	if !r.Clinical() {
		basis += "; the patient agreed to this referral to " + r.ToName + " and to the details shared"
	}
	fields := []string{}
	for _, f := range SharedFields {
		if slices.Contains(s.Fields, f.Value) {
			fields = append(fields, f.Value)
		}
	}
	closed, err := tenants.LoadCalendar(ctx, q, a.TenantID)
	if err != nil {
		return r, err
	}
	followUp := FollowUpDay(closed, a.At, a.Settings.ReferralFollowUpBusinessDays)
	tag, err := q.Exec(ctx, `
		update referrals set status = 'sent', sent_at = $6, follow_up_due = $5, shared_fields = $7,
			consent_basis = $8, consent_checked_by = nullif($9, '')::uuid, consent_checked_at = $6, updated_at = $6, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'draft'`,
		a.TenantID, r.PatientID, r.ID, s.Version, followUp, a.At, fields, basis, a.UserID)
	if err := moved(ctx, q, err, tag.RowsAffected(), a.TenantID, r.ID); err != nil {
		return r, err
	}
	if _, err := q.Exec(ctx, `
		update needs set status = 'addressing', updated_at = $3, version = version + 1
		 where tenant_id = $1 and id = nullif($2, '')::uuid and status = 'identified'`, a.TenantID, r.NeedID, a.At); err != nil {
		return r, err
	}
	r.Status, r.SentAt, r.FollowUpDue, r.SharedFields, r.ConsentBasis, r.UpdatedAt = Sent, &a.At, &followUp, fields, basis, a.At
	r.Version = s.Version + 1
	return r, addEvent(ctx, q, a, r.ID, Sent, basis)
}

// moved maps an update of a referral that matched no row: the referral is
// gone (not found) or someone moved it first (ErrReferralChanged).
func moved(ctx context.Context, q db.DBTX, err error, n int64, tenantID, id string) error {
	return versioned(ctx, q, err, n, ErrReferralChanged, `select 1 from referrals where tenant_id = $1 and id = $2`, tenantID, id)
}
