package contacts

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
)

// Methods are the ways a contact happens.
var Methods = forms.Choices[string]{
	{Value: "phone", Label: "Phone call"}, {Value: "video", Label: "Video call"},
	{Value: "in_person", Label: "In person"}, {Value: "home_visit", Label: "Home visit"},
	{Value: "text", Label: "Text message"}, {Value: "email", Label: "Email"},
	{Value: "letter", Label: "Letter"}, {Value: "portal", Label: "Portal message"},
}

// Directions say who started a contact.
var Directions = forms.Choices[string]{{Value: "outbound", Label: "We reached out"}, {Value: "inbound", Label: "They reached us"}}

// Outcomes are how a contact went.
var Outcomes = forms.Choices[string]{
	{Value: "reached", Label: "Reached — we spoke"},
	{Value: "left_message", Label: "Left a message"},
	{Value: "no_answer", Label: "No answer"},
	{Value: "wrong_number", Label: "Wrong or disconnected number"},
	{Value: "declined", Label: "Reached, but they declined to talk"},
	{Value: "sent", Label: "Sent — no reply expected"},
}

// Reached reports whether an outcome means the person was reached. A
// person who picked up and declined to talk was reached too: they are not
// unreachable, and the contact counts for the cadence and for a discharge
// follow-up.
func Reached(outcome string) bool { return outcome == "reached" || outcome == "declined" }

// Unsuccessful reports whether an outcome is a failed attempt to reach the
// person. A letter or message sent expecting no reply is neither.
func Unsuccessful(outcome string) bool {
	return outcome == "left_message" || outcome == "no_answer" || outcome == "wrong_number"
}

// UnreachableAfter is how many unsuccessful attempts in a row to reach a
// patient flag them as unable to reach.
const UnreachableAfter = 3

// timeLayout is how a date and time travel in forms.
const timeLayout = calendar.DateTimeLocal

// maxBackdate is how long ago a contact may be logged as having happened:
// later than that it belongs in an addendum to a contact of the time.
const maxBackdate = 90 * 24 * time.Hour

// ContactForm is a contact as typed. With is "patient", "other" or
// "member:" followed by a care-team member's id.
type ContactForm struct {
	OccurredAt string
	Method     string
	Direction  string
	With       string
	OtherName  string
	OtherRole  string
	Outcome    string
	Minutes    string
	Summary    string
	// Goals are the ids of the goals ticked; GoalNotes the progress note
	// typed under each goal, ticked or not.
	Goals     map[string]bool
	GoalNotes map[string]string
	// The follow-up task, created with the contact when a title is given.
	FollowUpTitle    string
	FollowUpDue      string
	FollowUpAssignee string
	// Reason is why a correction was made, and Version the version of the
	// contact it was read at; only corrections have them.
	Reason  string
	Version int
	// Return is "worklist" when the form was opened from the worklist, so
	// that saving goes back there.
	Return string
}

// NewContactForm is a blank form: now, a phone call we made to the patient,
// with the follow-up (if the coordinator adds one) assigned to them.
func NewContactForm(now time.Time, assigneeID string) ContactForm {
	return ContactForm{
		OccurredAt: now.Format(timeLayout), Method: "phone", Direction: "outbound", With: "patient",
		FollowUpAssignee: assigneeID,
		Goals:            map[string]bool{}, GoalNotes: map[string]string{},
	}
}

// ParseContactForm reads a posted contact form.
func ParseContactForm(v url.Values) ContactForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := ContactForm{
		OccurredAt: g("occurred_at"), Method: g("method"), Direction: g("direction"), With: g("with"),
		OtherName: g("other_name"), OtherRole: g("other_role"), Outcome: g("outcome"),
		Minutes: g("minutes"), Summary: g("summary"),
		FollowUpTitle: g("follow_up_title"), FollowUpDue: g("follow_up_due"), FollowUpAssignee: g("follow_up_assignee"),
		Reason: g("reason"), Version: forms.Version(v.Get("version")), Goals: map[string]bool{}, GoalNotes: map[string]string{},
	}
	if v.Get("return") == "worklist" {
		f.Return = "worklist"
	}
	for _, id := range v["goal"] {
		f.Goals[id] = true
	}
	for k, vs := range v {
		if id, ok := strings.CutPrefix(k, "goal_note."); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			f.GoalNotes[id] = strings.TrimSpace(vs[0])
		}
	}
	return f
}

// FormOf is a stored contact as a form, to be corrected.
func FormOf(c Contact, loc *time.Location) ContactForm {
	f := ContactForm{
		OccurredAt: c.OccurredAt.In(loc).Format(timeLayout), Method: c.Method, Direction: c.Direction,
		Outcome: c.Outcome, Summary: c.Summary, Version: c.Version, Goals: map[string]bool{}, GoalNotes: map[string]string{},
	}
	switch c.Party {
	case "patient":
		f.With = "patient"
	case "care_team":
		f.With = "member:" + c.CareTeamMemberID
		if c.CareTeamMemberID == "" {
			// The member has left the care team since: keep them by name.
			f.With, f.OtherName, f.OtherRole = "other", c.PartyName, c.PartyRole
		}
	default:
		f.With, f.OtherName, f.OtherRole = "other", c.PartyName, c.PartyRole
	}
	if c.Minutes != nil {
		f.Minutes = strconv.Itoa(*c.Minutes)
	}
	return f
}

// Choices are what a contact form may name: the patient's care team, their
// open goals and the people a follow-up can be assigned to.
type Choices struct {
	Members   []patients.Member
	Goals     []careplans.GoalChoice
	Assignees map[string]bool
}

// NewContact is a validated contact, ready to store.
type NewContact struct {
	OccurredAt time.Time
	Method     string
	Direction  string
	Party      string
	MemberID   string
	PartyName  string
	PartyRole  string
	Outcome    string
	Minutes    *int
	Summary    string
	// Goals are the goals the contact touched, with the note for each
	// ("" for none), in the plan's order.
	Goals    []TouchedGoal
	FollowUp *tasks.NewTask
	Reason   string
}

// TouchedGoal is a goal a contact worked on, with its progress note.
type TouchedGoal struct {
	GoalID string
	Note   string
}

// Validate checks the form against now (in loc, the coordinator's
// calendar) and the patient's choices, filling errs, and returns the
// contact to store. A follow-up is checked only when part of it was typed.
func (f ContactForm) Validate(now time.Time, loc *time.Location, ch Choices, errs forms.Errors) NewContact {
	c := NewContact{Method: f.Method, Direction: f.Direction, Outcome: f.Outcome, Summary: f.Summary, Reason: f.Reason}
	if f.OccurredAt == "" {
		errs.Add("occurred_at", "Enter when the contact happened.")
	} else if at, err := time.ParseInLocation(timeLayout, f.OccurredAt, loc); err != nil {
		errs.Add("occurred_at", "Enter a real date and time, for example 2026-03-02 14:30.")
	} else if at.After(now.Add(5 * time.Minute)) {
		errs.Add("occurred_at", "A contact can't be logged before it happens: the time is in the future.")
	} else if at.Before(now.Add(-maxBackdate)) {
		errs.Add("occurred_at", "That is more than 90 days ago. Add a note to a contact of that time instead.")
	} else {
		c.OccurredAt = at
	}
	choose(errs, "method", f.Method, Methods, "Choose how the contact happened.")
	choose(errs, "direction", f.Direction, Directions, "Choose who reached out.")
	choose(errs, "outcome", f.Outcome, Outcomes, "Choose how the contact went.")
	f.validateParty(&c, ch.Members, errs)
	if f.Minutes != "" {
		n, err := strconv.Atoi(f.Minutes)
		switch {
		case err != nil:
			errs.Add("minutes", "Enter the minutes as a whole number, for example 15.")
		case n < 0 || n > 600:
			errs.Add("minutes", "Enter between 0 and 600 minutes.")
		default:
			c.Minutes = &n
		}
	}
	if Reached(f.Outcome) && f.Summary == "" {
		errs.Add("summary", "Write a short summary of what was discussed.")
	}
	errs.MaxLen("summary", f.Summary, 4000)
	f.validateGoals(&c, ch.Goals, errs)
	c.FollowUp = f.validateFollowUp(now, loc, ch.Assignees, errs)
	return c
}

func (f ContactForm) validateParty(c *NewContact, members []patients.Member, errs forms.Errors) {
	switch id, isMember := strings.CutPrefix(f.With, "member:"); {
	case f.With == "patient":
		c.Party = "patient"
	case f.With == "other":
		c.Party, c.PartyName, c.PartyRole = "other", f.OtherName, f.OtherRole
		if f.OtherName == "" {
			errs.Add("other_name", "Enter the name of the person you were in contact with.")
		}
		errs.MaxLen("other_name", f.OtherName, 200)
		errs.MaxLen("other_role", f.OtherRole, 100)
	case isMember:
		for _, m := range members {
			if m.ID == id {
				c.Party, c.MemberID, c.PartyName = "care_team", m.ID, m.Name
				c.PartyRole = orLabel(m.Relationship, patients.CareTeamKinds.Label(m.Kind))
				return
			}
		}
		errs.Add("with", "That person is not on the patient's care team. Choose again.")
	default:
		errs.Add("with", "Choose who the contact was with.")
	}
}

func (f ContactForm) validateGoals(c *NewContact, goals []careplans.GoalChoice, errs forms.Errors) {
	open := map[string]bool{}
	for _, g := range goals {
		open[g.ID] = true
		if !f.Goals[g.ID] {
			if f.GoalNotes[g.ID] != "" {
				errs.Add("goal_note."+g.ID, "Tick the goal to save this note with it.")
			}
			continue
		}
		note := f.GoalNotes[g.ID]
		if note != "" {
			if msg := careplans.ValidateNote(note); msg != "" {
				errs.Add("goal_note."+g.ID, msg)
			}
		}
		c.Goals = append(c.Goals, TouchedGoal{GoalID: g.ID, Note: note})
	}
	for id := range f.Goals {
		if !open[id] {
			errs.Add("goals", "One of the goals ticked is no longer open. Look at the goals again.")
		}
	}
}

func (f ContactForm) validateFollowUp(now time.Time, loc *time.Location, assignees map[string]bool, errs forms.Errors) *tasks.NewTask {
	if f.FollowUpTitle == "" && f.FollowUpDue == "" {
		return nil
	}
	t := tasks.NewTask{Title: f.FollowUpTitle, AssigneeID: f.FollowUpAssignee, Source: tasks.FromContact}
	if f.FollowUpTitle == "" {
		errs.Add("follow_up_title", "Say what needs to be done, or clear the due date.")
	}
	errs.MaxLen("follow_up_title", f.FollowUpTitle, 200)
	if due, ok := tasks.DueDate(errs, "follow_up_due", f.FollowUpDue, now, loc); ok {
		t.DueAt = due
	}
	if !assignees[f.FollowUpAssignee] {
		errs.Add("follow_up_assignee", "Choose who will do it.")
	}
	return &t
}

// choose adds msg when v is not one of opts.
func choose(errs forms.Errors, field, v string, opts forms.Choices[string], msg string) {
	if !opts.Has(v) {
		errs.Add(field, msg)
	}
}

func orLabel(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
