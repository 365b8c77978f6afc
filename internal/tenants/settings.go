package tenants

import (
	"context"
	"encoding/json"

	"carecoord/internal/db"
)

// Settings are the rules an organisation may set for its own work. They
// are stored as JSON in tenants.settings; a rule the organisation never
// set reads as its default, so adding a rule needs no data migration.
type Settings struct {
	// Contact cadence: how many days may pass between successful contacts
	// with a patient, by risk tier.
	CadenceHighDays     int `json:"cadence_high_days"`
	CadenceModerateDays int `json:"cadence_moderate_days"`
	CadenceLowDays      int `json:"cadence_low_days"`
	// FirstContactBusinessDays is how soon a new referral must be contacted.
	FirstContactBusinessDays int `json:"first_contact_business_days"`
	// Re-assessment intervals (see assessments.DueRules).
	DepressionAnxietyReassessDays int `json:"depression_anxiety_reassess_days"`
	SocialNeedsReassessMonths     int `json:"social_needs_reassess_months"`
	// IdleTimeoutMinutes ends a member's session after this much inactivity.
	IdleTimeoutMinutes int `json:"idle_timeout_minutes"`
	// ReferralFollowUpBusinessDays is how long a sent referral may wait for
	// an answer before a follow-up task is raised.
	ReferralFollowUpBusinessDays int `json:"referral_follow_up_business_days"`
	// AuthorizationWarningDays is how long before an insurance
	// authorisation expires that a task is raised.
	AuthorizationWarningDays int `json:"authorization_warning_days"`
}

// DefaultSettings are the rules of an organisation that has set none.
func DefaultSettings() Settings {
	return Settings{
		CadenceHighDays: 7, CadenceModerateDays: 14, CadenceLowDays: 30,
		FirstContactBusinessDays:      2,
		DepressionAnxietyReassessDays: 90, SocialNeedsReassessMonths: 12,
		IdleTimeoutMinutes:           30,
		ReferralFollowUpBusinessDays: 5,
		AuthorizationWarningDays:     14,
	}
}

// LoadSettings reads a tenant's settings over the defaults.
func LoadSettings(ctx context.Context, q db.DBTX, tenantID string) (Settings, error) {
	var raw []byte
	err := q.QueryRow(ctx, `select settings from tenants where id = $1`, tenantID).Scan(&raw)
	if err != nil {
		return Settings{}, db.NotFound(err)
	}
	s := DefaultSettings()
	return s, json.Unmarshal(raw, &s)
}

// SaveSettings stores s as the tenant's settings. Callers validate first.
func SaveSettings(ctx context.Context, q db.DBTX, tenantID string, s Settings) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `update tenants set settings = $2 where id = $1`, tenantID, raw)
	if err == nil && tag.RowsAffected() == 0 {
		return db.ErrNotFound
	}
	return err
}
