// Package careplans holds what a patient's care plan is made of. Needs come
// first: an assessment proposes them, and a coordinator accepts each one
// (perhaps reworded and prioritised) or declines it with a reason.
package careplans

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Priority is how soon a need should be worked on.
type Priority string

// Priorities.
const (
	High   Priority = "high"
	Medium Priority = "medium"
	Low    Priority = "low"
)

// Priorities lists every priority in the order a form offers them.
var Priorities = forms.Choices[Priority]{{Value: High, Label: "High"}, {Value: Medium, Label: "Medium"}, {Value: Low, Label: "Low"}}

// Label is the priority in plain words.
func (p Priority) Label() string { return Priorities.Label(p) }

// Valid reports whether p is one of Priorities.
func (p Priority) Valid() bool { return Priorities.Has(p) }

// Status is where a need stands.
type Status string

// Statuses. A declined need is a proposal the coordinator turned down; it is
// kept so the proposal does not come back.
const (
	Identified Status = "identified"
	Addressing Status = "addressing"
	Resolved   Status = "resolved"
	Declined   Status = "declined"
)

// Open reports whether the need is still to be worked on.
func (s Status) Open() bool { return s == Identified || s == Addressing }

// NeedDomains names every need domain, in the order forms offer them.
var NeedDomains = forms.Choices[assessments.Need]{
	{Value: assessments.NeedFood, Label: "Food insecurity"},
	{Value: assessments.NeedHousing, Label: "Housing"},
	{Value: assessments.NeedTransportation, Label: "Transportation"},
	{Value: assessments.NeedUtilities, Label: "Utilities"},
	{Value: assessments.NeedSafety, Label: "Safety"},
	{Value: assessments.NeedMentalHealth, Label: "Mental health"},
	{Value: assessments.NeedMedical, Label: "Medical"},
	{Value: assessments.NeedFinancial, Label: "Financial"},
	{Value: assessments.NeedSocialIsolation, Label: "Social isolation"},
	{Value: assessments.NeedEmployment, Label: "Employment"},
	{Value: assessments.NeedEducation, Label: "Education"},
	{Value: assessments.NeedPhysicalActivity, Label: "Physical activity"},
	{Value: assessments.NeedSubstanceUse, Label: "Substance use"},
	{Value: assessments.NeedDisability, Label: "Disability"},
}

// Domains lists every need domain in the order forms offer them.
var Domains = NeedDomains.Values()

// DomainLabel is a need domain in plain words.
func DomainLabel(n assessments.Need) string { return NeedDomains.Label(n) }

// Limits the table enforces.
const (
	descriptionMax = 500
	reasonMax      = 2000
)

// Failures of deciding a proposal; each leaves the proposals as they are.
var (
	// ErrAlreadyDecided means the proposal was accepted or declined before.
	ErrAlreadyDecided = fail.Precondition("This need was already accepted or declined from this result, so nothing changed.")
	// ErrNotProposed means the assessment does not propose that need.
	ErrNotProposed = fail.Precondition("This result does not propose that need any more, so nothing changed.")
)

// Need is one need on a patient's care plan.
type Need struct {
	ID, PatientID string
	Domain        assessments.Need
	Description   string
	Priority      Priority
	Status        Status
	// SourceAssessmentID and SourceCode name the assessment that proposed
	// the need; both are "" for a need added by hand.
	SourceAssessmentID string
	SourceCode         string
	DeclineReason      string
	CreatedAt          time.Time
	Version            int
}

// Decision is a coordinator's answer to one proposal, as typed.
type Decision struct {
	Accept      bool
	Domain      assessments.Need
	Description string
	Priority    Priority
	Reason      string
}

// ParseDecision reads a decision form: decision=accept|decline, domain,
// description, priority, reason. ok is false for a form that neither
// accepts nor declines.
func ParseDecision(v url.Values) (d Decision, ok bool) {
	return Decision{
		Accept:      v.Get("decision") == "accept",
		Domain:      assessments.Need(v.Get("domain")),
		Description: strings.TrimSpace(v.Get("description")),
		Priority:    Priority(v.Get("priority")),
		Reason:      strings.TrimSpace(v.Get("reason")),
	}, v.Get("decision") == "accept" || v.Get("decision") == "decline"
}

// Validate names each field of the decision that can't be stored.
func (d Decision) Validate() map[string]string {
	errs := map[string]string{}
	if d.Accept {
		if d.Description == "" {
			errs["description"] = "Describe the need in a few words."
		} else if len([]rune(d.Description)) > descriptionMax {
			errs["description"] = "Keep the description to 500 characters or fewer."
		}
		if !d.Priority.Valid() {
			errs["priority"] = "Choose a priority."
		}
		return errs
	}
	if d.Reason == "" {
		errs["reason"] = "Say why this need is declined, so the next person knows."
	} else if len([]rune(d.Reason)) > reasonMax {
		errs["reason"] = "Keep the reason to 2000 characters or fewer."
	}
	return errs
}

// DecideNeed accepts or declines, as d says, one need that the patient's
// completed assessment proposes, with its timeline line and audit event:
// an accepted need goes on the chart for the care plan; a declined one is
// kept with its reason so that it is not proposed again. It returns the
// need's id.
func (s *Service) DecideNeed(ctx context.Context, a tenants.Actor, patientID, assessmentID string, d Decision) (string, error) {
	if errs := d.Validate(); len(errs) > 0 {
		return "", fail.Invalid(errs, "The need was not saved. Check the proposal marked below.")
	}
	var id string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		asm, err := assessments.Get(ctx, tx, a.TenantID, patientID, assessmentID)
		if err != nil {
			return err
		}
		if id, err = decide(ctx, tx, a, asm, d); err != nil {
			return err
		}
		label := DomainLabel(d.Domain) + " (from " + asm.Code + ")"
		e := audit.Event{Action: "need.declined", EntityType: "need", EntityID: id,
			Detail: map[string]any{"domain": string(d.Domain), "assessment": assessmentID}}
		if !d.Accept {
			return patients.Record(ctx, tx, a, patientID, "need", "Proposed need declined: "+label, e)
		}
		e.Action, e.Detail["priority"] = "need.accepted", string(d.Priority)
		return patients.Record(ctx, tx, a, patientID, "need", "Need identified: "+label, e)
	})
	return id, err
}

// Decide stores a validated decision on a proposal of the completed
// assessment asm, decided by actorID: an identified need when accepted, a
// declined one with its reason otherwise. It returns the new need's id.
// Pages decide through Service.DecideNeed.
func Decide(ctx context.Context, q db.DBTX, tenantID, actorID string, asm assessments.Assessment, d Decision) (string, error) {
	return decide(ctx, q, tenants.Actor{TenantID: tenantID, UserID: actorID}, asm, d)
}

// decide stores d as decided by a at a.At.
func decide(ctx context.Context, q db.DBTX, a tenants.Actor, asm assessments.Assessment, d Decision) (string, error) {
	open, err := ProposalsFor(ctx, q, a.TenantID, asm)
	if err != nil {
		return "", err
	}
	if !proposes(asm.ProposedNeeds(), d.Domain) {
		return "", ErrNotProposed
	}
	decided := ErrAlreadyDecided.Because(DomainLabel(d.Domain) + " was already accepted or declined from this result, so nothing changed.")
	if !proposes(open, d.Domain) {
		return "", decided
	}
	status, priority, reason := Identified, d.Priority, ""
	if !d.Accept {
		status, reason = Declined, d.Reason
		priority, d.Description = Medium, proposalDescription(asm, d.Domain)
	}
	var at *time.Time
	if !a.At.IsZero() {
		at = &a.At
	}
	var id string
	err = q.QueryRow(ctx, `
		insert into needs (tenant_id, patient_id, domain, description, priority, status, source_assessment_id,
			decline_reason, created_by, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')::uuid, coalesce($10, now()))
		returning id`,
		a.TenantID, asm.PatientID, d.Domain, d.Description, priority, status, asm.ID, reason, a.UserID, at).Scan(&id)
	if db.IsUniqueViolation(err, "needs_source_domain_key") {
		return "", decided
	}
	return id, err
}

func proposes(ps []assessments.NeedProposal, n assessments.Need) bool {
	for _, p := range ps {
		if p.Need == n {
			return true
		}
	}
	return false
}

func proposalDescription(a assessments.Assessment, n assessments.Need) string {
	for _, p := range a.ProposedNeeds() {
		if p.Need == n {
			return p.Description
		}
	}
	return ""
}

// ProposalsFor returns the needs the assessment proposes that nobody has
// accepted or declined yet.
func ProposalsFor(ctx context.Context, q db.DBTX, tenantID string, a assessments.Assessment) ([]assessments.NeedProposal, error) {
	all := a.ProposedNeeds()
	if len(all) == 0 {
		return nil, nil
	}
	rows, _ := q.Query(ctx, `select domain from needs where tenant_id = $1 and source_assessment_id = $2`, tenantID, a.ID)
	decided, err := pgx.CollectRows(rows, pgx.RowTo[assessments.Need])
	if err != nil {
		return nil, err
	}
	var out []assessments.NeedProposal
	for _, p := range all {
		if !slices.Contains(decided, p.Need) {
			out = append(out, p)
		}
	}
	return out, nil
}

// AssessmentPage is an assessment as its page shows it, with the needs its
// result proposes that nobody has decided yet. The page is read here, not
// in assessments, because the needs are this package's.
type AssessmentPage struct {
	assessments.Page
	Proposals []assessments.NeedProposal
}

// AssessmentPage reads the patient's assessment id for its page, and
// records that a viewed it.
func (s *Service) AssessmentPage(ctx context.Context, a tenants.Actor, patientID, id string) (AssessmentPage, error) {
	var p AssessmentPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p, err = assessmentPage(ctx, tx, a.TenantID, patientID, id); err != nil {
			return err
		}
		return a.AuditView(ctx, tx, audit.Event{Action: "assessment.viewed", EntityType: "assessment", EntityID: id, PatientID: patientID})
	})
	return p, err
}

// AssessmentPageAgain reads the page of the patient's assessment id to show
// once more after a change to it was refused: the person is still on the
// page, so it is not audited as another view.
func (s *Service) AssessmentPageAgain(ctx context.Context, a tenants.Actor, patientID, id string) (AssessmentPage, error) {
	var p AssessmentPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		p, err = assessmentPage(ctx, tx, a.TenantID, patientID, id)
		return err
	})
	return p, err
}

func assessmentPage(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (AssessmentPage, error) {
	pg, err := assessments.ReadPage(ctx, q, tenantID, patientID, id)
	if err != nil {
		return AssessmentPage{}, err
	}
	p := AssessmentPage{Page: pg}
	p.Proposals, err = ProposalsFor(ctx, q, tenantID, pg.Assessment)
	return p, err
}

// ListForPatient returns the patient's needs, declined ones included, open
// ones first, then by priority and age.
func ListForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Need, error) {
	return NeedsQuery(tenantID, patientID).All(ctx, q)
}

// NeedsQuery reads the patient's needs, for a batch.
func NeedsQuery(tenantID, patientID string) db.Query[Need] {
	return db.Query[Need]{SQL: `
		select n.id, n.patient_id, n.domain, n.description, n.priority, n.status,
			coalesce(n.source_assessment_id::text, ''), coalesce(a.instrument_code, ''),
			n.decline_reason, n.created_at, n.version
		  from needs n
		  left join assessments a on a.tenant_id = n.tenant_id and a.id = n.source_assessment_id
		 where n.tenant_id = $1 and n.patient_id = $2
		 order by n.status in ('resolved', 'declined'),
			array_position(array['high', 'medium', 'low'], n.priority), n.created_at, n.id`,
		Args: []any{tenantID, patientID}, Scan: func(row pgx.CollectableRow) (Need, error) {
			var n Need
			err := row.Scan(&n.ID, &n.PatientID, &n.Domain, &n.Description, &n.Priority, &n.Status,
				&n.SourceAssessmentID, &n.SourceCode, &n.DeclineReason, &n.CreatedAt, &n.Version)
			return n, err
		}}
}
