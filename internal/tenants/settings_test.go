package tenants

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultSettings_AreWithinTheirBounds(t *testing.T) {
	t.Parallel()
	if errs := DefaultSettings().Validate(); len(errs) > 0 {
		t.Errorf("defaults out of bounds: %v", errs)
	}
	if len(SettingRules) != 14 {
		t.Errorf("%d setting rules; a new setting needs a rule with bounds", len(SettingRules))
	}
}

func TestSettingsValidate_BoundsAndTierOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Settings)
		want   []string
	}{
		{"idle 5 minutes", func(s *Settings) { s.IdleTimeoutMinutes = 5 }, nil},
		{"idle 60 minutes", func(s *Settings) { s.IdleTimeoutMinutes = 60 }, nil},
		{"idle 4 minutes", func(s *Settings) { s.IdleTimeoutMinutes = 4 }, []string{"idle_timeout_minutes"}},
		{"idle 61 minutes", func(s *Settings) { s.IdleTimeoutMinutes = 61 }, []string{"idle_timeout_minutes"}},
		{"no first contact deadline", func(s *Settings) { s.FirstContactBusinessDays = 0 }, []string{"first_contact_business_days"}},
		{"low more often than moderate", func(s *Settings) { s.CadenceLowDays = 10 }, []string{"cadence_low_days"}},
		{"all tiers alike", func(s *Settings) { s.CadenceHighDays, s.CadenceModerateDays, s.CadenceLowDays = 7, 7, 7 }, nil},
		// An out-of-bounds tier is reported once, not also as out of order.
		{"high out of bounds", func(s *Settings) { s.CadenceHighDays = 45 }, []string{"cadence_high_days"}},
		// Risk thresholds: the safe bounds of the brief, each edge inside
		// and one past it.
		{"LACE 7", func(s *Settings) { s.RiskLACEHigh = 7 }, nil},
		{"LACE 14", func(s *Settings) { s.RiskLACEHigh = 14 }, nil},
		{"LACE 6", func(s *Settings) { s.RiskLACEHigh = 6 }, []string{"risk_lace_high"}},
		{"LACE 15", func(s *Settings) { s.RiskLACEHigh = 15 }, []string{"risk_lace_high"}},
		{"PHQ-9 10 and 20", func(s *Settings) { s.RiskPHQ9High = 10 }, nil},
		{"PHQ-9 9", func(s *Settings) { s.RiskPHQ9High = 9 }, []string{"risk_phq9_high"}},
		{"PHQ-9 21", func(s *Settings) { s.RiskPHQ9High = 21 }, []string{"risk_phq9_high"}},
		{"domains 0", func(s *Settings) { s.RiskSocialDomains = 0 }, []string{"risk_social_domains"}},
		{"domains 5", func(s *Settings) { s.RiskSocialDomains = 5 }, []string{"risk_social_domains"}},
		{"ED visits 1 and domains 4", func(s *Settings) { s.RiskEmergencyVisits, s.RiskSocialDomains = 1, 4 }, nil},
		{"ED visits 6", func(s *Settings) { s.RiskEmergencyVisits = 6 }, []string{"risk_emergency_visits"}},
		{"attempts 1", func(s *Settings) { s.RiskUnreachedAttempts = 1 }, []string{"risk_unreached_attempts"}},
		{"attempts 6", func(s *Settings) { s.RiskUnreachedAttempts = 6 }, nil},
		{"attempts 7", func(s *Settings) { s.RiskUnreachedAttempts = 7 }, []string{"risk_unreached_attempts"}},
	}
	for _, tt := range tests {
		s := DefaultSettings()
		tt.change(&s)
		var got []string
		for _, r := range SettingRules {
			if _, ok := s.Validate()[r.Key]; ok {
				got = append(got, r.Key)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: fields with errors (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSettingsForm_KeepsWhatWasTypedAndReadsNumbers(t *testing.T) {
	t.Parallel()
	v := url.Values{"name": {"  Harbour Care  "}, "time_zone": {"America/Chicago"}}
	for k, val := range SettingsFormOf("", DefaultSettings()).Values {
		v.Set(k, val)
	}
	v.Set("cadence_high_days", "5")
	v.Set("idle_timeout_minutes", "half an hour")
	f := ParseSettingsForm(v)
	name, s, errs := f.Validate()
	if name != "Harbour Care" || s.CadenceHighDays != 5 || s.TimeZone != "America/Chicago" {
		t.Errorf("name %q, high %d, zone %q", name, s.CadenceHighDays, s.TimeZone)
	}
	if f.Values["idle_timeout_minutes"] != "half an hour" || errs["idle_timeout_minutes"] == "" || len(errs) != 1 {
		t.Errorf("typed %q, errors %v", f.Values["idle_timeout_minutes"], errs)
	}
}

func TestSettingsValidate_TimeZoneMustBeAKnownPlace(t *testing.T) {
	t.Parallel()
	for zone, ok := range map[string]bool{
		"America/Los_Angeles": true, "America/New_York": true, "Pacific/Honolulu": true, "UTC": true,
		"": false, "Local": false, "Pacific/Atlantis": false, "america/los angeles": false, "PST8PDT/../x": false,
	} {
		s := DefaultSettings()
		s.TimeZone = zone
		if _, refused := s.Validate()["time_zone"]; refused == ok {
			t.Errorf("time zone %q: refused %v", zone, refused)
		}
	}
}

func TestChangedSettings_ListsEachChangeInPageOrder(t *testing.T) {
	t.Parallel()
	after := DefaultSettings()
	after.IdleTimeoutMinutes, after.CadenceHighDays = 15, 5
	want := []SettingChange{{Key: "cadence_high_days", From: 7, To: 5}, {Key: "idle_timeout_minutes", From: 30, To: 15}}
	if diff := cmp.Diff(want, ChangedSettings(DefaultSettings(), after)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestDecodeSettings_UnsetRulesReadAsDefaults(t *testing.T) {
	t.Parallel()
	s, err := decodeSettings([]byte(`{"idle_timeout_minutes": 15}`))
	want := DefaultSettings()
	want.IdleTimeoutMinutes = 15
	if err != nil || s != want {
		t.Errorf("decoded %+v, %v", s, err)
	}
}
