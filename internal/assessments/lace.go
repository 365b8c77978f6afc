package assessments

// The LACE index for early death or unplanned readmission within 30 days
// of discharge (van Walraven et al., CMAJ 2010;182(6):551–557). Each
// component is a choice whose options carry the published points; total
// 0–19, low 0–4, moderate 5–9, high 10 or more.

func lacev1() Instrument {
	return Instrument{
		Code:    "LACE",
		Version: "1",
		Title:   "LACE index for readmission risk",
		Instructions: "Complete from the discharge summary or hospital record for the most recent admission. " +
			"Ask the patient or caregiver only to confirm what the record leaves unclear.",
		Measures: "Readmission risk",
		Questions: []Question{
			item("length_of_stay", "Length of stay: days in hospital, counting the day of admission and the day of discharge", []Option{
				{ID: "lt1", Label: "Less than 1 day", Points: 0},
				{ID: "1", Label: "1 day", Points: 1},
				{ID: "2", Label: "2 days", Points: 2},
				{ID: "3", Label: "3 days", Points: 3},
				{ID: "4to6", Label: "4 to 6 days", Points: 4},
				{ID: "7to13", Label: "7 to 13 days", Points: 5},
				{ID: "14plus", Label: "14 days or more", Points: 7},
			}),
			item("acuity", "Acuity: was the admission acute (emergent, unplanned)?", []Option{
				{ID: "emergent", Label: "Yes, acute (emergent) admission", Points: 3},
				{ID: "elective", Label: "No, elective (planned) admission", Points: 0},
			}),
			item("comorbidity", "Comorbidity: the patient's Charlson comorbidity index score", []Option{
				{ID: "0", Label: "0", Points: 0},
				{ID: "1", Label: "1", Points: 1},
				{ID: "2", Label: "2", Points: 2},
				{ID: "3", Label: "3", Points: 3},
				{ID: "4plus", Label: "4 or more", Points: 5},
			}),
			item("ed_visits", "Emergency department visits in the 6 months before this admission, not counting the visit that led to it", []Option{
				{ID: "0", Label: "None", Points: 0},
				{ID: "1", Label: "1 visit", Points: 1},
				{ID: "2", Label: "2 visits", Points: 2},
				{ID: "3", Label: "3 visits", Points: 3},
				{ID: "4plus", Label: "4 or more visits", Points: 4},
			}),
		},
		Bands: []Band{
			{Min: 0, Max: 4, Label: "Low", Severity: SeverityLow,
				Interpretation: "Low risk of readmission. Usual follow-up after discharge."},
			{Min: 5, Max: 9, Label: "Moderate", Severity: SeverityModerate,
				Interpretation: "Moderate risk of readmission. Consider a follow-up call within a week of discharge and a medication review."},
			{Min: 10, Max: 19, Label: "High", Severity: SeverityHigh, Need: NeedMedical,
				Interpretation: "High risk of readmission. Consider early contact after discharge, a medication review and a prompt follow-up appointment with the patient's clinician."},
		},
	}
}
