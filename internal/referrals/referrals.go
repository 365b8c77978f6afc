package referrals

import (
	"context"
	"fmt"
	"slices"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

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

// Statuses are the referral's statuses in the order of its lifecycle.
var Statuses = forms.Choices[Status]{
	{Value: Draft, Label: "Draft"}, {Value: Sent, Label: "Sent"}, {Value: Accepted, Label: "Accepted"},
	{Value: InProgress, Label: "In progress"}, {Value: Completed, Label: "Completed"}, {Value: Declined, Label: "Declined"},
	{Value: NoResponse, Label: "No response"}, {Value: Cancelled, Label: "Cancelled"},
}

// Label is the status in plain words.
func (s Status) Label() string { return Statuses.Label(s) }

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
var Outcomes = forms.Choices[Outcome]{{Value: Met, Label: "Need met"}, {Value: PartlyMet, Label: "Partly met"}, {Value: NotMet, Label: "Not met"}}

// Label is the outcome in plain words.
func (o Outcome) Label() string { return Outcomes.Label(o) }

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

// Unanswered reports whether a sent referral has had no answer by its
// follow-up day, on today (a date).
func (r Referral) Unanswered(today time.Time) bool {
	return r.Status == Sent && r.FollowUpDue != nil && !r.FollowUpDue.After(today)
}

// ClinicalKinds are the care-team kinds a clinical referral may go to.
var ClinicalKinds = []string{"specialist", "behavioral_health", "home_health", "primary_care"}

// ProviderName is a care-team member with their organisation, as a
// referral or an appointment names them.
func ProviderName(m patients.Member) string {
	if m.Organisation != "" {
		return m.Name + " (" + m.Organisation + ")"
	}
	return m.Name
}

// addEvent records a step of the referral, taken by a at a.At.
func addEvent(ctx context.Context, q db.DBTX, a tenants.Actor, referralID string, s Status, note string) error {
	_, err := q.Exec(ctx, `
		insert into referral_events (tenant_id, referral_id, status, note, actor_id, at)
		values ($1, $2, $3, $4, nullif($5, '')::uuid, $6)`, a.TenantID, referralID, s, note, a.UserID, a.At)
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

// referralFields are where referralColumns are scanned to, in order.
func referralFields(r *Referral) []any {
	return []any{&r.ID, &r.PatientID, &r.NeedID, &r.NeedDomain, &r.NeedText, &r.GoalID, &r.GoalWords, &r.ResourceID,
		&r.MemberID, &r.MemberKind, &r.ToName, &r.Reason, &r.Status, &r.Outcome, &r.OutcomeNote, &r.SharedFields,
		&r.ConsentBasis, &r.CoverageID, &r.Payer, &r.PriorAuth, &r.SentAt, &r.FollowUpDue, &r.ClosedAt, &r.CreatedBy,
		&r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func scanReferral(row pgx.CollectableRow) (Referral, error) {
	var r Referral
	err := row.Scan(referralFields(&r)...)
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
	return ForPatientQuery(tenantID, patientID).All(ctx, q)
}

// ForPatientQuery reads the patient's referrals, for a batch.
func ForPatientQuery(tenantID, patientID string) db.Query[Referral] {
	return db.Query[Referral]{SQL: `select ` + referralColumns + referralFrom + `
		where r.tenant_id = $1 and r.patient_id = $2
		order by r.status in ('completed', 'declined', 'no_response', 'cancelled'), r.created_at desc, r.id`,
		Args: []any{tenantID, patientID}, Scan: scanReferral}
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
		select e.status, e.note, coalesce(u.name, '') as actor_name, e.at
		  from referral_events e
		  left join users u on u.id = e.actor_id
		 where e.tenant_id = $1 and e.referral_id = $2
		 order by e.at, e.id`, tenantID, referralID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Event])
}

// OpenReferral is a referral on a list of many patients'.
type OpenReferral struct {
	Referral
	PatientName     string
	CoordinatorName string
}

// openKeys is the order of open referrals, longest waiting first; the
// referrals_open_order_idx index (migration 00024) serves it.
const openKeys = "coalesce(r.sent_at, r.created_at), r.id"

// Open lists up to limit of the tenant's open referrals, oldest first, from
// the one after the referral with id after ("": from the first);
// coordinatorID, when not "", keeps only that coordinator's patients.
func Open(ctx context.Context, q db.DBTX, tenantID, coordinatorID, after string, limit int) ([]OpenReferral, error) {
	where := `
		 where r.tenant_id = $1 and r.status in ('draft', 'sent', 'accepted', 'in_progress')`
	args := []any{tenantID, limit}
	// The coordinator's patients are probed per referral read in order,
	// by key (a scalar subquery, as the caseload's overdue-task flag):
	// as a join the planner read every patient of the tenant to hash the
	// coordinator's.
	if coordinatorID != "" {
		args = append(args, coordinatorID)
		where += fmt.Sprintf(` and (select c.assigned_coordinator_id from patients c
			where c.tenant_id = r.tenant_id and c.id = r.patient_id) = $%d::uuid`, len(args))
	}
	if after != "" {
		args = append(args, after)
		where += " and " + db.After(openKeys, "referrals", "r", "$1", fmt.Sprintf("$%d", len(args)))
	}
	return withPatients(ctx, q, where+" order by "+openKeys+" limit $2", args...)
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
		err := row.Scan(append(referralFields(&o.Referral), &p.GivenName, &p.FamilyName, &p.PreferredName, &o.CoordinatorName)...)
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
