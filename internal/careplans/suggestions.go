package careplans

import (
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
)

// Suggestion is a goal that often fits a kind of need, with the
// interventions that usually go with it. A coordinator takes one as a
// starting point and rewords it with the patient.
type Suggestion struct {
	Key           string
	PatientWords  string
	Target        string
	Weeks         int // a sensible target date, this many weeks away
	Interventions []string
}

// TargetDate is the suggestion's target date counted from today.
func (s Suggestion) TargetDate(today time.Time) string {
	return today.AddDate(0, 0, 7*s.Weeks).Format(calendar.DateLayout)
}

var suggestions = map[assessments.Need][]Suggestion{
	assessments.NeedFood: {
		{"food-weekly", "I have enough food each week", "Reports enough food for every day of the week, four weeks running", 8,
			[]string{"Refer to a local food bank or pantry", "Help apply for SNAP benefits"}},
		{"food-meals", "I get a hot meal every day", "Receives home-delivered or community meals at least five days a week", 6,
			[]string{"Refer to a home-delivered meals program"}},
	},
	assessments.NeedHousing: {
		{"housing-stable", "I have a safe place to live that I can afford", "Has a signed lease or a confirmed place in housing", 26,
			[]string{"Refer to a housing navigation program", "Help apply for rental assistance"}},
		{"housing-repairs", "My home is safe to live in", "Reported problems (heat, mould, pests, leaks) are fixed", 12,
			[]string{"Contact the landlord or code enforcement with the patient", "Refer to a home repair program"}},
	},
	assessments.NeedTransportation: {
		{"transport-appointments", "I can get to my appointments", "Attends all scheduled medical appointments for three months", 12,
			[]string{"Set up non-emergency medical transport through the health plan", "Apply for reduced-fare transit pass"}},
	},
	assessments.NeedUtilities: {
		{"utilities-on", "My lights and heat stay on", "No utility shut-off and a payment plan in place", 8,
			[]string{"Help apply for energy assistance (LIHEAP)", "Call the utility company about a payment plan with the patient"}},
	},
	assessments.NeedSafety: {
		{"safety-plan", "I feel safe at home", "Has a written safety plan and knows who to call", 2,
			[]string{"Make a safety plan with the patient", "Refer to a domestic violence advocate"}},
	},
	assessments.NeedMentalHealth: {
		{"mh-care", "I feel less down and worried", "PHQ-9 score below 10, or five points lower than at the start", 12,
			[]string{"Refer to behavioural health for counselling", "Schedule a follow-up PHQ-9 in 90 days"}},
	},
	assessments.NeedMedical: {
		{"medical-pcp", "I have a doctor I can see when I need to", "Has an established primary care provider and a first visit done", 8,
			[]string{"Help choose a primary care provider and book a first visit"}},
		{"medical-meds", "I take my medicines the way my doctor wants", "Reports no missed doses in the last two weeks", 6,
			[]string{"Review medicines with the patient and the pharmacist", "Set up a pill organiser or refill reminders"}},
	},
	assessments.NeedFinancial: {
		{"financial-benefits", "I get the benefits I qualify for", "Applications sent for every benefit the patient qualifies for", 8,
			[]string{"Screen for benefits eligibility", "Help fill in and send the applications"}},
	},
	assessments.NeedSocialIsolation: {
		{"social-connect", "I talk with people I care about", "Has contact with friends, family or a group at least twice a week", 8,
			[]string{"Refer to a senior centre or community group", "Arrange a friendly-visitor or phone-buddy program"}},
	},
}

// SuggestionsFor lists the suggested goals for a kind of need.
func SuggestionsFor(n assessments.Need) []Suggestion { return suggestions[n] }

// Suggested finds one suggestion by its key within a kind of need.
func Suggested(n assessments.Need, key string) (Suggestion, bool) {
	for _, s := range suggestions[n] {
		if s.Key == key {
			return s, true
		}
	}
	return Suggestion{}, false
}

// starterInterventions turns the suggested actions a coordinator kept into
// interventions for that coordinator, due a week before the goal's target
// date (never before today), to be added with the goal in one save.
func starterInterventions(actions []string, coordinatorID string, targetDate, today time.Time) []InterventionForm {
	due := targetDate.AddDate(0, 0, -7)
	if due.Before(today) {
		due = today
	}
	out := make([]InterventionForm, len(actions))
	for i, a := range actions {
		out[i] = InterventionForm{Action: a, Responsible: string(ByCoordinator) + ":" + coordinatorID,
			DueDate: due.Format(calendar.DateLayout), Status: string(InterventionPlanned)}
	}
	return out
}
