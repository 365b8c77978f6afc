package assessments

import (
	"context"
	"errors"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/tenants"

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

// Methods lists every method in the order a form offers them.
var Methods = forms.Choices[Method]{
	{Value: "in_person", Label: "In person"},
	{Value: "phone", Label: "By phone"},
	{Value: "video", Label: "By video"},
	{Value: "self_reported", Label: "Filled in by the patient"},
}

// Label is the method in plain words.
func (m Method) Label() string { return Methods.Label(m) }

// Valid reports whether m is one of Methods.
func (m Method) Valid() bool { return Methods.Has(m) }

// reasonMax is the longest amend or error reason the table accepts.
const reasonMax = 2000

// Failures a use case reports.
var (
	// ErrUnknownInstrument is a code no published definition has: a form
	// offers only published ones, so meeting it is a fault.
	ErrUnknownInstrument = errors.New("assessments: unknown instrument")
	ErrUnknownMethod     = errors.New("assessments: unknown method")
	// ErrNotInProgress is answers sent to an assessment completed (or
	// marked entered in error) since the form was read.
	ErrNotInProgress = fail.Conflict("This assessment is already completed, so the answers you sent were not saved. To correct it, amend it below.")
	// ErrNotCompleted is an amendment or an entered-in-error mark of an
	// assessment that is not completed (any more).
	ErrNotCompleted = fail.Conflict("Only a completed assessment can be amended or marked entered in error, so nothing was changed. This is where it stands now.")
	// ErrAnswersChanged is answers saved from a form read before someone
	// else saved theirs.
	ErrAnswersChanged = db.ErrConflict.Because("Someone else saved this assessment while you were working on it, so your answers were not saved. " +
		"Your answers are shown below: check them, then save again to replace theirs.")
	// ErrReasonRequired and ErrReasonTooLong are an amendment or an
	// entered-in-error mark without a usable reason; the message beside
	// the reason says which.
	ErrReasonRequired = fail.Invalid(nil, "Nothing was changed: say why below.")
	ErrReasonTooLong  = fail.Invalid(nil, "Nothing was changed: the reason below is too long.")
)

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

// stamp is when a acts, for a column that otherwise takes the
// transaction's time: nil for an actor without a clock reading.
func stamp(a tenants.Actor) *time.Time {
	if a.At.IsZero() {
		return nil
	}
	return &a.At
}

// Start begins an assessment of the patient with the current version of
// the instrument code, administered by actorID, at the transaction's time.
// Pages start one through Service.Start.
func Start(ctx context.Context, q db.DBTX, tenantID, patientID, actorID, code string, method Method) (string, error) {
	return start(ctx, q, tenants.Actor{TenantID: tenantID, UserID: actorID}, patientID, code, method)
}

// start begins an assessment given by a at a.At.
func start(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, code string, method Method) (string, error) {
	in, ok := Current(code)
	if !ok {
		return "", ErrUnknownInstrument
	}
	if !method.Valid() {
		return "", ErrUnknownMethod
	}
	var id string
	err := q.QueryRow(ctx, `
		insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, method, administered_by,
			started_at, created_at)
		values ($1, $2, $3, $4, $5, nullif($6, '')::uuid, coalesce($7, now()), coalesce($7, now()))
		returning id`, a.TenantID, patientID, in.Code, in.Version, method, a.UserID, stamp(a)).Scan(&id)
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
	return ForPatientQuery(tenantID, patientID).All(ctx, q)
}

// ForPatientQuery reads the patient's assessments, for a batch.
func ForPatientQuery(tenantID, patientID string) db.Query[Assessment] {
	return db.Query[Assessment]{SQL: "select " + assessmentColumns + assessmentFrom +
		` where a.tenant_id = $1 and a.patient_id = $2
		 order by coalesce(a.completed_at, a.started_at) desc, a.created_at desc, a.id`,
		Args: []any{tenantID, patientID}, Scan: scanAssessment}
}

// inProgress loads an assessment that may still change, with its
// instrument.
func inProgress(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Instrument, error) {
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
	return in, nil
}

// saveAnswers keeps partial answers of an assessment still in progress,
// with the alerts they raise already, if
// it is still at version; otherwise it changes nothing and returns
// ErrAnswersChanged.
func saveAnswers(ctx context.Context, q db.DBTX, tenantID, patientID, id string, version int, answers Answers, alerts []string) error {
	tag, err := q.Exec(ctx, `
		update assessments set answers = $5, alerts = $6, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'in_progress'`,
		tenantID, patientID, id, version, answers, orEmpty(alerts))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrAnswersChanged
	}
	return nil
}

// complete stores res, the score of answers, completing the assessment at
// a.At if it is still at version.
func complete(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, id string, version int, answers Answers, res Result) error {
	var total, severity *int
	if res.HasTotal {
		t, s := res.Total, int(res.Band.Severity)
		total, severity = &t, &s
	}
	domains := make([]DomainRef, len(res.PositiveDomains))
	for i, d := range res.PositiveDomains {
		domains[i] = DomainRef{Code: d.Code, Label: d.Label}
	}
	tag, err := q.Exec(ctx, `
		update assessments set status = 'completed', answers = $5, total = $6, band = $7, severity = $8,
			positive_domains = $9, alerts = $10, interpretation = $11, completed_at = coalesce($12, now()), version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'in_progress'`,
		a.TenantID, patientID, id, version, answers, total, res.Band.Label, severity, domains, orEmpty(res.Alerts), res.Interpretation, stamp(a))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrAnswersChanged
	}
	return nil
}

// cleanReason trims the reason typed into field and checks it is given
// and not too long.
func cleanReason(field, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", ErrReasonRequired.WithFields(map[string]string{field: "Say why, so that everyone reading the chart understands the change."})
	case len([]rune(reason)) > reasonMax:
		return "", ErrReasonTooLong.WithFields(map[string]string{field: "Keep the reason under 2,000 characters."})
	}
	return reason, nil
}

// completedOne loads an assessment that may be corrected: a completed one.
func completedOne(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Assessment, error) {
	a, err := Get(ctx, q, tenantID, patientID, id)
	if err == nil && a.Status != Completed {
		return a, ErrNotCompleted
	}
	return a, err
}

// amend starts, at a.At, a new assessment that corrects orig: same
// instrument version and method, the answers copied for editing, and the
// reason. The original stays completed and unchanged.
func amend(ctx context.Context, q db.DBTX, a tenants.Actor, orig Assessment, reason string) (string, error) {
	var newID string
	err := q.QueryRow(ctx, `
		insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, answers, alerts, method,
			administered_by, amends_id, amend_reason, started_at, created_at)
		select tenant_id, patient_id, instrument_code, instrument_version, answers, alerts, method,
			nullif($4, '')::uuid, id, $5, coalesce($6, now()), coalesce($6, now())
		  from assessments
		 where tenant_id = $1 and patient_id = $2 and id = $3
		returning id`, a.TenantID, orig.PatientID, orig.ID, a.UserID, reason, stamp(a)).Scan(&newID)
	return newID, err
}

// markEnteredInError marks a completed assessment as given in error, with
// the reason. It stays on record; nothing is deleted.
func markEnteredInError(ctx context.Context, q db.DBTX, tenantID string, orig Assessment, reason string) error {
	tag, err := q.Exec(ctx, `
		update assessments set status = 'entered_in_error', error_reason = $4, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and status = 'completed'`,
		tenantID, orig.PatientID, orig.ID, reason)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotCompleted
	}
	return nil
}

// orEmpty stores a missing list as an empty JSON array, never null.
func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
