package assessments

import "time"

// DueRules says when an instrument should be administered again.
type DueRules struct {
	// DepressionAnxietyEvery is how long after a PHQ-9 or GAD-7 whose
	// result was moderate or worse it is due again. It is counted in whole
	// calendar days, so a daylight-saving change can't move the due date.
	DepressionAnxietyEvery time.Duration
	// SocialNeedsEvery is how long after an AHC-HRSN screen it is due again.
	SocialNeedsEvery Months
}

// Months is a calendar interval. Adding it keeps the day of the month, so
// twelve months after 3 Mar 2027 is 3 Mar 2028 across a leap day; a day the
// target month lacks rolls over (29 Feb 2028 + 12 months is 1 Mar 2029).
type Months int

// DefaultDueRules are the re-assessment intervals CareCoord uses unless an
// organisation sets its own: every 90 days while depression or anxiety
// symptoms are moderate or worse, and the social needs screen yearly.
func DefaultDueRules() DueRules {
	return DueRules{
		DepressionAnxietyEvery: 90 * 24 * time.Hour,
		SocialNeedsEvery:       12,
	}
}

// LastResult is the most recent completed assessment of one instrument for
// one patient; entered-in-error assessments don't count.
type LastResult struct {
	Code        string
	CompletedAt time.Time
	Severity    Severity
}

// DueDate returns when the instrument of last is due again, and false when
// it is on no schedule: LACE is scored at discharge rather than repeated,
// and a PHQ-9 or GAD-7 below moderate needs no planned follow-up.
func (r DueRules) DueDate(last LastResult) (time.Time, bool) {
	switch last.Code {
	case "PHQ-9", "GAD-7":
		if last.Severity < SeverityModerate {
			return time.Time{}, false
		}
		days := int(r.DepressionAnxietyEvery / (24 * time.Hour))
		return last.CompletedAt.AddDate(0, 0, days), true
	case "AHC-HRSN":
		return last.CompletedAt.AddDate(0, int(r.SocialNeedsEvery), 0), true
	default:
		return time.Time{}, false
	}
}

// Overdue reports whether the instrument of last should have been
// administered before today: on the due date itself it is due, not yet
// overdue. Days are compared on the calendar of today's location.
func (r DueRules) Overdue(last LastResult, today time.Time) bool {
	due, ok := r.DueDate(last)
	if !ok {
		return false
	}
	return dateOf(today).After(dateOf(due.In(today.Location())))
}

// dateOf is midnight UTC of t's calendar day in t's location, so days
// compare without hours getting in the way.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
