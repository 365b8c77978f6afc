package referrals

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// AuthStatus is where a payer's prior authorisation stands.
type AuthStatus string

// Authorisation statuses.
const (
	AuthNotNeeded AuthStatus = "not_needed"
	AuthRequested AuthStatus = "requested"
	AuthApproved  AuthStatus = "approved"
	AuthDenied    AuthStatus = "denied"
	AuthAppealed  AuthStatus = "appealed"
)

// AuthStatuses lists the statuses in the order a form offers them.
var AuthStatuses = forms.Choices[AuthStatus]{
	{Value: AuthNotNeeded, Label: "Not needed"}, {Value: AuthRequested, Label: "Requested"}, {Value: AuthApproved, Label: "Approved"},
	{Value: AuthDenied, Label: "Denied"}, {Value: AuthAppealed, Label: "Appealed"},
}

// Label is the status in plain words.
func (s AuthStatus) Label() string { return AuthStatuses.Label(s) }

// Units are what an authorisation counts.
var Units = forms.Choices[string]{{Value: "visits", Label: "visits"}, {Value: "units", Label: "units"}, {Value: "days", Label: "days"}, {Value: "hours", Label: "hours"}}

// Authorization is the payer's answer to a clinical referral.
type Authorization struct {
	ID         string
	ReferralID string
	Status     AuthStatus
	Number     string
	Units      *int
	Unit       string
	ValidFrom  *time.Time
	ValidTo    *time.Time
	Notes      string
	UpdatedAt  time.Time
	Version    int
}

// Expiring reports whether an approved authorisation ends within warnDays
// of today (or has ended).
func (a Authorization) Expiring(today time.Time, warnDays int) bool {
	return a.Status == AuthApproved && a.ValidTo != nil && !a.ValidTo.After(today.AddDate(0, 0, warnDays))
}

// AuthForm is an authorisation as typed, with the version of the stored
// one the coordinator saw (0 when none was recorded yet).
type AuthForm struct {
	Status, Number, Units, Unit, ValidFrom, ValidTo, Notes string
	Version                                                int
}

// ParseAuthForm reads the authorisation form.
func ParseAuthForm(v url.Values) AuthForm {
	g := func(k string) string { return trimmed(v.Get, k) }
	return AuthForm{Status: g("auth_status"), Number: g("number"), Units: g("units"), Unit: g("unit"),
		ValidFrom: g("valid_from"), ValidTo: g("valid_to"), Notes: g("auth_notes"), Version: forms.Version(v.Get("version"))}
}

// AuthFormOf fills the form from a stored authorisation.
func AuthFormOf(a Authorization) AuthForm {
	f := AuthForm{Status: string(a.Status), Number: a.Number, Unit: a.Unit, Notes: a.Notes, Version: a.Version}
	if a.Units != nil {
		f.Units = strconv.Itoa(*a.Units)
	}
	if a.ValidFrom != nil {
		f.ValidFrom = a.ValidFrom.Format(calendar.DateLayout)
	}
	if a.ValidTo != nil {
		f.ValidTo = a.ValidTo.Format(calendar.DateLayout)
	}
	return f
}

// Validate checks the form: an approval needs the payer's number and the
// last day it is valid, because that is what the expiry warning watches.
func (f AuthForm) Validate(errs Errors) Authorization {
	a := Authorization{Status: AuthStatus(f.Status), Number: f.Number, Unit: f.Unit, Notes: f.Notes}
	if !AuthStatuses.Has(a.Status) {
		errs.Add("auth_status", "Choose where the authorisation stands.")
	}
	if a.Unit == "" {
		a.Unit = "visits"
	}
	if !Units.Has(a.Unit) {
		errs.Add("unit", "Choose what the approval counts.")
	}
	errs.MaxLen("number", f.Number, 100)
	errs.MaxLen("auth_notes", f.Notes, 2000)
	if f.Units != "" {
		n, err := strconv.Atoi(f.Units)
		if err != nil || n < 1 || n > 10000 {
			errs.Add("units", "Enter a whole number, like 6.")
		} else {
			a.Units = &n
		}
	}
	a.ValidFrom = errs.Date("valid_from", f.ValidFrom, false)
	a.ValidTo = errs.Date("valid_to", f.ValidTo, a.Status == AuthApproved)
	if a.ValidFrom != nil && a.ValidTo != nil && a.ValidTo.Before(*a.ValidFrom) {
		errs.Add("valid_to", "The last valid day can't be before the first.")
	}
	if a.Status == AuthApproved {
		errs.Required("number", f.Number, "Enter the payer's authorisation number.")
	}
	return a
}

// GetAuthorization loads the authorisation of a referral; db.ErrNotFound
// when none is recorded yet.
func GetAuthorization(ctx context.Context, q db.DBTX, tenantID, referralID string) (Authorization, error) {
	rows, _ := q.Query(ctx, `
		select id, referral_id, status, number, approved_units as units, unit, valid_from, valid_to, notes, updated_at, version
		  from authorizations where tenant_id = $1 and referral_id = $2`, tenantID, referralID)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Authorization])
	return a, db.NotFound(err)
}

// SaveAuthorization records the payer's answer to a clinical referral,
// with its timeline line and audit event; a denial raises its task. It
// returns the authorisation as saved.
func (s *Service) SaveAuthorization(ctx context.Context, a tenants.Actor, patientID, referralID string, f AuthForm) (Authorization, error) {
	var auth Authorization
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		r, err := Get(ctx, tx, a.TenantID, patientID, referralID)
		if err != nil {
			return err
		}
		if !r.Clinical() {
			return db.ErrNotFound
		}
		errs := Errors{}
		auth = f.Validate(errs)
		if err := invalid(errs, ""); err != nil {
			return err
		}
		if auth.ID, err = RecordAuthorization(ctx, tx, a, r, f.Version, auth); err != nil {
			return err
		}
		summary := "Authorisation for " + r.ToName + ": " + strings.ToLower(auth.Status.Label())
		if auth.ValidTo != nil {
			summary += ", valid to " + auth.ValidTo.Format(calendar.Day)
		}
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "referral", summary); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "authorization.saved", EntityType: "authorization", EntityID: auth.ID,
			PatientID: patientID, Detail: map[string]any{"status": string(auth.Status)}})
	})
	return auth, err
}

// RecordAuthorization records the payer's answer for a referral at a.At:
// the first time it creates the authorisation, after that it updates it
// if nobody changed it since version (ErrReferralChanged otherwise). A
// denial raises its task, once for each time it is denied. It returns the
// authorisation's id.
func RecordAuthorization(ctx context.Context, q db.DBTX, a tenants.Actor, r Referral, version int, auth Authorization) (string, error) {
	var id string
	var before AuthStatus
	var stored int
	err := q.QueryRow(ctx, `select id, status, version from authorizations where tenant_id = $1 and referral_id = $2 for update`,
		a.TenantID, r.ID).Scan(&id, &before, &stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		err = q.QueryRow(ctx, `
			insert into authorizations (tenant_id, referral_id, status, number, approved_units, unit, valid_from, valid_to, notes,
				updated_by, created_at, updated_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, '')::uuid, $11, $11) returning id`,
			a.TenantID, r.ID, auth.Status, auth.Number, auth.Units, auth.Unit, auth.ValidFrom, auth.ValidTo, auth.Notes,
			a.UserID, a.At).Scan(&id)
		if db.IsUniqueViolation(err, "authorizations_tenant_id_referral_id_key") {
			return "", ErrReferralChanged
		}
	case err != nil:
		return "", err
	case stored != version:
		return "", ErrReferralChanged
	default:
		_, err = q.Exec(ctx, `
			update authorizations set status = $3, number = $4, approved_units = $5, unit = $6, valid_from = $7, valid_to = $8,
				notes = $9, updated_by = nullif($10, '')::uuid, updated_at = $11, version = version + 1
			 where tenant_id = $1 and id = $2`,
			a.TenantID, id, auth.Status, auth.Number, auth.Units, auth.Unit, auth.ValidFrom, auth.ValidTo, auth.Notes, a.UserID, a.At)
	}
	if err != nil {
		return "", err
	}
	if auth.Status == AuthDenied && before != AuthDenied {
		return id, deniedTask(ctx, q, a, r, id)
	}
	return id, nil
}
