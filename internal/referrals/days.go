package referrals

import (
	"time"

	"carecoord/internal/calendar"
)

// FollowUpDay is the day a referral sent at sent (on the tenant's clock)
// is followed up if nobody answers: businessDays business days later on
// the tenant's calendar c, skipping weekends, federal holidays and its
// closures, by the same rule as the contact cadence.
func FollowUpDay(c calendar.Calendar, sent time.Time, businessDays int) time.Time {
	return calendar.AddBusinessDays(c, sent, businessDays)
}
