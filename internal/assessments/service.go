package assessments

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is what a coordinator does with assessments: start one, save
// answers, complete it (which opens the urgent task of a safety alert),
// amend it or mark it entered in error. Each use case takes the acting
// tenants.Actor, runs in the tenant's transaction and writes its change
// with the patient's timeline line and the audit event, or nothing.
type Service struct {
	pool       *pgxpool.Pool
	onEvidence patients.OnEvidence
}

// NewService is the assessments' use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// ReportingEvidence has the service run f after each result completed or
// marked in error, in its transaction (the risk rules re-evaluate the
// tier).
func (s *Service) ReportingEvidence(f patients.OnEvidence) *Service {
	s.onEvidence = f
	return s
}

// StartForm is an assessment to start, as posted.
type StartForm struct {
	Instrument string
	Method     string
}

// ParseStartForm reads a posted start of an assessment.
func ParseStartForm(v url.Values) StartForm {
	return StartForm{Instrument: strings.TrimSpace(v.Get("instrument")), Method: strings.TrimSpace(v.Get("method"))}
}

// Validate names each choice that is missing or unknown.
func (f StartForm) Validate() map[string]string {
	errs := map[string]string{}
	if _, ok := Current(f.Instrument); !ok {
		errs["instrument"] = "Choose the assessment to give."
	}
	if !Method(f.Method).Valid() {
		errs["method"] = "Choose how the assessment is given."
	}
	return errs
}

// Start begins the assessment f names for the patient, given by a.
func (s *Service) Start(ctx context.Context, a tenants.Actor, patientID string, f StartForm) (string, error) {
	if errs := f.Validate(); len(errs) > 0 {
		return "", fail.Invalid(errs, "Choose the assessment and how it is given.")
	}
	var id string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if _, err = patients.Get(ctx, tx, a.TenantID, patientID); err != nil {
			return err
		}
		if id, err = start(ctx, tx, a, patientID, f.Instrument, Method(f.Method)); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "assessment.started", EntityType: "assessment", EntityID: id, PatientID: patientID,
			Detail: map[string]any{"instrument": f.Instrument, "method": f.Method}})
	})
	return id, err
}

// AnswersForm is an assessment's form as posted: the button pressed, the
// version the form was read at and every field, of which the instrument's
// questions are read.
type AnswersForm struct {
	Action  string // "save" or "complete"
	Version string
	Answers Answers
}

// ParseAnswersForm reads a posted assessment form.
func ParseAnswersForm(v url.Values) AnswersForm {
	return AnswersForm{Action: v.Get("action"), Version: v.Get("version"), Answers: Answers(v)}
}

// SaveAnswers keeps f's answers to finish later, if the assessment is still
// in progress and as the coordinator read it. Answers that can't belong to
// the instrument are refused with a message beside each. A safety answer
// raises its alert now, not at completion (see settleSafety). It returns
// the open safety task, or "".
func (s *Service) SaveAnswers(ctx context.Context, a tenants.Actor, patientID, id string, f AnswersForm) (string, error) {
	var taskID string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		in, err := inProgress(ctx, tx, a.TenantID, patientID, id)
		if err != nil {
			return err
		}
		answers := in.AnswersFrom(f.Answers)
		if err := in.Validate(answers); err != nil {
			return refused(err)
		}
		alerts := in.Alerts(answers)
		if err := saveAnswers(ctx, tx, a.TenantID, patientID, id, forms.Version(f.Version), answers, alerts); err != nil {
			return err
		}
		err = a.Audit(ctx, tx, audit.Event{Action: "assessment.saved", EntityType: "assessment", EntityID: id, PatientID: patientID,
			Detail: map[string]any{"answered": len(answers), "alerts": orEmpty(alerts)}})
		if err != nil {
			return err
		}
		taskID, err = settleSafety(ctx, tx, a, patientID, id, in.Code, "")
		return err
	})
	return taskID, err
}

// withdrawnAtCompletion is why completing answers without a safety answer
// withdraws the alert an earlier save (or the assessment it amends) raised.
const withdrawnAtCompletion = "The completed answers no longer show a safety concern: the answer that raised the alert was corrected."

// Completion is what completing an assessment did.
type Completion struct {
	Result
	// SafetyTaskID is the open urgent task of the result's safety alert,
	// opened now or when the answer was saved, or "".
	SafetyTaskID string
}

// Complete scores f's answers with the instrument version the assessment
// was started with and stores them with the result, if it is still in
// progress and as the coordinator read it. Every required question must be
// answered. A safety alert keeps (or opens) its urgent task; answers
// completed without one withdraw the task an earlier save opened.
func (s *Service) Complete(ctx context.Context, a tenants.Actor, patientID, id string, f AnswersForm) (Completion, error) {
	var out Completion
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		in, err := inProgress(ctx, tx, a.TenantID, patientID, id)
		if err != nil {
			return err
		}
		answers := in.AnswersFrom(f.Answers)
		if out.Result, err = scored(in, answers); err != nil {
			return err
		}
		if err := complete(ctx, tx, a, patientID, id, forms.Version(f.Version), answers, out.Result); err != nil {
			return err
		}
		detail := map[string]any{"instrument": out.Code, "version": out.Version, "alerts": out.Alerts}
		if out.HasTotal {
			detail["total"], detail["band"] = out.Total, out.Band.Label
		}
		err = patients.Record(ctx, tx, a, patientID, "assessment", out.Summary(),
			audit.Event{Action: "assessment.completed", EntityType: "assessment", EntityID: id, Detail: detail})
		if err != nil {
			return err
		}
		if out.SafetyTaskID, err = settleSafety(ctx, tx, a, patientID, id, out.Code, withdrawnAtCompletion); err != nil {
			return err
		}
		return s.onEvidence.Run(ctx, tx, a, patientID)
	})
	return out, err
}

// scored checks complete answers and scores them.
func scored(in Instrument, answers Answers) (Result, error) {
	if err := in.Validate(answers); err != nil {
		return Result{}, refused(err)
	}
	if missing := in.Missing(answers); len(missing) > 0 {
		fields := map[string]string{}
		for _, id := range missing {
			fields[id] = "Please answer this question."
		}
		return Result{}, fail.Invalid(fields, countedQuestions(len(missing))+
			" an answer before the assessment can be completed. They are marked below; your answers are kept but nothing was saved yet.")
	}
	res, err := in.Score(answers)
	return res, refused(err)
}

// refused is answers an instrument can't take, as the failure its form
// shows: a message beside each question.
func refused(err error) error {
	var invalid *InvalidAnswersError
	if !errors.As(err, &invalid) {
		return err
	}
	fields := map[string]string{}
	for _, p := range invalid.Problems {
		fields[p.QuestionID] = p.Message
	}
	return fail.Invalid(fields, "")
}

func countedQuestions(n int) string {
	if n == 1 {
		return "1 question still needs"
	}
	return strconv.Itoa(n) + " questions still need"
}

// Summary is the timeline line of a completed result: "PHQ-9 completed:
// 14, moderate".
func (r Result) Summary() string {
	var what string
	switch {
	case r.HasTotal:
		what = strconv.Itoa(r.Total) + ", " + strings.ToLower(r.Band.Label)
	case len(r.PositiveDomains) == 0:
		what = "no needs identified"
	default:
		labels := make([]string, len(r.PositiveDomains))
		for i, d := range r.PositiveDomains {
			labels[i] = d.Label
		}
		what = "positive for " + strings.Join(labels, ", ")
	}
	if slices.Contains(r.Alerts, AlertSafety) {
		what += " (safety alert)"
	}
	return r.Code + " completed: " + what
}

// Amend starts a new assessment that corrects a completed one, for the
// reason given: same instrument version and method, the answers copied for
// editing. The original stays completed and unchanged. It returns the
// amendment's id.
func (s *Service) Amend(ctx context.Context, a tenants.Actor, patientID, id, reason string) (string, error) {
	reason, err := cleanReason("amend_reason", reason)
	if err != nil {
		return "", err
	}
	var newID string
	err = db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		orig, err := completedOne(ctx, tx, a.TenantID, patientID, id)
		if err != nil {
			return err
		}
		if newID, err = amend(ctx, tx, a, orig, reason); err != nil {
			return err
		}
		return patients.Record(ctx, tx, a, patientID, "assessment", orig.Code+" of "+orig.takenOn(a.At.Location())+" amended: "+reason,
			audit.Event{Action: "assessment.amended", EntityType: "assessment", EntityID: newID, Detail: map[string]any{"amends": id}})
	})
	return newID, err
}

// MarkEnteredInError marks a completed assessment as given in error, for
// the reason given. It stays on record, struck through; nothing is
// deleted. Its safety alert is withdrawn unless a standing amendment still
// raises it. It returns the assessment as marked.
func (s *Service) MarkEnteredInError(ctx context.Context, a tenants.Actor, patientID, id, reason string) (Assessment, error) {
	reason, err := cleanReason("error_reason", reason)
	if err != nil {
		return Assessment{}, err
	}
	var marked Assessment
	err = db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if marked, err = completedOne(ctx, tx, a.TenantID, patientID, id); err != nil {
			return err
		}
		if err = markEnteredInError(ctx, tx, a.TenantID, marked, reason); err != nil {
			return err
		}
		marked.Status, marked.ErrorReason = EnteredInError, reason
		err = patients.Record(ctx, tx, a, patientID, "assessment", marked.Code+" of "+marked.takenOn(a.At.Location())+" marked entered in error: "+reason,
			audit.Event{Action: "assessment.entered_in_error", EntityType: "assessment", EntityID: id})
		if err != nil {
			return err
		}
		if _, err = settleSafety(ctx, tx, a, patientID, id, marked.Code, "The assessment was marked entered in error: "+strings.TrimSuffix(reason, ".")+"."); err != nil {
			return err
		}
		return s.onEvidence.Run(ctx, tx, a, patientID)
	})
	return marked, err
}

// TakenAt is when the assessment was completed, or started while it is
// not.
func (a Assessment) TakenAt() time.Time {
	if a.CompletedAt != nil {
		return *a.CompletedAt
	}
	return a.StartedAt
}

// takenOn is the day the assessment was taken on loc's clock (the
// tenant's), as the timeline says it.
func (a Assessment) takenOn(loc *time.Location) string {
	return a.TakenAt().In(loc).Format(calendar.Day)
}
