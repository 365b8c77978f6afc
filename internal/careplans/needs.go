// Package careplans holds what a patient's care plan is made of. Needs come
// first: an assessment proposes them, and a coordinator accepts each one
// (perhaps reworded and prioritised) or declines it with a reason.
package careplans

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/db"

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

// PriorityOption is a priority with its label, for forms.
type PriorityOption struct {
	Priority Priority
	Label    string
}

// Priorities lists every priority in the order a form offers them.
var Priorities = []PriorityOption{{High, "High"}, {Medium, "Medium"}, {Low, "Low"}}

// Label is the priority in plain words.
func (p Priority) Label() string {
	for _, o := range Priorities {
		if o.Priority == p {
			return o.Label
		}
	}
	return string(p)
}

// Valid reports whether p is one of Priorities.
func (p Priority) Valid() bool { return p.Label() != string(p) }

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

var domainLabels = map[assessments.Need]string{
	assessments.NeedFood:            "Food insecurity",
	assessments.NeedHousing:         "Housing",
	assessments.NeedTransportation:  "Transportation",
	assessments.NeedUtilities:       "Utilities",
	assessments.NeedSafety:          "Safety",
	assessments.NeedMentalHealth:    "Mental health",
	assessments.NeedMedical:         "Medical",
	assessments.NeedFinancial:       "Financial",
	assessments.NeedSocialIsolation: "Social isolation",
}

// Domains lists every need domain in the order forms offer them.
var Domains = []assessments.Need{
	assessments.NeedFood, assessments.NeedHousing, assessments.NeedTransportation, assessments.NeedUtilities,
	assessments.NeedSafety, assessments.NeedMentalHealth, assessments.NeedMedical, assessments.NeedFinancial,
	assessments.NeedSocialIsolation,
}

// DomainLabel is a need domain in plain words.
func DomainLabel(n assessments.Need) string {
	if l, ok := domainLabels[n]; ok {
		return l
	}
	return string(n)
}

// Limits the table enforces.
const (
	descriptionMax = 500
	reasonMax      = 2000
)

// Errors a caller can tell the person about.
var (
	// ErrAlreadyDecided means the proposal was accepted or declined before.
	ErrAlreadyDecided = errors.New("careplans: this proposal was already decided")
	// ErrNotProposed means the assessment does not propose that need.
	ErrNotProposed = errors.New("careplans: the assessment does not propose this need")
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
	// Errors maps a field name to a message for the coordinator.
	Errors map[string]string
}

// ParseDecision reads a decision form: decision=accept|decline, domain,
// description, priority, reason.
func ParseDecision(v url.Values) Decision {
	return Decision{
		Accept:      v.Get("decision") == "accept",
		Domain:      assessments.Need(v.Get("domain")),
		Description: strings.TrimSpace(v.Get("description")),
		Priority:    Priority(v.Get("priority")),
		Reason:      strings.TrimSpace(v.Get("reason")),
	}
}

// Validate fills d.Errors and reports whether the decision can be stored.
func (d *Decision) Validate() bool {
	d.Errors = map[string]string{}
	if d.Accept {
		if d.Description == "" {
			d.Errors["description"] = "Describe the need in a few words."
		} else if len([]rune(d.Description)) > descriptionMax {
			d.Errors["description"] = "Keep the description to 500 characters or fewer."
		}
		if !d.Priority.Valid() {
			d.Errors["priority"] = "Choose a priority."
		}
		return len(d.Errors) == 0
	}
	if d.Reason == "" {
		d.Errors["reason"] = "Say why this need is declined, so the next person knows."
	} else if len([]rune(d.Reason)) > reasonMax {
		d.Errors["reason"] = "Keep the reason to 2000 characters or fewer."
	}
	return len(d.Errors) == 0
}

// Decide stores a validated decision on a proposal of the completed
// assessment a: an identified need when accepted, a declined one with its
// reason otherwise. It returns the new need's id.
func Decide(ctx context.Context, q db.DBTX, tenantID, actorID string, a assessments.Assessment, d Decision) (string, error) {
	open, err := ProposalsFor(ctx, q, tenantID, a)
	if err != nil {
		return "", err
	}
	if !proposes(a.ProposedNeeds(), d.Domain) {
		return "", ErrNotProposed
	}
	if !proposes(open, d.Domain) {
		return "", ErrAlreadyDecided
	}
	status, priority, reason := Identified, d.Priority, ""
	if !d.Accept {
		status, reason = Declined, d.Reason
		priority, d.Description = Medium, proposalDescription(a, d.Domain)
	}
	var id string
	err = q.QueryRow(ctx, `
		insert into needs (tenant_id, patient_id, domain, description, priority, status, source_assessment_id,
			decline_reason, created_by)
		values ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')::uuid)
		returning id`,
		tenantID, a.PatientID, d.Domain, d.Description, priority, status, a.ID, reason, actorID).Scan(&id)
	if db.IsUniqueViolation(err, "needs_source_domain_key") {
		return "", ErrAlreadyDecided
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

// ListForPatient returns the patient's needs, declined ones included, open
// ones first, then by priority and age.
func ListForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Need, error) {
	rows, _ := q.Query(ctx, `
		select n.id, n.patient_id, n.domain, n.description, n.priority, n.status,
			coalesce(n.source_assessment_id::text, ''), coalesce(a.instrument_code, ''),
			n.decline_reason, n.created_at, n.version
		  from needs n
		  left join assessments a on a.tenant_id = n.tenant_id and a.id = n.source_assessment_id
		 where n.tenant_id = $1 and n.patient_id = $2
		 order by n.status in ('resolved', 'declined'),
			array_position(array['high', 'medium', 'low'], n.priority), n.created_at, n.id`, tenantID, patientID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Need, error) {
		var n Need
		err := row.Scan(&n.ID, &n.PatientID, &n.Domain, &n.Description, &n.Priority, &n.Status,
			&n.SourceAssessmentID, &n.SourceCode, &n.DeclineReason, &n.CreatedAt, &n.Version)
		return n, err
	})
}
