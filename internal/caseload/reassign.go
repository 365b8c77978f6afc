package caseload

import (
	"context"
	"net/url"
	"strings"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// ReassignForm is a reassignment as posted from a patient list: the
// ticked patients, or all those matching the list's filters, from the
// list's coordinator to another, with the supervisor's reason.
type ReassignForm struct {
	// Filter is the list's; its Coordinator is whose patients move.
	Filter     Filter
	To, Reason string
	All        bool
	PatientIDs []string
}

// ParseReassign reads a posted reassignment; an id that is not one is not
// found.
func ParseReassign(v url.Values) (ReassignForm, error) {
	f, err := ParseFilter(v)
	if err != nil {
		return ReassignForm{}, err
	}
	form := ReassignForm{Filter: f, To: v.Get("to"), Reason: v.Get("reason"), All: v.Get("all") == "yes"}
	for _, id := range v["patient_id"] {
		if !db.ValidUUID(id) {
			return form, db.ErrNotFound
		}
		form.PatientIDs = append(form.PatientIDs, id)
	}
	return form, nil
}

// Move is a reassignment: patients from one coordinator ("" for
// unassigned patients) to another, with the supervisor's reason.
type Move struct {
	From, To   string
	PatientIDs []string
	Reason     string
}

// Failures a supervisor can be told about.
var (
	// ErrNotSupervisor: only supervisors move patients between caseloads.
	ErrNotSupervisor = fail.Forbidden("Only supervisors move patients between coordinators.")
	// ErrWholeTeam: the whole team's list mixes coordinators, so there is
	// no one to move its patients from.
	ErrWholeTeam = fail.Invalid(nil, "Open one coordinator's list to move their patients.")
)

// refused heads a reassignment form that comes back with its problems.
const refused = "Nobody was moved. Check the form below."

// reasonMax is the longest reason kept.
const reasonMax = 500

// ValidateMove returns per-field messages for a reassignment form; to is
// checked against the people patients may be assigned to.
func ValidateMove(m Move, assignable map[string]bool) map[string]string {
	errs := map[string]string{}
	m.Reason = strings.TrimSpace(m.Reason)
	switch {
	case !assignable[m.To]:
		errs["to"] = "Choose the coordinator who takes the patients over."
	case m.To == m.From:
		errs["to"] = "The patients already belong to this coordinator: choose someone else."
	}
	switch {
	case m.Reason == "":
		errs["reason"] = "Say why the patients move, for their charts."
	case utf8.RuneCountInString(m.Reason) > reasonMax:
		errs["reason"] = "Keep the reason to 500 characters or fewer."
	}
	if len(m.PatientIDs) == 0 {
		errs["patients"] = "Choose at least one patient."
	}
	return errs
}

// Moved is what a reassignment did.
type Moved struct {
	// PatientIDs are the patients moved. A patient chosen on the page but
	// reassigned by someone else meanwhile is left where they are.
	PatientIDs []string
	Skipped    int
	Tasks      int
	// ToName names the coordinator who took the patients over.
	ToName string
}

// Reassign moves the chosen patients (or, with All, every patient the
// list's filters match now) from the list's coordinator to f.To: the
// patients still assigned to that coordinator change hands
// (patients.Reassign), with a line on each timeline; the open tasks the
// old coordinator held on them go along (tasks.MoveOpen); each move is
// audited per patient; and the stored dashboard is marked stale, so the
// supervisor's next look shows the move.
func (s *Service) Reassign(ctx context.Context, a tenants.Actor, f ReassignForm) (Moved, error) {
	if !a.Can(auth.Role.ReviewsCaseloads) {
		return Moved{}, ErrNotSupervisor
	}
	if f.Filter.Coordinator == nil {
		return Moved{}, ErrWholeTeam
	}
	m := Move{From: *f.Filter.Coordinator, To: f.To, PatientIDs: f.PatientIDs, Reason: f.Reason}
	var out Moved
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		people, err := tenants.Coordinators(ctx, tx, a.TenantID)
		if err != nil {
			return err
		}
		if f.All {
			if m.PatientIDs, err = matching(ctx, tx, a, f.Filter); err != nil {
				return err
			}
		}
		if errs := ValidateMove(m, assignable(people)); len(errs) > 0 {
			return fail.Invalid(errs, refused)
		}
		if out, err = move(ctx, tx, a, m); err != nil {
			return err
		}
		err = a.AuditPatients(ctx, tx, audit.Event{Action: "patient.reassigned",
			Detail: map[string]any{"from": m.From, "to": m.To, "tasks": out.Tasks}}, out.PatientIDs)
		if err != nil {
			return err
		}
		return MarkStale(ctx, tx, a.TenantID)
	})
	return out, err
}

// matching lists the ids of every patient f matches now, on all pages.
func matching(ctx context.Context, q db.DBTX, a tenants.Actor, f Filter) ([]string, error) {
	f.After, f.Limit = "", 0
	rules, err := rulesOf(ctx, q, a)
	if err != nil {
		return nil, err
	}
	found, err := Patients(ctx, q, a.TenantID, rules, f)
	ids := make([]string, len(found.Rows))
	for i, p := range found.Rows {
		ids[i] = p.ID
	}
	return ids, err
}

// move hands the patients over with their open tasks, worded on the
// timeline with both coordinators' names.
func move(ctx context.Context, q db.DBTX, a tenants.Actor, m Move) (Moved, error) {
	var out Moved
	var err error
	if out.ToName, err = memberName(ctx, q, a.TenantID, m.To); err != nil {
		return out, err
	}
	summary := "Reassigned to " + out.ToName
	if m.From != "" {
		fromName, err := memberName(ctx, q, a.TenantID, m.From)
		if err != nil {
			return out, err
		}
		summary = "Reassigned from " + fromName + " to " + out.ToName
	}
	summary += ": " + m.Reason
	if utf8.RuneCountInString(summary) > 500 {
		summary = string([]rune(summary)[:499]) + "…"
	}
	if out.PatientIDs, err = patients.Reassign(ctx, q, a, m.PatientIDs, m.From, m.To, summary); err != nil {
		return out, err
	}
	out.Skipped = len(m.PatientIDs) - len(out.PatientIDs)
	if len(out.PatientIDs) == 0 || m.From == "" {
		return out, nil
	}
	// The tasks the old coordinator held go with the patients; tasks
	// others hold stay with them.
	out.Tasks, err = tasks.MoveOpen(ctx, q, a.TenantID, a.UserID, out.PatientIDs, m.From, m.To, "Patient reassigned: "+m.Reason)
	return out, err
}

// assignable is the set of ids of people.
func assignable(people []tenants.Person) map[string]bool {
	ids := make(map[string]bool, len(people))
	for _, p := range people {
		ids[p.ID] = true
	}
	return ids
}

// memberName names a member of the tenant, former members included.
// Users are global, so the membership is what keeps another
// organisation's people out: anyone else is not found.
func memberName(ctx context.Context, q db.DBTX, tenantID, id string) (string, error) {
	var name string
	err := q.QueryRow(ctx, `
		select u.name from users u join memberships m on m.user_id = u.id
		 where m.tenant_id = $1 and u.id = $2`, tenantID, id).Scan(&name)
	return name, db.NotFound(err)
}
