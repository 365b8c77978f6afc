package assessments

import "strconv"

// Version 2 of the AHC-HRSN screen: the ten core questions of version 1
// and the tool's supplemental questions 11–26, asked when there is time.
// Wording, answer options and positive answers are those of the CMS
// "Accountable Health Communities Health-Related Social Needs Screening
// Tool" (2017; Billioux A, Verlander K, Anthony S, Alley D, "Standardized
// Screening for Health-Related Social Needs in Clinical Settings", NAM
// Perspectives 2017):
//
//	financial strain    Q11 "Very hard" or "Somewhat hard"
//	employment          Q12 either "Yes"
//	family and          Q13 "I could use a little more help" or "I need a
//	community support       lot more help"; Q14 "Often" or "Always"
//	education           Q15 or Q16 "Yes"
//	physical activity   Q17 days × Q18 minutes under 150 a week
//	substance use       Q19–Q22 any answer but "Never"
//	mental health       Q23a + Q23b (the PHQ-2, 0–3 each) 3 or more; Q24
//	                        "Quite a bit" or "Very much"
//	disabilities        Q25 or Q26 "Yes"
//
// Where the tool makes one domain of two screens (family and community
// support; mental health) they share a Group, so the domain counts once.

const (
	familySupport = "Family and community support"
	mentalHealth  = "Mental health"
)

func yesNo(id, text string) Question {
	return Question{ID: id, Text: text, Options: []Option{{ID: "yes", Label: "Yes"}, {ID: "no", Label: "No"}}}
}

// howOften is the substance-use answer scale.
func howOften(id, text string) Question {
	return Question{ID: id, Text: text, Options: []Option{
		{ID: "never", Label: "Never"},
		{ID: "once_or_twice", Label: "Once or twice"},
		{ID: "monthly", Label: "Monthly"},
		{ID: "weekly", Label: "Weekly"},
		{ID: "daily", Label: "Daily or almost daily"},
	}}
}

// counts is a question answered with a number, each option worth its
// value in points: days a week, minutes a day.
func counts(id, text string, labels []string, values []int) Question {
	q := Question{ID: id, Text: text, Scored: true}
	for i, v := range values {
		q.Options = append(q.Options, Option{ID: strconv.Itoa(v), Label: labels[i], Points: v})
	}
	return q
}

// numbered gives q the tool's number, where the PHQ-2 items 23a and 23b
// put places and numbers out of step.
func numbered(n string, q Question) Question {
	q.Number = n
	return q
}

func ahcSupplementalQuestions() []Question {
	q11 := Question{ID: "q11", Text: "How hard is it for you to pay for the very basics like food, housing, medical care, and heating?",
		Section:     "Supplemental questions",
		SectionNote: "Optional. Ask these when there is time: each screens one more area that can affect health. Leave any question the patient would rather not answer.",
		Options: []Option{
			{ID: "very_hard", Label: "Very hard"},
			{ID: "somewhat_hard", Label: "Somewhat hard"},
			{ID: "not_hard", Label: "Not hard at all"},
		}}
	return []Question{
		q11,
		{ID: "q12", Text: "Do you want help finding or keeping work or a job?", Options: []Option{
			{ID: "help_finding", Label: "Yes, help finding work"},
			{ID: "help_keeping", Label: "Yes, help keeping work"},
			{ID: "no", Label: "I do not need or want help"},
		}},
		{ID: "q13", Text: "If for any reason you need help with day-to-day activities such as bathing, preparing meals, shopping, managing finances, etc., do you get the help you need?", Options: []Option{
			{ID: "no_help_needed", Label: "I don't need any help"},
			{ID: "all_help", Label: "I get all the help I need"},
			{ID: "little_more", Label: "I could use a little more help"},
			{ID: "lot_more", Label: "I need a lot more help"},
		}},
		{ID: "q14", Text: "How often do you feel lonely or isolated from those around you?", Options: []Option{
			{ID: "never", Label: "Never"},
			{ID: "rarely", Label: "Rarely"},
			{ID: "sometimes", Label: "Sometimes"},
			{ID: "often", Label: "Often"},
			{ID: "always", Label: "Always"},
		}},
		yesNo("q15", "Do you speak a language other than English at home?"),
		yesNo("q16", "Do you want help with school or training? For example, starting or completing job training or getting a high school diploma, GED or equivalent."),
		counts("q17", "In the last 30 days, other than the activities you did for work, on average, how many days per week did you engage in moderate exercise (like walking fast, running, jogging, dancing, swimming, biking, or other similar activities)?",
			[]string{"0", "1", "2", "3", "4", "5", "6", "7"}, []int{0, 1, 2, 3, 4, 5, 6, 7}),
		counts("q18", "On average, how many minutes did you usually spend exercising at this level on one of those days?",
			[]string{"0", "10", "20", "30", "40", "50", "60", "90", "120", "150 or greater"}, []int{0, 10, 20, 30, 40, 50, 60, 90, 120, 150}),
		howOften("q19", "How many times in the past 12 months have you had 5 or more drinks in a day (males) or 4 or more drinks in a day (females)? One drink is 12 ounces of beer, 5 ounces of wine, or 1.5 ounces of 80-proof spirits."),
		howOften("q20", "How many times in the past 12 months have you used tobacco products (like cigarettes, cigars, snuff, chew, electronic cigarettes)?"),
		howOften("q21", "How many times in the past year have you used prescription drugs for non-medical reasons?"),
		howOften("q22", "How many times in the past year have you used illegal drugs?"),
		{ID: "q23a", Number: "23a", Text: "Over the past 2 weeks, how often have you been bothered by little interest or pleasure in doing things?", Scored: true, Options: frequency("")},
		{ID: "q23b", Number: "23b", Text: "Over the past 2 weeks, how often have you been bothered by feeling down, depressed, or hopeless?", Scored: true, Options: frequency("")},
		{ID: "q24", Number: "24", Text: "Stress means a situation in which a person feels tense, restless, nervous, or anxious, or is unable to sleep at night because his or her mind is troubled all the time. Do you feel this kind of stress these days?", Options: []Option{
			{ID: "not_at_all", Label: "Not at all"},
			{ID: "a_little", Label: "A little bit"},
			{ID: "somewhat", Label: "Somewhat"},
			{ID: "quite_a_bit", Label: "Quite a bit"},
			{ID: "very_much", Label: "Very much"},
		}},
		numbered("25", yesNo("q25", "Because of a physical, mental, or emotional condition, do you have serious difficulty concentrating, remembering, or making decisions? (5 years old or older)")),
		numbered("26", yesNo("q26", "Because of a physical, mental, or emotional condition, do you have difficulty doing errands alone such as visiting a doctor's office or shopping? (15 years old or older)")),
	}
}

func ahcSupplementalDomains() []DomainScreen {
	return []DomainScreen{
		{Domain: Domain{Code: "financial_strain", Label: "Financial strain", Need: NeedFinancial},
			Questions: []string{"q11"}, Rule: anyOf("very_hard", "somewhat_hard")},
		{Domain: Domain{Code: "employment", Label: "Employment", Need: NeedEmployment},
			Questions: []string{"q12"}, Rule: anyOf("help_finding", "help_keeping")},
		{Domain: Domain{Code: "daily_help", Label: "Needs more help with daily activities", Need: NeedSocialIsolation, Group: familySupport},
			Questions: []string{"q13"}, Rule: anyOf("little_more", "lot_more")},
		{Domain: Domain{Code: "loneliness", Label: "Loneliness or isolation", Need: NeedSocialIsolation, Group: familySupport},
			Questions: []string{"q14"}, Rule: anyOf("often", "always")},
		{Domain: Domain{Code: "education", Label: "Education", Need: NeedEducation},
			Questions: []string{"q15", "q16"}, Rule: anyOf("yes")},
		{Domain: Domain{Code: "physical_activity", Label: "Physical activity", Need: NeedPhysicalActivity},
			Questions: []string{"q17", "q18"}, Rule: productLessThan(150)},
		{Domain: Domain{Code: "substance_use", Label: "Substance use", Need: NeedSubstanceUse},
			Questions: []string{"q19", "q20", "q21", "q22"}, Rule: anyOf("once_or_twice", "monthly", "weekly", "daily")},
		{Domain: Domain{Code: "depression", Label: "Depression symptoms (PHQ-2)", Need: NeedMentalHealth, Group: mentalHealth},
			Questions: []string{"q23a", "q23b"}, Rule: sumGreaterThan(2)},
		{Domain: Domain{Code: "stress", Label: "Stress", Need: NeedMentalHealth, Group: mentalHealth},
			Questions: []string{"q24"}, Rule: anyOf("quite_a_bit", "very_much")},
		{Domain: Domain{Code: "disabilities", Label: "Disabilities", Need: NeedDisability},
			Questions: []string{"q25", "q26"}, Rule: anyOf("yes")},
	}
}

func ahcHRSNv2() Instrument {
	return Instrument{
		Code:    "AHC-HRSN",
		Version: "2",
		Title:   "Accountable Health Communities health-related social needs screening",
		Instructions: "These questions ask about things like housing, food and safety that can affect health. " +
			"Answer for today or the past 12 months, as each question says. You can ask what any question means.",
		Questions: append(ahcCoreQuestions(), ahcSupplementalQuestions()...),
		Domains:   append(ahcCoreDomains(), ahcSupplementalDomains()...),
	}
}
