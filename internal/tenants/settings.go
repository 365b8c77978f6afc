package tenants

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"

	"github.com/jackc/pgx/v5"
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
	// Risk tier proposals (internal/risk): the thresholds at which the
	// evidence proposes a higher tier.
	RiskLACEHigh          int `json:"risk_lace_high"`
	RiskPHQ9High          int `json:"risk_phq9_high"`
	RiskSocialDomains     int `json:"risk_social_domains"`
	RiskEmergencyVisits   int `json:"risk_emergency_visits"`
	RiskUnreachedAttempts int `json:"risk_unreached_attempts"`
	// RequireMFA makes every member set up an authenticator app and enter
	// its code at each sign-in.
	RequireMFA bool `json:"require_mfa"`
	// TimeZone is the IANA name of the zone the organisation works in:
	// its "today", due dates and the times its pages show. Moments are
	// stored in UTC whatever it is.
	TimeZone string `json:"time_zone"`
}

// Location is the organisation's time zone. A name the zone database no
// longer knows (Validate refuses unknown ones) reads as the default zone
// rather than failing every page.
func (s Settings) Location() *time.Location {
	if loc, err := calendar.Zone(s.TimeZone); err == nil {
		return loc
	}
	loc, _ := calendar.Zone(calendar.DefaultZone)
	return loc
}

// checkTimeZone is the message for a time-zone name Go's zone database
// does not know, or "" when it does. "Local" is the server's own zone, not
// a place, so it is refused too.
func checkTimeZone(name string) string {
	if _, err := calendar.Zone(name); err != nil || name == "" || name == "Local" {
		return "Enter a time zone by its full name, such as America/Los_Angeles or America/Chicago."
	}
	return ""
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
		// The published cut-offs: LACE ≥ 10 (van Walraven et al., CMAJ
		// 2010), PHQ-9 ≥ 15 "moderately severe" (Kroenke et al. 2001).
		RiskLACEHigh: 10, RiskPHQ9High: 15, RiskSocialDomains: 2, RiskEmergencyVisits: 2,
		RiskUnreachedAttempts: 3,
		TimeZone:              calendar.DefaultZone,
	}
}

// LoadSettings reads a tenant's settings over the defaults.
func LoadSettings(ctx context.Context, q db.DBTX, tenantID string) (Settings, error) {
	var raw []byte
	err := q.QueryRow(ctx, `select settings from tenants where id = $1`, tenantID).Scan(&raw)
	if err != nil {
		return Settings{}, db.NotFound(err)
	}
	return decodeSettings(raw)
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

// Errors holds a message for each form field that needs another look,
// keyed by the field's name.
type Errors = forms.Errors

// SettingRule is one setting: its form field (the JSON key), how it reads
// on screen, and the bounds within which it is safe. The settings page,
// validation and the audit of changes all follow this one table.
type SettingRule struct {
	Key   string
	Group string
	Label string
	Hint  string
	Unit  string
	Min   int
	Max   int
	field func(*Settings) *int
}

// Value is the rule's value in s.
func (r SettingRule) Value(s Settings) int { return *r.field(&s) }

// Setting groups, in the order the settings page shows them.
const (
	GroupCadence     = "Contact cadence"
	GroupReferrals   = "Referrals and authorisations"
	GroupReassessing = "Re-assessment"
	GroupRisk        = "Risk tier proposals"
	GroupSecurity    = "Sign-in"
)

// SettingRules lists every setting in page order.
var SettingRules = []SettingRule{
	{Key: "cadence_high_days", Group: GroupCadence, Label: "High-risk patients", Unit: "days", Min: 1, Max: 30,
		Hint: "Longest time between successful contacts.", field: func(s *Settings) *int { return &s.CadenceHighDays }},
	{Key: "cadence_moderate_days", Group: GroupCadence, Label: "Moderate-risk patients", Unit: "days", Min: 1, Max: 60,
		Hint: "Longest time between successful contacts.", field: func(s *Settings) *int { return &s.CadenceModerateDays }},
	{Key: "cadence_low_days", Group: GroupCadence, Label: "Low-risk patients", Unit: "days", Min: 1, Max: 180,
		Hint: "Longest time between successful contacts.", field: func(s *Settings) *int { return &s.CadenceLowDays }},
	{Key: "first_contact_business_days", Group: GroupReferrals, Label: "First contact with a new referral", Unit: "business days", Min: 1, Max: 10,
		Hint: "How soon a newly referred patient must be contacted.", field: func(s *Settings) *int { return &s.FirstContactBusinessDays }},
	{Key: "referral_follow_up_business_days", Group: GroupReferrals, Label: "Follow up an unanswered referral after", Unit: "business days", Min: 1, Max: 20,
		Hint: "A task is raised when a sent referral has had no answer this long.", field: func(s *Settings) *int { return &s.ReferralFollowUpBusinessDays }},
	{Key: "authorization_warning_days", Group: GroupReferrals, Label: "Warn before an authorisation expires", Unit: "days", Min: 1, Max: 60,
		Hint: "A task is raised this long before an insurance authorisation runs out.", field: func(s *Settings) *int { return &s.AuthorizationWarningDays }},
	{Key: "depression_anxiety_reassess_days", Group: GroupReassessing, Label: "PHQ-9 and GAD-7 again after", Unit: "days", Min: 14, Max: 180,
		Hint: "While symptoms are moderate or worse.", field: func(s *Settings) *int { return &s.DepressionAnxietyReassessDays }},
	{Key: "social_needs_reassess_months", Group: GroupReassessing, Label: "Social needs screen again after", Unit: "months", Min: 1, Max: 24,
		Hint: "The AHC health-related social needs screen.", field: func(s *Settings) *int { return &s.SocialNeedsReassessMonths }},
	{Key: "risk_lace_high", Group: GroupRisk, Label: "LACE index proposes high risk from", Unit: "points", Min: 7, Max: 14,
		Hint: "Published cut-off: 10.", field: func(s *Settings) *int { return &s.RiskLACEHigh }},
	{Key: "risk_phq9_high", Group: GroupRisk, Label: "PHQ-9 proposes high risk from", Unit: "points", Min: 10, Max: 20,
		Hint: "15 is moderately severe. From 10 it proposes moderate risk; a positive item 9 always proposes high.", field: func(s *Settings) *int { return &s.RiskPHQ9High }},
	{Key: "risk_social_domains", Group: GroupRisk, Label: "Social needs screen proposes moderate risk from", Unit: "positive domains", Min: 1, Max: 4,
		Hint: "High risk when interpersonal safety is one of them.", field: func(s *Settings) *int { return &s.RiskSocialDomains }},
	{Key: "risk_emergency_visits", Group: GroupRisk, Label: "Emergency visits in six months that propose high risk", Unit: "visits", Min: 1, Max: 5,
		Hint: "Counted from recorded transitions of care.", field: func(s *Settings) *int { return &s.RiskEmergencyVisits }},
	{Key: "risk_unreached_attempts", Group: GroupRisk, Label: "Unsuccessful attempts in a row that propose moderate risk", Unit: "attempts", Min: 2, Max: 6,
		Hint: "Calls or visits without reaching the patient.", field: func(s *Settings) *int { return &s.RiskUnreachedAttempts }},
	{Key: "idle_timeout_minutes", Group: GroupSecurity, Label: "Sign out after inactivity", Unit: "minutes", Min: 5, Max: MaxIdleTimeoutMinutes,
		Hint: "Protects patient data on a computer left unattended.", field: func(s *Settings) *int { return &s.IdleTimeoutMinutes }},
}

// MaxIdleTimeoutMinutes is the longest idle timeout an organisation may set;
// sessions are kept in the store no longer than this without use.
const MaxIdleTimeoutMinutes = 60

// Validate returns a message for every setting outside its safe bounds, and
// for contact cadences that would have higher-risk patients contacted less
// often than lower-risk ones.
func (s Settings) Validate() Errors {
	errs := Errors{}
	for _, r := range SettingRules {
		if v := r.Value(s); v < r.Min || v > r.Max {
			errs[r.Key] = fmt.Sprintf("Enter a number of %s from %d to %d.", r.Unit, r.Min, r.Max)
		}
	}
	// Tiers are compared only when both are within bounds: a comparison
	// with a value already marked wrong would only confuse.
	_, badHigh := errs["cadence_high_days"]
	_, badModerate := errs["cadence_moderate_days"]
	_, badLow := errs["cadence_low_days"]
	if !badHigh && !badModerate && s.CadenceModerateDays < s.CadenceHighDays {
		errs["cadence_moderate_days"] = "Moderate-risk patients can't be contacted more often than high-risk ones. Use at least " + strconv.Itoa(s.CadenceHighDays) + " days."
	}
	if !badModerate && !badLow && s.CadenceLowDays < s.CadenceModerateDays {
		errs["cadence_low_days"] = "Low-risk patients can't be contacted more often than moderate-risk ones. Use at least " + strconv.Itoa(s.CadenceModerateDays) + " days."
	}
	if msg := checkTimeZone(s.TimeZone); msg != "" {
		errs["time_zone"] = msg
	}
	return errs
}

// SettingsForm is the settings page as typed: the organisation's name and
// each setting's text by key, so that a value that is not a number comes
// back exactly as it was typed.
type SettingsForm struct {
	Name   string
	Values map[string]string
	// RequireMFA is the one setting that is a yes or no (a checkbox).
	RequireMFA bool
	// TimeZone is the one setting that is a name.
	TimeZone string
}

// SettingsFormOf fills the settings page from what is stored.
func SettingsFormOf(name string, s Settings) SettingsForm {
	f := SettingsForm{Name: name, Values: map[string]string{}, RequireMFA: s.RequireMFA, TimeZone: s.TimeZone}
	for _, r := range SettingRules {
		f.Values[r.Key] = strconv.Itoa(r.Value(s))
	}
	return f
}

// ParseSettingsForm reads the posted settings page.
func ParseSettingsForm(v url.Values) SettingsForm {
	f := SettingsForm{Name: strings.TrimSpace(v.Get("name")), Values: map[string]string{}, RequireMFA: v.Get("require_mfa") == "on",
		TimeZone: strings.TrimSpace(v.Get("time_zone"))}
	for _, r := range SettingRules {
		f.Values[r.Key] = strings.TrimSpace(v.Get(r.Key))
	}
	return f
}

// Validate checks the form and returns the name and settings it holds, with
// a message for each field that needs another look.
func (f SettingsForm) Validate() (string, Settings, Errors) {
	s := DefaultSettings()
	s.RequireMFA, s.TimeZone = f.RequireMFA, f.TimeZone
	errs := Errors{}
	if msg := CheckName(f.Name); msg != "" {
		errs["name"] = msg
	}
	for _, r := range SettingRules {
		n, err := strconv.Atoi(f.Values[r.Key])
		if err != nil {
			errs[r.Key] = fmt.Sprintf("Enter a whole number of %s, from %d to %d.", r.Unit, r.Min, r.Max)
			// Keep the field out of the bounds check below, which would
			// otherwise compare against a value nobody typed.
			n = r.Min
		}
		*r.field(&s) = n
	}
	for k, msg := range s.Validate() {
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	return f.Name, s, errs
}

// SettingChange is one setting that differs between two versions.
type SettingChange struct {
	Key      string
	From, To int
}

// ChangedSettings lists the settings that differ from before to after, in
// page order.
func ChangedSettings(before, after Settings) []SettingChange {
	var out []SettingChange
	for _, r := range SettingRules {
		if a, b := r.Value(before), r.Value(after); a != b {
			out = append(out, SettingChange{Key: r.Key, From: a, To: b})
		}
	}
	return out
}

// settingsProblem heads the settings page when a setting is refused.
const settingsProblem = "Some settings need another look. They are marked below; nothing was saved yet."

// checkZoneInDatabase refuses a zone PostgreSQL does not know: every
// tenant transaction sets its TimeZone (db.InTenant), so a name only Go
// knows would fail every page of the organisation.
func checkZoneInDatabase(ctx context.Context, q db.DBTX, name string) error {
	var known bool
	if err := q.QueryRow(ctx, `select exists (select from pg_timezone_names where name = $1)`, name).Scan(&known); err != nil {
		return err
	}
	if !known {
		return fail.Invalid(Errors{"time_zone": checkTimeZone("")}, settingsProblem)
	}
	return nil
}

// decodeSettings reads stored settings over the defaults.
func decodeSettings(raw []byte) (Settings, error) {
	s := DefaultSettings()
	if len(raw) == 0 {
		return s, nil
	}
	err := json.Unmarshal(raw, &s)
	return s, err
}

// SettingsPage reads a's tenant's name and settings into the settings
// form.
func (s *Service) SettingsPage(ctx context.Context, a Actor) (SettingsForm, error) {
	var f SettingsForm
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		t, err := Get(ctx, tx, a.TenantID)
		if err != nil {
			return err
		}
		st, err := LoadSettings(ctx, tx, a.TenantID)
		f = SettingsFormOf(t.Name, st)
		return err
	})
	return f, err
}

// SaveSettings stores the name and settings of f as a's tenant's if every
// one is within its bounds, with one event per change: tenant.renamed,
// and settings.changed for each setting with its old and new value. It
// returns how many things changed.
func (s *Service) SaveSettings(ctx context.Context, a Actor, f SettingsForm) (int, error) {
	name, after, errs := f.Validate()
	if len(errs) > 0 {
		return 0, fail.Invalid(errs, settingsProblem)
	}
	changes := 0
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		renamed, err := rename(ctx, tx, a, name)
		if err != nil {
			return err
		}
		before, err := LoadSettings(ctx, tx, a.TenantID)
		if err != nil {
			return err
		}
		if renamed {
			changes++
		}
		for _, c := range ChangedSettings(before, after) {
			changes++
			if err := a.Audit(ctx, tx, audit.Event{Action: "settings.changed", EntityType: "tenant", EntityID: a.TenantID,
				Detail: map[string]any{"setting": c.Key, "from": c.From, "to": c.To}}); err != nil {
				return err
			}
		}
		if before.TimeZone != after.TimeZone {
			if err := checkZoneInDatabase(ctx, tx, after.TimeZone); err != nil {
				return err
			}
			changes++
			if err := a.Audit(ctx, tx, audit.Event{Action: "settings.changed", EntityType: "tenant", EntityID: a.TenantID,
				Detail: map[string]any{"setting": "time_zone", "from": before.TimeZone, "to": after.TimeZone}}); err != nil {
				return err
			}
		}
		if before.RequireMFA != after.RequireMFA {
			changes++
			if err := a.Audit(ctx, tx, audit.Event{Action: "settings.changed", EntityType: "tenant", EntityID: a.TenantID,
				Detail: map[string]any{"setting": "require_mfa", "from": before.RequireMFA, "to": after.RequireMFA}}); err != nil {
				return err
			}
		}
		if changes == 0 {
			return nil
		}
		return SaveSettings(ctx, tx, a.TenantID, after)
	})
	return changes, err
}
