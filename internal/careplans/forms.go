package careplans

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/forms"
)

// Errors maps a form field's name to the message shown beside it.
type Errors = forms.Errors

// notBefore checks that d is not before today; old dates may be kept when
// they are unchanged (unchanged is the date already stored, or "").
func notBefore(e Errors, field string, d *time.Time, today time.Time, unchanged, what string) {
	if d != nil && d.Before(today) && d.Format(calendar.DateLayout) != unchanged {
		e.Add(field, what+" can't be in the past.")
	}
}

// FormDate formats a date for a form field; nil is "".
func FormDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(calendar.DateLayout)
}

// StartForm starts a plan: its title and the patient's open needs it
// addresses.
type StartForm struct {
	Title   string
	NeedIDs []string
}

// ParseStart reads a start form.
func ParseStart(v url.Values) StartForm {
	return StartForm{Title: strings.TrimSpace(v.Get("title")), NeedIDs: v["need_id"]}
}

// Validate checks the title; a need id that is not a UUID names no need
// of the patient's, which is db.ErrNotFound.
func (f StartForm) Validate() (Errors, error) {
	for _, id := range f.NeedIDs {
		if !db.ValidUUID(id) {
			return nil, db.ErrNotFound
		}
	}
	errs := Errors{}
	errs.Required("title", f.Title, "Give the plan a title.")
	errs.MaxLen("title", f.Title, 200)
	return errs, nil
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
	if !Agreements.Has(Agreement(f.PatientAgreed)) {
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

// maxStarters bounds the suggested interventions a goal form carries.
const maxStarters = 10

// ParseStarters reads the suggested interventions a goal form offered with
// a suggested goal (offered) and the ones the coordinator kept ticked
// (chosen).
func ParseStarters(v url.Values) (chosen, offered []string) {
	for i := range maxStarters {
		n := strconv.Itoa(i)
		text := strings.TrimSpace(v.Get("starter_text_" + n))
		if text == "" {
			break
		}
		offered = append(offered, text)
		if v.Get("starter_"+n) == "yes" {
			chosen = append(chosen, text)
		}
	}
	return chosen, offered
}

// startersValid checks the kept suggestions' length: they came from the
// page, but a post can carry anything.
func (f *GoalForm) startersValid(starters []string) bool {
	for _, s := range starters {
		if len([]rune(s)) > 500 {
			f.Errors.Add("patient_words", "A suggested intervention is too long: at most 500 characters.")
			return false
		}
	}
	return true
}

// GoalFormOf fills a goal form from a stored goal.
func GoalFormOf(g Goal, version int) GoalForm {
	return GoalForm{PatientWords: g.PatientWords, Target: g.Target, TargetDate: g.TargetDate.Format(calendar.DateLayout),
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
		unchanged = stored.TargetDate.Format(calendar.DateLayout)
	}
	notBefore(f.Errors, "target_date", d, today, unchanged, "The target date")
	if !Priority(f.Priority).Valid() {
		f.Errors.Add("priority", "Choose a priority.")
	}
	if f.Status == "" {
		f.Status = string(GoalProposed)
	}
	if !GoalStatuses.Has(GoalStatus(f.Status)) {
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
	if !InterventionStatuses.Has(InterventionStatus(f.Status)) {
		f.Errors.Add("status", "Choose a status.")
	}
	return len(f.Errors) == 0
}

// MoveForm moves one item of the plan a place up or down among its
// siblings.
type MoveForm struct {
	// Kind is "need", "goal" or "intervention".
	Kind      string
	ID        string
	Direction string
	Version   int
}

// ParseMove reads a move button's form.
func ParseMove(v url.Values) MoveForm {
	return MoveForm{Kind: v.Get("kind"), ID: strings.ToLower(v.Get("id")), Direction: v.Get("direction"),
		Version: forms.Version(v.Get("version"))}
}

// Up reports whether the item moves up.
func (m MoveForm) Up() bool { return m.Direction == "up" }

// valid reports whether the form names an item and a direction; anything
// else came from no page of ours.
func (m MoveForm) valid() bool {
	return db.ValidUUID(m.ID) && (m.Direction == "up" || m.Direction == "down")
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
