package assessments

import (
	"context"
	"errors"
	"strings"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Status is where an administered assessment stands.
type Status string

// Statuses. A completed assessment never changes again except to be marked
// entered in error; a correction is a new assessment that amends it.
const (
	InProgress     Status = "in_progress"
	Completed      Status = "completed"
	EnteredInError Status = "entered_in_error"
)

// Method is how the questions were put to the patient.
type Method string

// MethodOption is a method with its label, for forms.
type MethodOption struct {
	Method Method
	Label  string
}

// Methods lists every method in the order a form offers them.
var Methods = []MethodOption{
	{"in_person", "In person"},
	{"phone", "By phone"},
	{"video", "By video"},
	{"self_reported", "Filled in by the patient"},
}

// Label is the method in plain words.
func (m Method) Label() string {
	for _, o := range Methods {
		if o.Method == m {
			return o.Label
		}
	}
	return string(m)
}

// Valid reports whether m is one of Methods.
func (m Method) Valid() bool { return m.Label() != string(m) }

// reasonMax is the longest amend or error reason the table accepts.
const reasonMax = 2000

// Errors a caller can tell the person about.
var (
	ErrUnknownInstrument = errors.New("assessments: unknown instrument")
	ErrUnknownMethod     = errors.New("assessments: unknown method")
	ErrNotInProgress     = errors.New("assessments: assessment is no longer in progress")
	ErrNotCompleted      = errors.New("assessments: assessment is not completed")
	ErrReasonRequired    = errors.New("assessments: a reason is required")
	ErrReasonTooLong     = errors.New("assessments: reason is too long")
)

// MissingAnswersError lists the required questions left unanswered when an
// assessment was to be completed.
type MissingAnswersError struct {
	QuestionIDs []string
}

func (e *MissingAnswersError) Error() string {
	return "assessments: unanswered questions: " + strings.Join(e.QuestionIDs, ", ")
}

// DomainRef is a positive domain as stored with a result.
type DomainRef struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Assessment is one administration of an instrument to a patient.
type Assessment struct {
	ID, PatientID      string
	Code, Version      string
	Status             Status
	Answers            Answers
	Total              *int // nil until completed, and for instruments without a total
	Band               string
	Severity           *int
	PositiveDomains    []DomainRef
	Alerts             []string
	Interpretation     string
	Method             Method
	AdministeredBy     string // user id, "" when unknown
	AdministeredByName string
	StartedAt          time.Time
	CompletedAt        *time.Time
	AmendsID           string
	AmendReason        string
	ErrorReason        string
	// AmendedByID is the newest amendment of this assessment not itself
	// entered in error, or "".
	AmendedByID string
	RowVersion  int
}

// Instrument returns the definition the assessment was given under.
func (a Assessment) Instrument() (Instrument, bool) { return Lookup(a.Code, a.Version) }

const assessmentColumns = `a.id, a.patient_id, a.instrument_code, a.instrument_version, a.status, a.answers,
	a.total, a.band, a.severity, a.positive_domains, a.alerts, a.interpretation, a.method,
	coalesce(a.administered_by::text, ''), coalesce(u.name, ''), a.started_at, a.completed_at,
	coalesce(a.amends_id::text, ''), a.amend_reason, a.error_reason,
	coalesce((select b.id::text from assessments b
	           where b.tenant_id = a.tenant_id and b.amends_id = a.id and b.status <> 'entered_in_error'
	           order by b.created_at desc limit 1), ''),
	a.version`

const assessmentFrom = ` from assessments a left join users u on u.id = a.administered_by `

func scanAssessment(row pgx.CollectableRow) (Assessment, error) {
	var a Assessment
	err := row.Scan(&a.ID, &a.PatientID, &a.Code, &a.Version, &a.Status, &a.Answers,
		&a.Total, &a.Band, &a.Severity, &a.PositiveDomains, &a.Alerts, &a.Interpretation, &a.Method,
		&a.AdministeredBy, &a.AdministeredByName, &a.StartedAt, &a.CompletedAt,
		&a.AmendsID, &a.AmendReason, &a.ErrorReason, &a.AmendedByID, &a.RowVersion)
	if a.Answers == nil {
		a.Answers = Answers{}
	}
	return a, err
}

// Start begins an assessment of the patient with the current version of
// the instrument code, administered by actorID.
func Start(ctx context.Context, q db.DBTX, tenantID, patientID, actorID, code string, method Method) (string, error) {
	in, ok := Current(code)
	if !ok {
		return "", ErrUnknownInstrument
	}
	if !method.Valid() {
		return "", ErrUnknownMethod
	}
	var id string
	err := q.QueryRow(ctx, `
		insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, method, administered_by)
		values ($1, $2, $3, $4, $5, nullif($6, '')::uuid)
		returning id`, tenantID, patientID, in.Code, in.Version, method, actorID).Scan(&id)
	return id, err
}

// Get loads one assessment of the patient.
func Get(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Assessment, error) {
	rows, _ := q.Query(ctx, "select "+assessmentColumns+assessmentFrom+
		" where a.tenant_id = $1 and a.patient_id = $2 and a.id = $3", tenantID, patientID, id)
	a, err := pgx.CollectExactlyOneRow(rows, scanAssessment)
	return a, db.NotFound(err)
}

// ListForPatient returns the patient's assessments, newest first.
func ListForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Assessment, error) {
	rows, _ := q.Query(ctx, "select "+assessmentColumns+assessmentFrom+
		` where a.tenant_id = $1 and a.patient_id = $2
		 order by coalesce(a.completed_at, a.started_at) desc, a.created_at desc, a.id`, tenantID, patientID)
	return pgx.CollectRows(rows, scanAssessment)
}

// inProgress loads an assessment that may still change, with its
// instrument, and checks the answers belong to that instrument.
func inProgress(ctx context.Context, q db.DBTX, tenantID, patientID, id string, answers Answers) (Instrument, error) {
	a, err := Get(ctx, q, tenantID, patientID, id)
	if err != nil {
		return Instrument{}, err
	}
	if a.Status != InProgress {
		return Instrument{}, ErrNotInProgress
	}
	in, ok := a.Instrument()
	if !ok {
		return Instrument{}, ErrUnknownInstrument
	}
	return in, in.Validate(answers)
}

// SaveAnswers keeps partial answers of an assessment still in progress, if
// it is still at version; otherwise it changes nothing and returns
// db.ErrConflict. Answers that can't belong to the instrument are an
// *InvalidAnswersError.
func SaveAnswers(ctx context.Context, q db.DBTX, tenantID, patientID, id string, version int, answers Answers) error {
	if _, err := inProgress(ctx, q, tenantID, patientID, id, answers); err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `
		update assessments set answers = $5, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'in_progress'`,
		tenantID, patientID, id, version, answers)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return db.ErrConflict
	}
	return nil
}

// Complete scores the answers with the instrument version the assessment
// was started with and stores them with the result. Unanswered required
// questions are a *MissingAnswersError and nothing is stored.
func Complete(ctx context.Context, q db.DBTX, tenantID, patientID, id string, version int, answers Answers) (Result, error) {
	in, err := inProgress(ctx, q, tenantID, patientID, id, answers)
	if err != nil {
		return Result{}, err
	}
	if missing := in.Missing(answers); len(missing) > 0 {
		return Result{}, &MissingAnswersError{QuestionIDs: missing}
	}
	res, err := in.Score(answers)
	if err != nil {
		return Result{}, err
	}
	var total, severity *int
	if res.HasTotal {
		t, s := res.Total, int(res.Band.Severity)
		total, severity = &t, &s
	}
	domains := make([]DomainRef, len(res.PositiveDomains))
	for i, d := range res.PositiveDomains {
		domains[i] = DomainRef{Code: d.Code, Label: d.Label}
	}
	alerts := res.Alerts
	if alerts == nil {
		alerts = []string{}
	}
	tag, err := q.Exec(ctx, `
		update assessments set status = 'completed', answers = $5, total = $6, band = $7, severity = $8,
			positive_domains = $9, alerts = $10, interpretation = $11, completed_at = now(), version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'in_progress'`,
		tenantID, patientID, id, version, answers, total, res.Band.Label, severity, domains, alerts, res.Interpretation)
	if err != nil {
		return Result{}, err
	}
	if tag.RowsAffected() == 0 {
		return Result{}, db.ErrConflict
	}
	return res, nil
}

// CleanReason trims a reason and checks it is given and not too long.
func CleanReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", ErrReasonRequired
	case len([]rune(reason)) > reasonMax:
		return "", ErrReasonTooLong
	}
	return reason, nil
}

// Amend starts a new assessment that corrects a completed one: same
// instrument version and method, the answers copied for editing, and the
// reason. The original stays completed and unchanged.
func Amend(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID, reason string) (string, error) {
	reason, err := CleanReason(reason)
	if err != nil {
		return "", err
	}
	orig, err := Get(ctx, q, tenantID, patientID, id)
	if err != nil {
		return "", err
	}
	if orig.Status != Completed {
		return "", ErrNotCompleted
	}
	var newID string
	err = q.QueryRow(ctx, `
		insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, answers, method,
			administered_by, amends_id, amend_reason)
		select tenant_id, patient_id, instrument_code, instrument_version, answers, method,
			nullif($4, '')::uuid, id, $5
		  from assessments
		 where tenant_id = $1 and patient_id = $2 and id = $3
		returning id`, tenantID, patientID, id, actorID, reason).Scan(&newID)
	return newID, err
}

// MarkEnteredInError marks a completed assessment as given in error, with
// the reason. It stays on record; nothing is deleted.
func MarkEnteredInError(ctx context.Context, q db.DBTX, tenantID, patientID, id, reason string) error {
	reason, err := CleanReason(reason)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `
		update assessments set status = 'entered_in_error', error_reason = $4, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and status = 'completed'`,
		tenantID, patientID, id, reason)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		if _, err := Get(ctx, q, tenantID, patientID, id); err != nil {
			return err
		}
		return ErrNotCompleted
	}
	return nil
}
