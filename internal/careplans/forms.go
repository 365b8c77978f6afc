package careplans

import (
	"net/url"
	"strings"
	"time"

	"carecoord/internal/calendar"

	"carecoord/internal/assessments"
	"carecoord/internal/forms"
)

// dateLayout is how dates travel in forms.
const dateLayout = calendar.DateLayout

// Errors maps a form field's name to the message shown beside it.
type Errors = forms.Errors

// notBefore checks that d is not before today; old dates may be kept when
// they are unchanged (unchanged is the date already stored, or "").
func notBefore(e Errors, field string, d *time.Time, today time.Time, unchanged, what string) {
	if d != nil && d.Before(today) && d.Format(dateLayout) != unchanged {
		e.Add(field, what+" can't be in the past.")
	}
}

// FormDate formats a date for a form field; nil is "".
func FormDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(dateLayout)
}

// DetailsForm is the plan's header as typed.
type DetailsForm struct {
	Title         string
	ReviewDue     string
	Participants  string
	PatientAgreed string
	Version       int
	Errors        Errors
}

// ParseDetails reads a details form.
func ParseDetails(v url.Values) DetailsForm {
	return DetailsForm{
		Title: strings.TrimSpace(v.Get("title")), ReviewDue: v.Get("review_due"),
		Participants: strings.TrimSpace(v.Get("participants")), PatientAgreed: v.Get("patient_agreed"),
		Version: forms.Version(v.Get("version")),
	}
}

// DetailsFormOf fills a details form from the plan.
func DetailsFormOf(p Plan) DetailsForm {
	return DetailsForm{Title: p.Title, ReviewDue: FormDate(p.ReviewDue), Participants: p.Participants,
		PatientAgreed: string(p.PatientAgreed), Version: p.Version}
}

// Validate fills f.Errors and reports whether the details can be stored.
func (f *DetailsForm) Validate(today time.Time, stored Plan) bool {
	f.Errors = Errors{}
	f.Errors.Required("title", f.Title, "Give the plan a title.")
	f.Errors.MaxLen("title", f.Title, 200)
	d := f.Errors.Date("review_due", f.ReviewDue, false)
	notBefore(f.Errors, "review_due", d, today, FormDate(stored.ReviewDue), "The review date")
	f.Errors.MaxLen("participants", f.Participants, 1000)
	if Agreement(f.PatientAgreed).Label() == f.PatientAgreed {
		f.Errors.Add("patient_agreed", "Say whether the patient agreed to the plan.")
	}
	return len(f.Errors) == 0
}

// NeedForm adds a need to the plan: one of the patient's open needs, or a
// new one described by hand.
type NeedForm struct {
	NeedID      string
	Domain      string
	Description string
	Priority    string
	Version     int
	Errors      Errors
}

// ParseNeed reads an add-need form.
func ParseNeed(v url.Values) NeedForm {
	return NeedForm{NeedID: v.Get("need_id"), Domain: v.Get("domain"),
		Description: strings.TrimSpace(v.Get("description")), Priority: v.Get("priority"), Version: forms.Version(v.Get("version"))}
}

// ByHand reports whether the form describes a new need.
func (f NeedForm) ByHand() bool { return f.NeedID == "" }

// Validate fills f.Errors and reports whether the need can be added.
func (f *NeedForm) Validate() bool {
	f.Errors = Errors{}
	if !f.ByHand() {
		return true
	}
	if DomainLabel(assessments.Need(f.Domain)) == f.Domain {
		f.Errors.Add("domain", "Choose the kind of need.")
	}
	f.Errors.Required("description", f.Description, "Describe the need in a few words.")
	f.Errors.MaxLen("description", f.Description, descriptionMax)
	if !Priority(f.Priority).Valid() {
		f.Errors.Add("priority", "Choose a priority.")
	}
	return len(f.Errors) == 0
}

// GoalForm is a goal as typed.
type GoalForm struct {
	PatientWords string
	Target       string
	TargetDate   string
	Priority     string
	Status       string
	Version      int
	Errors       Errors
}

// ParseGoal reads a goal form.
func ParseGoal(v url.Values) GoalForm {
	return GoalForm{PatientWords: strings.TrimSpace(v.Get("patient_words")), Target: strings.TrimSpace(v.Get("target")),
		TargetDate: v.Get("target_date"), Priority: v.Get("priority"), Status: v.Get("status"), Version: forms.Version(v.Get("version"))}
}

// GoalFormOf fills a goal form from a stored goal.
func GoalFormOf(g Goal, version int) GoalForm {
	return GoalForm{PatientWords: g.PatientWords, Target: g.Target, TargetDate: g.TargetDate.Format(dateLayout),
		Priority: string(g.Priority), Status: string(g.Status), Version: version}
}

// Validate fills f.Errors and reports whether the goal can be stored.
// stored is the goal being edited (zero when adding).
func (f *GoalForm) Validate(today time.Time, stored Goal) bool {
	f.Errors = Errors{}
	f.Errors.Required("patient_words", f.PatientWords, "Write the goal as the patient says it.")
	f.Errors.MaxLen("patient_words", f.PatientWords, 500)
	f.Errors.Required("target", f.Target, "Say how you will both know the goal is met.")
	f.Errors.MaxLen("target", f.Target, 500)
	d := f.Errors.Date("target_date", f.TargetDate, true)
	unchanged := ""
	if stored.ID != "" {
		unchanged = stored.TargetDate.Format(dateLayout)
	}
	notBefore(f.Errors, "target_date", d, today, unchanged, "The target date")
	if !Priority(f.Priority).Valid() {
		f.Errors.Add("priority", "Choose a priority.")
	}
	if f.Status == "" {
		f.Status = string(GoalProposed)
	}
	if GoalStatus(f.Status).Label() == f.Status {
		f.Errors.Add("status", "Choose a status.")
	}
	return len(f.Errors) == 0
}

// InterventionForm is an intervention as typed. Responsible is encoded as
// "coordinator:<user id>", "care_team:<member id>", "patient" or
// "caregiver", the values of the form's choice list.
type InterventionForm struct {
	Action      string
	Responsible string
	DueDate     string
	Status      string
	Version     int
	Errors      Errors
}

// ParseIntervention reads an intervention form.
func ParseIntervention(v url.Values) InterventionForm {
	return InterventionForm{Action: strings.TrimSpace(v.Get("action")), Responsible: v.Get("responsible"),
		DueDate: v.Get("due_date"), Status: v.Get("status"), Version: forms.Version(v.Get("version"))}
}

// InterventionFormOf fills an intervention form from a stored one.
func InterventionFormOf(i Intervention, version int) InterventionForm {
	return InterventionForm{Action: i.Action, Responsible: ResponsibleValue(i), DueDate: FormDate(i.DueDate),
		Status: string(i.Status), Version: version}
}

// ResponsibleValue encodes who is responsible as the form's choice value.
func ResponsibleValue(i Intervention) string {
	switch i.ResponsibleKind {
	case ByCoordinator:
		return string(ByCoordinator) + ":" + i.ResponsibleUserID
	case ByCareTeam:
		return string(ByCareTeam) + ":" + i.ResponsibleMemberID
	}
	return string(i.ResponsibleKind)
}

// responsible decodes the choice value: its kind and the person's id.
func (f InterventionForm) responsible() (ResponsibleKind, string) {
	kind, id, _ := strings.Cut(f.Responsible, ":")
	return ResponsibleKind(kind), id
}

// Validate fills f.Errors and reports whether the intervention can be
// stored. choices are the values the form offered for Responsible.
func (f *InterventionForm) Validate(today time.Time, stored Intervention, choices map[string]bool) bool {
	f.Errors = Errors{}
	f.Errors.Required("action", f.Action, "Say what will be done.")
	f.Errors.MaxLen("action", f.Action, 500)
	if !choices[f.Responsible] {
		f.Errors.Add("responsible", "Choose who will do it.")
	}
	d := f.Errors.Date("due_date", f.DueDate, false)
	notBefore(f.Errors, "due_date", d, today, FormDate(stored.DueDate), "The due date")
	if kind, _ := f.responsible(); kind == ByCoordinator && d == nil && f.Errors["responsible"] == "" {
		f.Errors.Add("due_date", "Give a due date: it goes on the coordinator's worklist.")
	}
	if f.Status == "" {
		f.Status = string(InterventionPlanned)
	}
	if InterventionStatus(f.Status).Label() == f.Status {
		f.Errors.Add("status", "Choose a status.")
	}
	return len(f.Errors) == 0
}

// ReasonForm is a comment or reason a lifecycle step needs.
type ReasonForm struct {
	Text    string
	Version int
	Errors  Errors
}

// ParseReason reads a form with a "text" field.
func ParseReason(v url.Values) ReasonForm {
	return ReasonForm{Text: strings.TrimSpace(v.Get("text")), Version: forms.Version(v.Get("version"))}
}

// Validate fills f.Errors; missing is the message when the text is empty.
func (f *ReasonForm) Validate(missing string) bool {
	f.Errors = Errors{}
	f.Errors.Required("text", f.Text, missing)
	f.Errors.MaxLen("text", f.Text, reasonMax)
	return len(f.Errors) == 0
}
