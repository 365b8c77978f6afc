package referrals

import (
	"context"
	"errors"
	"slices"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Page is what a referral's page shows, read in one transaction.
type Page struct {
	Referral    Referral
	PatientName string
	// Resource is the receiving resource; Member the receiving provider,
	// nil once they have left the care team.
	Resource *Resource
	Member   *patients.Member
	Events   []Event
	// Sharing is the consent check for sending, while it is a draft.
	Sharing *Sharing
	// Loop is what closing the loop would do, when the page offers it.
	Loop *Loop
	// Authorization is the payer's answer to a clinical referral, nil
	// until one is recorded.
	Authorization *Authorization
	// Appointments are the patient's appointments made from it.
	Appointments []Appointment
}

// ReferralPage reads a referral's page, and records that a viewed it.
func (s *Service) ReferralPage(ctx context.Context, a tenants.Actor, patientID, id string) (Page, error) {
	var p Page
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p, err = referralPage(ctx, tx, a, patientID, id); err != nil {
			return err
		}
		return a.AuditView(ctx, tx, audit.Event{Action: "referral.viewed", EntityType: "referral", EntityID: id, PatientID: patientID})
	})
	return p, err
}

// ReferralPageAgain reads a referral's page to show a form of it again
// after a failure: the person is still on the page they viewed, so no
// view is recorded.
func (s *Service) ReferralPageAgain(ctx context.Context, a tenants.Actor, patientID, id string) (Page, error) {
	var p Page
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		p, err = referralPage(ctx, tx, a, patientID, id)
		return err
	})
	return p, err
}

func referralPage(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, id string) (Page, error) {
	var p Page
	var err error
	if p.Referral, err = Get(ctx, q, a.TenantID, patientID, id); err != nil {
		return p, err
	}
	r := p.Referral
	pt, err := patients.Get(ctx, q, a.TenantID, patientID)
	if err != nil {
		return p, err
	}
	p.PatientName = pt.DisplayName()
	if p.Resource, p.Member, err = partyOfReferral(ctx, q, a.TenantID, r); err != nil {
		return p, err
	}
	if p.Events, err = Events(ctx, q, a.TenantID, id); err != nil {
		return p, err
	}
	if r.Status == Draft {
		check, err := sharingFor(ctx, q, a, r)
		if err != nil {
			return p, err
		}
		p.Sharing = &check
	}
	if p.Loop, err = loopOf(ctx, q, a.TenantID, r); err != nil {
		return p, err
	}
	if r.Clinical() {
		auth, err := GetAuthorization(ctx, q, a.TenantID, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return p, err
		}
		if err == nil {
			p.Authorization = &auth
		}
	}
	appts, err := AppointmentsOf(ctx, q, a.TenantID, patientID)
	p.Appointments = slices.DeleteFunc(appts, func(appt Appointment) bool { return appt.ReferralID != id })
	return p, err
}

// partyOfReferral reads who the referral went to: its resource, or its
// provider while still on the care team.
func partyOfReferral(ctx context.Context, q db.DBTX, tenantID string, r Referral) (*Resource, *patients.Member, error) {
	if r.ResourceID != "" {
		res, err := GetResource(ctx, q, tenantID, r.ResourceID)
		return &res, nil, err
	}
	if r.MemberID == "" {
		return nil, nil, nil
	}
	m, err := patients.GetMember(ctx, q, tenantID, r.PatientID, r.MemberID)
	return nil, &m, err
}

// Printout is a referral's printed summary: for the receiving
// organisation, with only what the patient agreed to share while their
// consent holds, or for the patient.
type Printout struct {
	Referral Referral
	Patient  patients.Patient
	Resource *Resource
	Member   *patients.Member
	// Shared are the details the organisation's copy carries: those chosen
	// when it was sent, while the consent holds today; Withheld says why
	// there are none when it does not. Both are empty on the patient's copy.
	Shared   []string
	Withheld string
	// Coverages are the patient's primary coverages, when insurance is
	// shared.
	Coverages []patients.Coverage
	// Appointments are the referral's upcoming appointments.
	Appointments []Appointment
}

// Printout reads the organisation's copy of a sent referral (the
// patient's when forPatient) and records that it was printed. A draft is
// not printed: it is not found.
func (s *Service) Printout(ctx context.Context, a tenants.Actor, patientID, id string, forPatient bool) (Printout, error) {
	var p Printout
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p.Referral, err = Get(ctx, tx, a.TenantID, patientID, id); err != nil {
			return err
		}
		if p.Referral.Status == Draft {
			return db.ErrNotFound
		}
		if p.Patient, err = patients.Get(ctx, tx, a.TenantID, patientID); err != nil {
			return err
		}
		if p.Resource, p.Member, err = partyOfReferral(ctx, tx, a.TenantID, p.Referral); err != nil {
			return err
		}
		copyKind := "patient"
		if !forPatient {
			copyKind = "organisation"
			if err := p.share(ctx, tx, a); err != nil {
				return err
			}
		}
		appts, err := UpcomingOf(ctx, tx, a.TenantID, patientID, a.At)
		if err != nil {
			return err
		}
		p.Appointments = slices.DeleteFunc(appts, func(appt Appointment) bool { return appt.ReferralID != id })
		return a.Audit(ctx, tx, audit.Event{Action: "referral.printed", EntityType: "referral", EntityID: id, PatientID: patientID,
			Detail: map[string]any{"copy": copyKind}})
	})
	return p, err
}

// share checks the consent again, as it stands today, and fills what the
// organisation may see: after a revocation, nothing of the patient's.
func (p *Printout) share(ctx context.Context, q db.DBTX, a tenants.Actor) error {
	check, err := sharingFor(ctx, q, a, p.Referral)
	if err != nil || !check.Allowed {
		p.Withheld = check.Reason
		return err
	}
	p.Shared = p.Referral.SharedFields
	if !slices.Contains(p.Shared, "insurance") {
		return nil
	}
	covs, err := patients.Coverages(ctx, q, a.TenantID, p.Referral.PatientID)
	p.Coverages = slices.DeleteFunc(covs, func(c patients.Coverage) bool { return !c.Primary })
	return err
}

// Detail is one of the patient's details as the organisation's copy
// shows it.
type Detail struct {
	Label, Value string
}

// Details are what each shared field discloses of the patient, in the
// order they were chosen, leaving out what is not recorded.
func (p Printout) Details() []Detail {
	pt := p.Patient
	var out []Detail
	add := func(label, value string) {
		if value != "" {
			out = append(out, Detail{Label: label, Value: value})
		}
	}
	for _, f := range p.Shared {
		switch f {
		case "contact":
			add("Phone", pt.Phone)
			add("Email", pt.Email)
		case "address":
			add("Address", joined(", ", pt.AddressLine1, pt.AddressLine2, pt.City, joined(" ", pt.Region, pt.PostalCode)))
		case "date_of_birth":
			add("Date of birth", pt.DateOfBirth.Format(calendar.Day))
		case "language":
			if pt.InterpreterNeeded {
				add("Language", pt.PreferredLanguage+" (needs an interpreter)")
			} else {
				add("Language", pt.PreferredLanguage)
			}
		case "need":
			if p.Referral.NeedID != "" {
				add("Need", careplans.DomainLabel(p.Referral.NeedDomain)+": "+p.Referral.NeedText)
			}
		case "insurance":
			for _, c := range p.Coverages {
				member := ""
				if c.MemberID != "" {
					member = "member " + c.MemberID
				}
				add("Insurance", joined(" · ", c.Payer, c.PlanName, member))
			}
		}
	}
	return out
}

// joined joins the parts that are not empty.
func joined(sep string, parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), sep)
}
