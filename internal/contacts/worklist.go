package contacts

import (
	"context"
	"sort"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// CaseloadPatient is a patient of a coordinator's caseload with what the
// contact rules need.
type CaseloadPatient struct {
	ID     string
	Name   string
	Status patients.Status
	Tier   patients.RiskTier
	// Referred is the referral date, or the intake day without one.
	Referred time.Time
	Reach
}

// State is what the cadence needs of the patient.
func (c CaseloadPatient) State() ContactState {
	return ContactState{Tier: c.Tier, Referred: c.Referred, LastReached: c.LastReached}
}

// Caseload lists the coordinator's patients that contact rules apply to:
// referred, active and on hold (discharged patients are no longer
// followed). It reads the patients through the caseload index and the reach
// state kept on each, never their contacts, so it stays one index range
// however many contacts a caseload has.
func Caseload(ctx context.Context, q db.DBTX, tenantID, coordinatorID string) ([]CaseloadPatient, error) {
	return CaseloadQuery(tenantID, coordinatorID).All(ctx, q)
}

// CaseloadQuery is Caseload's statement, for a batch.
func CaseloadQuery(tenantID, coordinatorID string) db.Query[CaseloadPatient] {
	return db.Query[CaseloadPatient]{SQL: `
		select id, given_name, family_name, preferred_name, status, risk_tier,
		       coalesce(referral_date, created_at::date), last_reached_at, unreached_attempts, last_attempt_at
		  from patients
		 where tenant_id = $1 and assigned_coordinator_id = $2 and status in ('referred', 'active', 'on_hold')`, Args: []any{tenantID, coordinatorID}, Scan: func(row pgx.CollectableRow) (CaseloadPatient, error) {
		var c CaseloadPatient
		var p patients.Patient
		err := row.Scan(&c.ID, &p.GivenName, &p.FamilyName, &p.PreferredName, &c.Status, &c.Tier,
			&c.Referred, &c.LastReached, &c.UnreachedAttempts, &c.LastAttempt)
		c.Name = p.DisplayName()
		return c, err
	}}
}

// ContactDue is a patient who must be contacted, and by when.
type ContactDue struct {
	CaseloadPatient
	Due time.Time
}

// ContactWork sorts a caseload into the worklist's contact sections.
type ContactWork struct {
	// Unreachable patients come first and appear in no other section: the
	// next step with them is finding another way to reach them.
	Unreachable []CaseloadPatient
	// NewReferrals are referred patients nobody has reached yet, by the
	// first-contact deadline.
	NewReferrals []ContactDue
	// DueForContact are the others whose next contact is due by today.
	DueForContact []ContactDue
}

// SortCaseload applies the cadence to a caseload on today (a date, see
// dateOf) in loc: who is unreachable, which referrals wait for a first
// contact, and who is due for contact. Patients on hold are only flagged
// when unreachable. Each list is most urgent first: the longest overdue,
// then the higher risk.
func (c Cadence) SortCaseload(list []CaseloadPatient, today time.Time, loc *time.Location) ContactWork {
	var w ContactWork
	for _, p := range list {
		switch {
		case p.Unreachable():
			w.Unreachable = append(w.Unreachable, p)
		case p.Status == patients.OnHold:
		default:
			due, first := c.NextDue(p.State(), loc)
			switch {
			case first && p.Status == patients.Referred:
				w.NewReferrals = append(w.NewReferrals, ContactDue{p, due})
			case !due.After(today):
				w.DueForContact = append(w.DueForContact, ContactDue{p, due})
			}
		}
	}
	sort.Slice(w.Unreachable, func(i, j int) bool {
		a, b := w.Unreachable[i], w.Unreachable[j]
		if a.UnreachedAttempts != b.UnreachedAttempts {
			return a.UnreachedAttempts > b.UnreachedAttempts
		}
		return urgentFirst(a, b)
	})
	byDue := func(xs []ContactDue) {
		sort.Slice(xs, func(i, j int) bool {
			if !xs[i].Due.Equal(xs[j].Due) {
				return xs[i].Due.Before(xs[j].Due)
			}
			return urgentFirst(xs[i].CaseloadPatient, xs[j].CaseloadPatient)
		})
	}
	byDue(w.NewReferrals)
	byDue(w.DueForContact)
	return w
}

var tierRank = map[patients.RiskTier]int{patients.High: 0, patients.Moderate: 1, patients.Low: 2}

func urgentFirst(a, b CaseloadPatient) bool {
	if tierRank[a.Tier] != tierRank[b.Tier] {
		return tierRank[a.Tier] < tierRank[b.Tier]
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.ID < b.ID
}
