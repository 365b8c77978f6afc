package referrals

import (
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/patients"
)

// What "consent to share with that party" means here. Every referral names
// the patient, so nothing is sent without:
//
//  1. the patient's information-sharing consent in force today (given, not
//     expired, not revoked), which is the organisation's general permission
//     to share the patient's information for their care; and
//  2. the patient's agreement to share with this particular party: for a
//     provider on the care team, the care-team entry's consent_to_share
//     flag (recorded once, kept with the person); for a resource of the
//     directory, who is not on the care team, the coordinator's
//     confirmation when sending that the patient agreed to this referral
//     and to the details ticked (see Sending.PartyAgreed).
//
// What was relied on is stored with the referral (consent_basis), and the
// organisation's printed summary checks the consent again when printed:
// after a revocation it carries no patient details.

// Sharing is the outcome of the consent check for one receiving party.
type Sharing struct {
	Allowed bool
	// Basis says what the permission rests on, for the referral's record.
	Basis string
	// Reason says why sharing is not allowed, and Fix what to record so
	// that it is; FixMember names the care-team member to update for Fix.
	Reason    string
	Fix       string
	FixMember string
}

// CheckSharing checks the patient's consents for sharing with the party:
// member is the care-team provider receiving the referral, or nil for a
// resource of the directory. name is how the patient is called on screen.
func CheckSharing(consents []patients.Consent, member *patients.Member, name string, today time.Time) Sharing {
	var inForce, newest *patients.Consent
	for i := range consents {
		c := &consents[i]
		if c.Kind != "information_sharing" {
			continue
		}
		if c.State(today) == patients.ConsentGiven && (inForce == nil || c.GivenOn.After(inForce.GivenOn)) {
			inForce = c
		}
		if newest == nil || c.GivenOn.After(newest.GivenOn) {
			newest = c
		}
	}
	fix := "Ask " + name + " whether they agree to share their information for this referral, and record their consent to share information on the chart."
	switch {
	case inForce == nil && newest == nil:
		return Sharing{Reason: "No consent to share information is recorded for " + name + ".", Fix: fix}
	case inForce == nil && newest.RevokedOn != nil:
		return Sharing{Reason: name + " revoked their consent to share information on " + newest.RevokedOn.Format(calendar.Day) + ".", Fix: fix}
	case inForce == nil:
		return Sharing{Reason: name + "'s consent to share information expired on " + newest.ExpiresOn.Format(calendar.Day) + ".", Fix: fix}
	}
	basis := "Consent to share information given " + inForce.GivenOn.Format(calendar.Day) + " by " + inForce.GivenBy
	if member != nil {
		if !member.ConsentToShare {
			return Sharing{
				Reason:    name + " has not agreed to share information with " + member.Name + ".",
				Fix:       "If they agree, tick “Patient consents to sharing information with this person” on " + member.Name + "'s care-team entry.",
				FixMember: member.ID,
			}
		}
		basis += "; sharing with " + member.Name + " agreed on the care team"
	}
	return Sharing{Allowed: true, Basis: basis}
}
