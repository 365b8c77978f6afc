package contacts

import (
	"strconv"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/forms"
)

// The discharge follow-up rule. The follow-up task of a discharge and the
// supervisors' measure both ask FollowUpOutcome, so the task never says
// "met" where the measure says otherwise.
//
// It follows the published definitions (facts, in our own words):
//   - NCQA HEDIS Follow-Up After Hospitalization for Mental Illness (FUH),
//     7-day rate: a follow-up visit within 7 days after the discharge; a
//     visit on the date of discharge itself does not count (current
//     specifications); telephone and telehealth visits count. Required
//     exclusions: members who die or are in hospice during the year;
//     discharges followed by a readmission or a direct transfer to another
//     inpatient facility within the follow-up period (for a mental-health
//     readmission only the later discharge counts).
//   - NCQA HEDIS Transitions of Care (TRC), Patient Engagement After
//     Inpatient Discharge: an engagement (office or home visit, telephone or
//     video visit) within 30 days after the discharge, not on its date.
//
// CareCoord measures the 7-day window with its own contacts: day 0 is the
// discharge date, a real engagement on days 1 to 7 (the tenant's local
// dates) meets it, one on day 8 or later is late. A readmission or transfer
// excludes the discharge when it falls on days 0 to 7 (HEDIS looks 30 days
// ahead; CareCoord's window is the 7 days it measures); a death or hospice
// excludes it whenever recorded after the discharge.

// FollowUpState is where a discharge's follow-up stands.
type FollowUpState string

// Follow-up states.
const (
	// FollowUpPending: no engagement yet, and the 7 days are not over.
	FollowUpPending FollowUpState = "pending"
	// FollowUpMet: an engagement on days 1 to 7.
	FollowUpMet FollowUpState = "met"
	// FollowUpLate: the first engagement after the discharge day was on
	// day 8 or later.
	FollowUpLate FollowUpState = "late"
	// FollowUpMissed: the 7 days are over without an engagement (yet).
	FollowUpMissed FollowUpState = "missed"
	// FollowUpExcluded: an exclusion is recorded on the discharge.
	FollowUpExcluded FollowUpState = "excluded"
)

// Exclusions are the reasons a discharge leaves the measure's denominator,
// recorded on the transition with their date.
var Exclusions = forms.Choices[string]{
	{Value: "readmitted", Label: "Readmitted to hospital"},
	{Value: "transferred", Label: "Transferred to another facility"},
	{Value: "hospice", Label: "Entered hospice"},
	{Value: "died", Label: "Died"},
}

// withinWindowOnly are the exclusions that count only when they happen on
// days 0 to DischargeFollowUpDays: after that the patient was home for the
// whole window.
var withinWindowOnly = map[string]bool{"readmitted": true, "transferred": true}

// engagementMethods are the ways of meeting that make a real engagement:
// a conversation by phone or video, or meeting in person.
var engagementMethods = map[string]bool{"phone": true, "video": true, "in_person": true, "home_visit": true}

// Engages reports whether a contact is a real engagement with the patient
// after a discharge: the patient themselves, reached by phone, video or in
// person. Declining to talk, a letter, a text, an email, a portal message
// or a voicemail is not.
func Engages(c FollowUpContact) bool {
	return c.Party == "patient" && c.Outcome == "reached" && engagementMethods[c.Method]
}

// Discharge is what the rule needs of a hospital discharge.
type Discharge struct {
	// On is the discharge date (midnight UTC, as calendar.ParseDate).
	On time.Time
	// ExcludedReason is one of Exclusions, or "".
	ExcludedReason string
}

// FollowUpContact is what the rule needs of a contact.
type FollowUpContact struct {
	At                     time.Time
	Method, Party, Outcome string
}

// FollowUp is a discharge's follow-up as the rule decides it.
type FollowUp struct {
	State FollowUpState
	// Day is the day after the discharge of the first engagement (met or
	// late), and At when it happened.
	Day int
	At  time.Time
}

// FollowUpOutcome decides a discharge's follow-up from the contacts with
// the patient (in any order), at now, counting days on loc's calendar. It
// is Engagement, what the contacts give the discharge, decided at now by
// Decide: the two halves the discharge's transition keeps apart (the
// engagement is kept on it, so the measure counts what Decide says of the
// kept one; see followup_kept.go).
func FollowUpOutcome(d Discharge, cs []FollowUpContact, now time.Time, loc *time.Location) FollowUp {
	return d.Decide(Engagement(d, cs, loc), now, loc)
}

// Engagement is what the contacts give the discharge, whatever the clock
// and any exclusion say: met or late, with the day and moment of the first
// engagement after the discharge day, or the zero FollowUp when there is
// none (yet).
func Engagement(d Discharge, cs []FollowUpContact, loc *time.Location) FollowUp {
	var first *FollowUpContact
	for i, c := range cs {
		if Engages(c) && dayAfter(d.On, c.At, loc) >= 1 && (first == nil || c.At.Before(first.At)) {
			first = &cs[i]
		}
	}
	if first == nil {
		return FollowUp{}
	}
	f := FollowUp{State: FollowUpMet, Day: dayAfter(d.On, first.At, loc), At: first.At}
	if f.Day > DischargeFollowUpDays {
		f.State = FollowUpLate
	}
	return f
}

// Decide is the discharge's follow-up at now, given its engagement e
// (Engagement's, or as its transition keeps it): excluded when an
// exclusion is recorded, met or late as engaged, and otherwise missed once
// the 7 days are over on loc's calendar, pending until then.
func (d Discharge) Decide(e FollowUp, now time.Time, loc *time.Location) FollowUp {
	switch {
	case d.ExcludedReason != "":
		return FollowUp{State: FollowUpExcluded}
	case e.State == FollowUpMet || e.State == FollowUpLate:
		return e
	case dayAfter(d.On, now, loc) > DischargeFollowUpDays:
		return FollowUp{State: FollowUpMissed}
	}
	return FollowUp{State: FollowUpPending}
}

// dayAfter is the day number of the moment at after the date on (day 0),
// on loc's calendar.
func dayAfter(on, at time.Time, loc *time.Location) int {
	return daysBetween(on, calendar.DateOf(at.In(loc)))
}

// daysBetween counts the days from date a to date b (both midnight UTC).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// Counts reports how the follow-up counts in the measure: in the
// denominator once met or once its 7 days are over, unless excluded; in
// the numerator only when met.
func (f FollowUp) Counts() (denominator, numerator bool) {
	switch f.State {
	case FollowUpMet:
		return true, true
	case FollowUpLate, FollowUpMissed:
		return true, false
	}
	return false, false
}

// Closes reports whether the follow-up closes the discharge's task: an
// engagement met it, or came late; an exclusion cancels it instead.
func (f FollowUp) Closes() bool { return f.State == FollowUpMet || f.State == FollowUpLate }

// Note is the closing note of the task, for the person who reads it.
func (f FollowUp) Note(loc *time.Location) string {
	when := f.At.In(loc).Format(calendar.Day)
	if f.State == FollowUpLate {
		return "Late: the patient was first reached on " + when + ", day " + strconv.Itoa(f.Day) +
			" after the discharge, after the 7-day window."
	}
	return "Met: the patient was reached on " + when + ", day " + strconv.Itoa(f.Day) + " after the discharge."
}
