package referrals

import (
	"time"

	"carecoord/internal/contacts"
)

// FollowUpDay is the day a referral sent at sent is followed up if nobody
// answers: businessDays business days later on the server's calendar, by
// the same rule as the contact cadence (contacts.AddBusinessDays).
func FollowUpDay(sent time.Time, businessDays int) time.Time {
	return contacts.AddBusinessDays(sent.Local(), businessDays)
}
