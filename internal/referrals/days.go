package referrals

import (
	"time"

	"carecoord/internal/calendar"
)

// FollowUpDay is the day a referral sent at sent is followed up if nobody
// answers: businessDays business days later on the server's calendar, by
// the same rule as the contact cadence (calendar.AddBusinessDays).
func FollowUpDay(sent time.Time, businessDays int) time.Time {
	return calendar.AddBusinessDays(sent.Local(), businessDays)
}
