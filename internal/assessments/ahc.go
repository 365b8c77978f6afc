package assessments

// The CMS Accountable Health Communities health-related social needs
// screening tool (AHC HRSN), core questions 1–10, in the wording of the
// 2018 revision. Positive screens as the tool marks them; interpersonal
// safety is positive when the points of questions 7–10 add up to more
// than 10. Version 2 adds the tool's supplemental questions 11–26 as an
// optional section (see ahcSupplemental).

func ahcSafety(id, text string) Question {
	return Question{ID: id, Text: text, Required: true, Scored: true, Options: []Option{
		{ID: "never", Label: "Never", Points: 1},
		{ID: "rarely", Label: "Rarely", Points: 2},
		{ID: "sometimes", Label: "Sometimes", Points: 3},
		{ID: "fairly_often", Label: "Fairly often", Points: 4},
		{ID: "frequently", Label: "Frequently", Points: 5},
	}}
}

func ahcFood(id, text string) Question {
	return Question{ID: id, Text: text, Required: true, Options: []Option{
		{ID: "often", Label: "Often true"},
		{ID: "sometimes", Label: "Sometimes true"},
		{ID: "never", Label: "Never true"},
	}}
}

// livingSituation is the CMS domain of questions 1 and 2: CMS counts a
// patient positive on either as one domain, not two.
const livingSituation = "Living situation"

func ahcHRSNv1() Instrument {
	return Instrument{
		Code:    "AHC-HRSN",
		Version: "1",
		Title:   "Accountable Health Communities health-related social needs screening (core)",
		Instructions: "These questions ask about things like housing, food and safety that can affect health. " +
			"Answer for today or the past 12 months, as each question says. You can ask what any question means.",
		Questions: ahcCoreQuestions(),
		Domains:   ahcCoreDomains(),
	}
}

func ahcCoreQuestions() []Question {
	return []Question{
		{ID: "q1", Text: "What is your living situation today?", Required: true, Options: []Option{
			{ID: "steady", Label: "I have a steady place to live"},
			{ID: "worried", Label: "I have a place to live today, but I am worried about losing it in the future"},
			{ID: "not_steady", Label: "I do not have a steady place to live (I am temporarily staying with others, in a hotel, in a shelter, living outside on the street, on a beach, in a car, abandoned building, bus or train station, or in a park)"},
		}},
		{ID: "q2", Text: "Think about the place you live. Do you have problems with any of the following? (Choose all that apply.)", Required: true, Multi: true, Options: []Option{
			{ID: "pests", Label: "Pests such as bugs, ants, or mice"},
			{ID: "mold", Label: "Mold"},
			{ID: "lead", Label: "Lead paint or pipes"},
			{ID: "heat", Label: "Lack of heat"},
			{ID: "oven", Label: "Oven or stove not working"},
			{ID: "smoke_detectors", Label: "Smoke detectors missing or not working"},
			{ID: "water_leaks", Label: "Water leaks"},
			{ID: "none", Label: "None of the above", Exclusive: true},
		}},
		ahcFood("q3", "Within the past 12 months, you worried that your food would run out before you got money to buy more."),
		ahcFood("q4", "Within the past 12 months, the food you bought just didn't last and you didn't have money to get more."),
		{ID: "q5", Text: "In the past 12 months, has lack of reliable transportation kept you from medical appointments, meetings, work or from getting things needed for daily living?", Required: true, Options: []Option{
			{ID: "yes", Label: "Yes"},
			{ID: "no", Label: "No"},
		}},
		{ID: "q6", Text: "In the past 12 months has the electric, gas, oil, or water company threatened to shut off services in your home?", Required: true, Options: []Option{
			{ID: "yes", Label: "Yes"},
			{ID: "no", Label: "No"},
			{ID: "shut_off", Label: "Already shut off"},
		}},
		ahcSafety("q7", "How often does anyone, including family and friends, physically hurt you?"),
		ahcSafety("q8", "How often does anyone, including family and friends, insult or talk down to you?"),
		ahcSafety("q9", "How often does anyone, including family and friends, threaten you with harm?"),
		ahcSafety("q10", "How often does anyone, including family and friends, scream or curse at you?"),
	}
}

// ahcCoreDomains screen questions 1–10. The two living-situation screens
// count as one domain (Group); before issue 15 the chart counted them as
// two, and grouping them changes no answer or positive screen of version 1.
func ahcCoreDomains() []DomainScreen {
	return []DomainScreen{
		{Domain: Domain{Code: "housing_instability", Label: "Housing instability", Need: NeedHousing, Group: livingSituation},
			Questions: []string{"q1"}, Rule: anyOf("worried", "not_steady")},
		{Domain: Domain{Code: "housing_quality", Label: "Housing quality", Need: NeedHousing, Group: livingSituation},
			Questions: []string{"q2"}, Rule: anyOf("pests", "mold", "lead", "heat", "oven", "smoke_detectors", "water_leaks")},
		{Domain: Domain{Code: "food", Label: "Food insecurity", Need: NeedFood},
			Questions: []string{"q3", "q4"}, Rule: anyOf("often", "sometimes")},
		{Domain: Domain{Code: "transportation", Label: "Transportation problems", Need: NeedTransportation},
			Questions: []string{"q5"}, Rule: anyOf("yes")},
		{Domain: Domain{Code: "utilities", Label: "Utility help needs", Need: NeedUtilities},
			Questions: []string{"q6"}, Rule: anyOf("yes", "shut_off")},
		{Domain: Domain{Code: "safety", Label: "Interpersonal safety", Need: NeedSafety},
			Questions: []string{"q7", "q8", "q9", "q10"}, Rule: sumGreaterThan(10), Alert: AlertSafety},
	}
}
