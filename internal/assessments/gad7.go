package assessments

// GAD-7 (Spitzer, Kroenke, Williams & Löwe 2006; Pfizer, free to use
// without permission). Items and scale as published; bands 0–4, 5–9,
// 10–14, 15–21.

func gad7v1() Instrument {
	return Instrument{
		Code:         "GAD-7",
		Version:      "1",
		Title:        "Generalized Anxiety Disorder scale (GAD-7)",
		Instructions: "Over the last 2 weeks, how often have you been bothered by the following problems?",
		Measures:     "Anxiety symptoms",
		Questions: []Question{
			item("q1", "Feeling nervous, anxious, or on edge", frequency("")),
			item("q2", "Not being able to stop or control worrying", frequency("")),
			item("q3", "Worrying too much about different things", frequency("")),
			item("q4", "Trouble relaxing", frequency("")),
			item("q5", "Being so restless that it is hard to sit still", frequency("")),
			item("q6", "Becoming easily annoyed or irritable", frequency("")),
			item("q7", "Feeling afraid as if something awful might happen", frequency("")),
			difficulty("If you checked off any problems, how difficult have these made it for you to do your work, take care of things at home, or get along with other people?"),
		},
		Bands: []Band{
			{Min: 0, Max: 4, Label: "Minimal", Severity: SeverityLow,
				Interpretation: "Minimal anxiety symptoms reported. No follow-up is suggested by this score alone."},
			{Min: 5, Max: 9, Label: "Mild", Severity: SeverityMild,
				Interpretation: "Mild anxiety symptoms reported. Consider repeating the GAD-7 at a later contact."},
			{Min: 10, Max: 14, Label: "Moderate", Severity: SeverityModerate, Need: NeedMentalHealth,
				Interpretation: "Moderate anxiety symptoms reported. Consider sharing the result with the patient's clinician, who may want to assess further. This is a screening score, not a diagnosis."},
			{Min: 15, Max: 21, Label: "Severe", Severity: SeveritySevere, Need: NeedMentalHealth,
				Interpretation: "Severe anxiety symptoms reported. Share the result with the patient's clinician promptly so they can consider further assessment. This is a screening score, not a diagnosis."},
		},
	}
}
