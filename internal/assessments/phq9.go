package assessments

// PHQ-9 (Kroenke, Spitzer & Williams 2001; Pfizer, free to use without
// permission). Items and the 0–3 frequency scale as published; bands
// 0–4, 5–9, 10–14, 15–19, 20–27.

// frequency is the PHQ and GAD answer scale. The alert, when
// given, is raised by every answer above "Not at all".
func frequency(alert string) []Option {
	return []Option{
		{ID: "not_at_all", Label: "Not at all", Points: 0},
		{ID: "several_days", Label: "Several days", Points: 1, Alert: alert},
		{ID: "more_than_half", Label: "More than half the days", Points: 2, Alert: alert},
		{ID: "nearly_every_day", Label: "Nearly every day", Points: 3, Alert: alert},
	}
}

// difficulty is the unscored functional question that follows PHQ-9 and
// GAD-7; it is asked only when some item was answered above "Not at all",
// so it is optional.
func difficulty(text string) Question {
	return Question{
		ID:   "difficulty",
		Text: text,
		Options: []Option{
			{ID: "not_difficult", Label: "Not difficult at all"},
			{ID: "somewhat", Label: "Somewhat difficult"},
			{ID: "very", Label: "Very difficult"},
			{ID: "extremely", Label: "Extremely difficult"},
		},
	}
}

func item(id, text string, options []Option) Question {
	return Question{ID: id, Text: text, Options: options, Required: true, Scored: true}
}

func phq9v1() Instrument {
	return Instrument{
		Code:         "PHQ-9",
		Version:      "1",
		Title:        "Patient Health Questionnaire (PHQ-9)",
		Instructions: "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
		Measures:     "Depression symptoms",
		Questions: []Question{
			item("q1", "Little interest or pleasure in doing things", frequency("")),
			item("q2", "Feeling down, depressed, or hopeless", frequency("")),
			item("q3", "Trouble falling or staying asleep, or sleeping too much", frequency("")),
			item("q4", "Feeling tired or having little energy", frequency("")),
			item("q5", "Poor appetite or overeating", frequency("")),
			item("q6", "Feeling bad about yourself — or that you are a failure or have let yourself or your family down", frequency("")),
			item("q7", "Trouble concentrating on things, such as reading the newspaper or watching television", frequency("")),
			item("q8", "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual", frequency("")),
			// Any answer above "Not at all" needs a person to follow up
			// today, whatever the total.
			item("q9", "Thoughts that you would be better off dead or of hurting yourself in some way", frequency(AlertSafety)),
			difficulty("If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?"),
		},
		Bands: []Band{
			{Min: 0, Max: 4, Label: "Minimal", Severity: SeverityLow,
				Interpretation: "Minimal depression symptoms reported. No follow-up is suggested by this score alone."},
			{Min: 5, Max: 9, Label: "Mild", Severity: SeverityMild,
				Interpretation: "Mild depression symptoms reported. Consider repeating the PHQ-9 at a later contact."},
			{Min: 10, Max: 14, Label: "Moderate", Severity: SeverityModerate, Need: NeedMentalHealth,
				Interpretation: "Moderate depression symptoms reported. Consider sharing the result with the patient's clinician and discussing a mental health goal. This is a screening score, not a diagnosis."},
			{Min: 15, Max: 19, Label: "Moderately severe", Severity: SeverityHigh, Need: NeedMentalHealth,
				Interpretation: "Moderately severe depression symptoms reported. Share the result with the patient's clinician soon so they can consider further assessment. This is a screening score, not a diagnosis."},
			{Min: 20, Max: 27, Label: "Severe", Severity: SeveritySevere, Need: NeedMentalHealth,
				Interpretation: "Severe depression symptoms reported. Share the result with the patient's clinician promptly so they can consider further assessment. This is a screening score, not a diagnosis."},
		},
	}
}
