package referrals

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"

	"github.com/jackc/pgx/v5"
)

// Status is where a referral stands.
type Status string

// Statuses. A referral is written as a draft, sent, accepted by the
// receiving party and worked on until it is completed; or it ends declined,
// without a response, or cancelled.
const (
	Draft      Status = "draft"
	Sent       Status = "sent"
	Accepted   Status = "accepted"
	InProgress Status = "in_progress"
	Completed  Status = "completed"
	Declined   Status = "declined"
	NoResponse Status = "no_response"
	Cancelled  Status = "cancelled"
)

var statusLabels = map[Status]string{
	Draft: "Draft", Sent: "Sent", Accepted: "Accepted", InProgress: "In progress", Completed: "Completed",
	Declined: "Declined", NoResponse: "No response", Cancelled: "Cancelled",
}

// Label is the status in plain words.
func (s Status) Label() string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// Open reports whether the referral is still under way.
func (s Status) Open() bool {
	return s == Draft || s == Sent || s == Accepted || s == InProgress
}

// next is the lifecycle: which status may follow which. A resource that
// helped the patient without ever confirming (a food bank visited) may be
// completed straight from sent.
var next = map[Status][]Status{
	Draft:      {Sent, Cancelled},
	Sent:       {Accepted, Completed, Declined, NoResponse, Cancelled},
	Accepted:   {InProgress, Completed, Cancelled},
	InProgress: {Completed, Cancelled},
}

// Next lists the statuses that may follow s; none once it has ended.
// Sending is not among them: it has its own step with the consent check.
func (s Status) Next() []Status {
	var out []Status
	for _, n := range next[s] {
		if n != Sent {
			out = append(out, n)
		}
	}
	return out
}

// CanMove reports whether a referral may go from s to to.
func (s Status) CanMove(to Status) bool { return slices.Contains(next[s], to) }

// Outcome is how far a completed referral met the need.
type Outcome string

// Outcomes.
const (
	Met       Outcome = "met"
	PartlyMet Outcome = "partly_met"
	NotMet    Outcome = "not_met"
)

// Outcomes lists the outcomes in the order a form offers them.
var Outcomes = forms.Choices[string]{{Value: string(Met), Label: "Need met"}, {Value: string(PartlyMet), Label: "Partly met"}, {Value: string(NotMet), Label: "Not met"}}

// Errors a caller can tell the person about.
var (
	// ErrWrongStatus means the referral cannot take that step from where
	// it stands (someone else moved it, or the step does not exist).
	ErrWrongStatus = errors.New("referrals: the referral cannot take that step now")
	// ErrNoConsent means the patient's consent to share with the receiving
	// party is not in force.
	ErrNoConsent = errors.New("referrals: no consent to share with the receiving party")
)

// Referral is one referral with the names a page shows beside it.
type Referral struct {
	ID, PatientID string
	// NeedID is "" for a clinical referral that serves no social need.
	NeedID     string
	NeedDomain assessments.Need
	NeedText   string
	GoalID     string
	GoalWords  string
	ResourceID string
	MemberID   string
	// MemberKind is the care-team kind of a provider ("specialist").
	MemberKind   string
	ToName       string
	Reason       string
	Status       Status
	Outcome      Outcome
	OutcomeNote  string
	SharedFields []string
	ConsentBasis string
	CoverageID   string
	Payer        string
	PriorAuth    bool
	SentAt       *time.Time
	FollowUpDue  *time.Time
	ClosedAt     *time.Time
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// Clinical reports whether the referral goes to a clinical provider of the
// care team rather than a community resource.
func (r Referral) Clinical() bool { return r.ResourceID == "" }

// Age is how long the referral has been under way at now: since it was
// sent, or since it was written for a draft.
func (r Referral) Age(now time.Time) time.Duration {
	if r.SentAt != nil {
		return now.Sub(*r.SentAt)
	}
	return now.Sub(r.CreatedAt)
}

// ClinicalKinds are the care-team kinds a clinical referral may go to.
var ClinicalKinds = []string{"specialist", "behavioral_health", "home_health", "primary_care"}

// DraftForm is a new referral as typed.
type DraftForm struct {
	NeedID     string
	GoalID     string
	ResourceID string
	MemberID   string
	Reason     string
	CoverageID string
	PriorAuth  bool
}

// ParseDraft reads the new referral form.
func ParseDraft(v url.Values) DraftForm {
	g := func(k string) string { return trimmed(v.Get, k) }
	return DraftForm{
		NeedID: g("need_id"), GoalID: g("goal_id"), ResourceID: g("resource_id"), MemberID: g("member_id"),
		Reason: g("reason"), CoverageID: g("coverage_id"), PriorAuth: v.Get("prior_auth") == "yes",
	}
}

// Choices are what a new referral of one patient may name, by id.
type Choices struct {
	Needs     map[string]bool
	Goals     map[string]bool
	Members   map[string]patients.Member
	Coverages map[string]patients.Coverage
}

// Validate checks the form against the patient's choices.
func (f DraftForm) Validate(c Choices, errs Errors) {
	// A clinical referral may serve no social need; a resource always does.
	if f.NeedID != "" && !c.Needs[f.NeedID] || f.NeedID == "" && f.MemberID == "" {
		errs.Add("need_id", "Choose the need this referral is for.")
	}
	if f.GoalID != "" && !c.Goals[f.GoalID] {
		errs.Add("goal_id", "Choose one of the plan's open goals, or none.")
	}
	switch {
	case f.ResourceID == "" && f.MemberID == "":
		errs.Add("to", "Choose a resource from the directory or a provider from the care team.")
	case f.MemberID != "":
		m, ok := c.Members[f.MemberID]
		if !ok || !slices.Contains(ClinicalKinds, m.Kind) {
			errs.Add("member_id", "Choose a clinical provider of the patient's care team.")
		}
		if f.CoverageID != "" {
			if _, ok := c.Coverages[f.CoverageID]; !ok {
				errs.Add("coverage_id", "Choose one of the patient's coverages, or none.")
			}
		}
		if f.PriorAuth && f.CoverageID == "" {
			errs.Add("coverage_id", "Choose the coverage whose payer must authorise this referral.")
		}
	}
	errs.Required("reason", f.Reason, "Say what you are asking them to do for the patient.")
	errs.MaxLen("reason", f.Reason, 2000)
}

// CreateDraft stores a validated draft referral and its first step. to is
// the receiving party's name as the page showed it; payer names the
// coverage's payer for a clinical referral.
func CreateDraft(ctx context.Context, q db.DBTX, tenantID, patientID, actorID string, f DraftForm, toName, payer string) (string, error) {
	if f.ResourceID != "" {
		f.MemberID, f.CoverageID, f.PriorAuth, payer = "", "", false, ""
	}
	var id string
	err := q.QueryRow(ctx, `
		insert into referrals (tenant_id, patient_id, need_id, goal_id, resource_id, care_team_member_id, to_name, reason,
			coverage_id, payer, prior_auth_required, created_by)
		values ($1, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, nullif($5, '')::uuid, nullif($6, '')::uuid, $7, $8,
			nullif($9, '')::uuid, $10, $11, $12)
		returning id`,
		tenantID, patientID, f.NeedID, f.GoalID, f.ResourceID, f.MemberID, toName, f.Reason,
		f.CoverageID, payer, f.PriorAuth, actorID).Scan(&id)
	if err != nil {
		return "", err
	}
	return id, addEvent(ctx, q, tenantID, id, Draft, "", actorID)
}

func addEvent(ctx context.Context, q db.DBTX, tenantID, referralID string, s Status, note, actorID string) error {
	_, err := q.Exec(ctx, `
		insert into referral_events (tenant_id, referral_id, status, note, actor_id)
		values ($1, $2, $3, $4, nullif($5, '')::uuid)`, tenantID, referralID, s, note, actorID)
	return err
}

const referralColumns = `r.id, r.patient_id, coalesce(r.need_id::text, ''), coalesce(n.domain, ''), coalesce(n.description, ''),
	coalesce(r.goal_id::text, ''),
	coalesce(g.patient_words, ''), coalesce(r.resource_id::text, ''), coalesce(r.care_team_member_id::text, ''),
	coalesce(m.kind, ''), r.to_name, r.reason, r.status, coalesce(r.outcome, ''), r.outcome_note, r.shared_fields,
	r.consent_basis, coalesce(r.coverage_id::text, ''), r.payer, r.prior_auth_required, r.sent_at, r.follow_up_due,
	r.closed_at, coalesce(r.created_by::text, ''), r.created_at, r.updated_at, r.version`

const referralFrom = ` from referrals r
	  left join needs n on n.tenant_id = r.tenant_id and n.id = r.need_id
	  left join goals g on g.tenant_id = r.tenant_id and g.id = r.goal_id
	  left join care_team_members m on m.tenant_id = r.tenant_id and m.id = r.care_team_member_id `

func scanReferral(row pgx.CollectableRow) (Referral, error) {
	var r Referral
	err := row.Scan(&r.ID, &r.PatientID, &r.NeedID, &r.NeedDomain, &r.NeedText, &r.GoalID, &r.GoalWords, &r.ResourceID,
		&r.MemberID, &r.MemberKind, &r.ToName, &r.Reason, &r.Status, &r.Outcome, &r.OutcomeNote, &r.SharedFields,
		&r.ConsentBasis, &r.CoverageID, &r.Payer, &r.PriorAuth, &r.SentAt, &r.FollowUpDue, &r.ClosedAt, &r.CreatedBy,
		&r.CreatedAt, &r.UpdatedAt, &r.Version)
	return r, err
}

// Get loads one referral of the patient.
func Get(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Referral, error) {
	rows, _ := q.Query(ctx, `select `+referralColumns+referralFrom+`
		where r.tenant_id = $1 and r.patient_id = $2 and r.id = $3`, tenantID, patientID, id)
	r, err := pgx.CollectExactlyOneRow(rows, scanReferral)
	return r, db.NotFound(err)
}

// ForPatient lists the patient's referrals: open ones first, newest first.
func ForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Referral, error) {
	rows, _ := q.Query(ctx, `select `+referralColumns+referralFrom+`
		where r.tenant_id = $1 and r.patient_id = $2
		order by r.status in ('completed', 'declined', 'no_response', 'cancelled'), r.created_at desc, r.id`,
		tenantID, patientID)
	return pgx.CollectRows(rows, scanReferral)
}

// Event is one step of a referral.
type Event struct {
	Status    Status
	Note      string
	ActorName string
	At        time.Time
}

// Events lists a referral's steps, oldest first.
func Events(ctx context.Context, q db.DBTX, tenantID, referralID string) ([]Event, error) {
	rows, _ := q.Query(ctx, `
		select e.status, e.note, coalesce(u.name, ''), e.at
		  from referral_events e
		  left join users u on u.id = e.actor_id
		 where e.tenant_id = $1 and e.referral_id = $2
		 order by e.at, e.id`, tenantID, referralID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Event])
}

// Sending is what the coordinator chose when sending a referral.
type Sending struct {
	// Fields are the patient's details shared beyond their name.
	Fields []string
	// PartyAgreed: the patient agreed to this referral and to the receiving
	// party seeing these details (asked for resources outside the care
	// team; a care-team provider's agreement is on the care team).
	PartyAgreed bool
}

// SharedFields are the patient details a referral may carry beyond the
// name, in the order the form offers them.
var SharedFields = forms.Choices[string]{
	{Value: "contact", Label: "Phone and email"}, {Value: "address", Label: "Address"}, {Value: "date_of_birth", Label: "Date of birth"},
	{Value: "language", Label: "Preferred language and interpreter need"}, {Value: "need", Label: "The need, as described on the plan"},
	{Value: "insurance", Label: "Insurance coverage"},
}

// ParseSending reads the send form.
func ParseSending(v url.Values) Sending {
	return Sending{Fields: v["share"], PartyAgreed: v.Get("party_agreed") == "yes"}
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

// Send marks a draft referral sent after checking the patient's consent,
// sets the day it is followed up if nobody answers, and marks the need as
// being addressed. check is the consent check for the receiving party
// (see CheckSharing); without consent nothing changes and ErrNoConsent is
// returned.
func Send(ctx context.Context, q db.DBTX, tenantID, actorID string, r Referral, version int, s Sending, check Sharing, followUp time.Time) error {
	basis := check.Basis
	if !r.Clinical() {
		basis += "; the patient agreed to this referral to " + r.ToName + " and to the details shared"
	}
	if !check.Allowed || (!r.Clinical() && !s.PartyAgreed) {
		return ErrNoConsent
	}
	var fields []string
	for _, f := range SharedFields {
		if slices.Contains(s.Fields, f.Value) {
			fields = append(fields, f.Value)
		}
	}
	if fields == nil {
		fields = []string{}
	}
	tag, err := q.Exec(ctx, `
		update referrals set status = 'sent', sent_at = now(), follow_up_due = $5, shared_fields = $6,
			consent_basis = $7, consent_checked_by = $8, consent_checked_at = now(), updated_at = now(), version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'draft'`,
		tenantID, r.PatientID, r.ID, version, followUp, fields, basis, actorID)
	if err := moved(ctx, q, err, tag.RowsAffected(), tenantID, r.ID, version); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `
		update needs set status = 'addressing', updated_at = now(), version = version + 1
		 where tenant_id = $1 and id = nullif($2, '')::uuid and status = 'identified'`, tenantID, r.NeedID); err != nil {
		return err
	}
	return addEvent(ctx, q, tenantID, r.ID, Sent, basis, actorID)
}

// Step is a status change as typed: the new status, the outcome of a
// completed referral, and a note.
type Step struct {
	To      Status
	Outcome Outcome
	Note    string
}

// ParseStep reads the status form.
func ParseStep(v url.Values) Step {
	return Step{To: Status(v.Get("status")), Outcome: Outcome(v.Get("outcome")), Note: trimmed(v.Get, "note")}
}

// Validate checks the step for a referral that stands at from.
func (s Step) Validate(from Status, errs Errors) {
	if !from.CanMove(s.To) || s.To == Sent {
		errs.Add("status", "Choose what happened from the list.")
		return
	}
	switch s.To {
	case Completed:
		if !Outcomes.Has(string(s.Outcome)) {
			errs.Add("outcome", "Say whether the referral met the need.")
		}
	case Declined, NoResponse, Cancelled:
		errs.Required("note", s.Note, "Say why, so the next person knows.")
	}
	errs.MaxLen("note", s.Note, 2000)
}

// Move takes a validated step on the referral, if it still stands at
// from with version; db.ErrConflict otherwise.
func Move(ctx context.Context, q db.DBTX, tenantID, actorID string, r Referral, version int, s Step) error {
	if !r.Status.CanMove(s.To) || s.To == Sent {
		return ErrWrongStatus
	}
	var outcome *Outcome
	note := ""
	if s.To == Completed {
		outcome, note = &s.Outcome, s.Note
	}
	tag, err := q.Exec(ctx, `
		update referrals set status = $5, outcome = $6, outcome_note = $7,
			closed_at = case when $5 in ('completed', 'declined', 'no_response', 'cancelled') then now() end,
			updated_at = now(), version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = $8`,
		tenantID, r.PatientID, r.ID, version, s.To, outcome, note, r.Status)
	if err := moved(ctx, q, err, tag.RowsAffected(), tenantID, r.ID, version); err != nil {
		return err
	}
	// A step taken closes the referral's no-response follow-up: there is
	// nothing left to chase.
	if err := tasks.CancelRaisedBy(ctx, q, tenantID, tasks.FromReferral, []string{r.ID}); err != nil {
		return err
	}
	return addEvent(ctx, q, tenantID, r.ID, s.To, s.Note, actorID)
}

// moved maps an update that matched no row: the referral is gone (not
// found) or someone moved it first (conflict).
func moved(ctx context.Context, q db.DBTX, err error, n int64, tenantID, id string, version int) error {
	return versioned(ctx, q, err, n, `select 1 from referrals where tenant_id = $1 and id = $2`, tenantID, id)
}

// OpenReferral is an open referral on a list of many patients'.
type OpenReferral struct {
	Referral
	PatientName     string
	CoordinatorName string
}

// Open lists the tenant's open referrals, oldest first; coordinatorID, when
// not "", keeps only that coordinator's patients.
func Open(ctx context.Context, q db.DBTX, tenantID, coordinatorID string) ([]OpenReferral, error) {
	return withPatients(ctx, q, `
		 where r.tenant_id = $1 and r.status in ('draft', 'sent', 'accepted', 'in_progress')
		   and ($2 = '' or p.assigned_coordinator_id = nullif($2, '')::uuid)
		 order by coalesce(r.sent_at, r.created_at), r.id`, tenantID, coordinatorID)
}

// ToResourceForCoordinator lists the referrals of the coordinator's
// patients to one resource, newest first.
func ToResourceForCoordinator(ctx context.Context, q db.DBTX, tenantID, resourceID, coordinatorID string) ([]OpenReferral, error) {
	return withPatients(ctx, q, `
		 where r.tenant_id = $1 and r.resource_id = $2 and p.assigned_coordinator_id = $3
		 order by r.created_at desc, r.id`, tenantID, resourceID, coordinatorID)
}

func withPatients(ctx context.Context, q db.DBTX, where string, args ...any) ([]OpenReferral, error) {
	rows, _ := q.Query(ctx, `select `+referralColumns+`, p.given_name, p.family_name, p.preferred_name, coalesce(u.name, '')`+
		referralFrom+`
		  join patients p on p.tenant_id = r.tenant_id and p.id = r.patient_id
		  left join users u on u.id = p.assigned_coordinator_id`+where, args...)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OpenReferral, error) {
		var o OpenReferral
		var p patients.Patient
		r := &o.Referral
		err := row.Scan(&r.ID, &r.PatientID, &r.NeedID, &r.NeedDomain, &r.NeedText, &r.GoalID, &r.GoalWords, &r.ResourceID,
			&r.MemberID, &r.MemberKind, &r.ToName, &r.Reason, &r.Status, &r.Outcome, &r.OutcomeNote, &r.SharedFields,
			&r.ConsentBasis, &r.CoverageID, &r.Payer, &r.PriorAuth, &r.SentAt, &r.FollowUpDue, &r.ClosedAt, &r.CreatedBy,
			&r.CreatedAt, &r.UpdatedAt, &r.Version, &p.GivenName, &p.FamilyName, &p.PreferredName, &o.CoordinatorName)
		o.PatientName = p.DisplayName()
		return o, err
	})
}

// ForGoals lists the referrals made for any of the goals, by goal id, for
// the care plan to show beside each goal.
func ForGoals(ctx context.Context, q db.DBTX, tenantID string, goalIDs []string) (map[string][]Referral, error) {
	rows, _ := q.Query(ctx, `select `+referralColumns+referralFrom+`
		where r.tenant_id = $1 and r.goal_id = any($2)
		order by r.created_at, r.id`, tenantID, goalIDs)
	list, err := pgx.CollectRows(rows, scanReferral)
	out := map[string][]Referral{}
	for _, r := range list {
		out[r.GoalID] = append(out[r.GoalID], r)
	}
	return out, err
}

// PatientHistory lists, by resource id, the patient's earlier referrals to
// resources, newest first, for the directory to show beside each.
func PatientHistory(ctx context.Context, q db.DBTX, tenantID, patientID string) (map[string][]Referral, error) {
	rows, _ := q.Query(ctx, `select `+referralColumns+referralFrom+`
		where r.tenant_id = $1 and r.patient_id = $2 and r.resource_id is not null
		order by r.created_at desc, r.id`, tenantID, patientID)
	list, err := pgx.CollectRows(rows, scanReferral)
	out := map[string][]Referral{}
	for _, r := range list {
		out[r.ResourceID] = append(out[r.ResourceID], r)
	}
	return out, err
}

// NeedOfGoal is the need a goal of the patient's plan serves.
func NeedOfGoal(ctx context.Context, q db.DBTX, tenantID, patientID, goalID string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		select pn.need_id
		  from goals g
		  join care_plan_needs pn on pn.tenant_id = g.tenant_id and pn.id = g.plan_need_id
		  join care_plans c on c.tenant_id = g.tenant_id and c.id = g.plan_id
		 where g.tenant_id = $1 and g.id = $2 and c.patient_id = $3`, tenantID, goalID, patientID).Scan(&id)
	return id, db.NotFound(err)
}

// Loop is what is left to close on the plan after a referral met its
// need: whether the need is still open, and whether the goal is still
// being worked on in an open plan (with the plan's id and version).
type Loop struct {
	NeedOpen    bool
	GoalOpen    bool
	PlanID      string
	PlanVersion int
}

// LoopState reads what is left to close for the referral.
func LoopState(ctx context.Context, q db.DBTX, tenantID string, r Referral) (Loop, error) {
	var l Loop
	if r.NeedID != "" {
		err := q.QueryRow(ctx, `select status in ('identified', 'addressing') from needs where tenant_id = $1 and id = $2`,
			tenantID, r.NeedID).Scan(&l.NeedOpen)
		if err != nil {
			return l, err
		}
	}
	if r.GoalID == "" {
		return l, nil
	}
	err := q.QueryRow(ctx, `
		select c.id, c.version
		  from goals g
		  join care_plans c on c.tenant_id = g.tenant_id and c.id = g.plan_id
		 where g.tenant_id = $1 and g.id = $2 and c.status in ('draft', 'active') and g.status in ('proposed', 'in_progress')`,
		tenantID, r.GoalID).Scan(&l.PlanID, &l.PlanVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, nil
	}
	l.GoalOpen = err == nil
	return l, err
}
