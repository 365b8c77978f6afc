package patients

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

var formDay = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

const coordID = "6f1c1a52-4a49-4d0e-9b9f-1d2b3c4d5e6f"

// essentials is the least an intake needs: a name, a birth date and one way
// to reach the patient.
func essentials() url.Values {
	return url.Values{"given_name": {"Rosa"}, "family_name": {"Delgado"}, "date_of_birth": {"1956-04-02"}, "phone": {"(555) 010-2233"}}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestIntake_EssentialsAloneAreEnough(t *testing.T) {
	t.Parallel()
	np, errs := ParseIntake(essentials()).Validate(formDay, nil)
	if len(errs) > 0 {
		t.Fatalf("errors for a minimal intake: %v", errs)
	}
	if np.DOB.Format("2006-01-02") != "1956-04-02" || np.Tier != Moderate || np.PreferredLanguage != "English" {
		t.Errorf("typed details = %+v", np.Details)
	}
	if len(np.Coverages)+len(np.CareTeam)+len(np.Consents) != 0 {
		t.Errorf("blank rows were kept: %+v", np)
	}
}

func TestIntake_BadInputIsRejectedBesideItsField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"missing first name", with(essentials(), "given_name", ""), "given_name", "first name"},
		{"future birth date", with(essentials(), "date_of_birth", "2027-01-01"), "date_of_birth", "can't be in the future"},
		{"birth date over 120 years ago", with(essentials(), "date_of_birth", "1901-05-05"), "date_of_birth", "more than 120 years"},
		{"malformed birth date", with(essentials(), "date_of_birth", "31/02/1960"), "date_of_birth", "real date"},
		{"impossible birth date", with(essentials(), "date_of_birth", "1960-02-31"), "date_of_birth", "real date"},
		{"phone with letters", with(essentials(), "phone", "call me"), "phone", "digits"},
		{"phone too short", with(essentials(), "phone", "12-34"), "phone", "7 to 15 digits"},
		{"malformed email", with(essentials(), "email", "rosa@home"), "email", "email address"},
		{"no way to reach", with(essentials(), "phone", ""), "phone", "at least one way"},
		{"unknown sex", with(essentials(), "sex", "robot"), "sex", "listed options"},
		{"unknown contact method", with(essentials(), "preferred_contact_method", "pigeon"), "preferred_contact_method", "listed"},
		{"unknown risk tier", with(essentials(), "risk_tier", "extreme"), "risk_tier", "low, moderate or high"},
		{"coordinator of no one", with(essentials(), "coordinator_id", "not-a-coordinator"), "coordinator_id", "from the list"},
		{"over-long name", with(essentials(), "family_name", strings.Repeat("x", 101)), "family_name", "too long"},
		{"over-long reason", with(essentials(), "referral_reason", strings.Repeat("é", 2001)), "referral_reason", "too long"},
		{"referral in the future", with(essentials(), "referral_date", "2026-12-01"), "referral_date", "future"},
		{"referral before birth", with(essentials(), "referral_date", "1950-01-01"), "referral_date", "before the date of birth"},
		{"coverage without payer", with(essentials(), "coverage.0.member_id", "M123"), "coverage.0.payer", "payer"},
		{"coverage ending before it starts", with(essentials(), "coverage.0.payer", "Medicaid", "coverage.0.effective_from", "2026-01-01", "coverage.0.effective_to", "2025-01-01"), "coverage.0.effective_to", "before the start"},
		{"two coverages, none primary", with(essentials(), "coverage.0.payer", "Medicaid", "coverage.1.payer", "Medicare"), "coverage_primary", "primary"},
		{"care-team member without kind", with(essentials(), "team.1.name", "Ana Delgado"), "team.1.kind", "Choose who"},
		{"care-team member with bad email", with(essentials(), "team.0.kind", "caregiver", "team.0.name", "Ana", "team.0.email", "ana@"), "team.0.email", "email address"},
		{"consent without who gave it", with(essentials(), "consent.treatment.given_on", "2026-11-01"), "consent.treatment.given_by", "who gave"},
		{"consent given in the future", with(essentials(), "consent.text_messages.given_on", "2027-01-01", "consent.text_messages.given_by", "Patient"), "consent.text_messages.given_on", "future"},
		{"consent expiring before given", with(essentials(), "consent.information_sharing.given_on", "2026-11-01", "consent.information_sharing.given_by", "Patient", "consent.information_sharing.expires_on", "2026-10-01"), "consent.information_sharing.expires_on", "expire before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := ParseIntake(tt.form).Validate(formDay, map[string]bool{coordID: true})
			if got := errs[tt.field]; !strings.Contains(got, tt.want) {
				t.Errorf("message for %s = %q, want it to mention %q (all: %v)", tt.field, got, tt.want, errs)
			}
		})
	}
}

func TestIntake_OneCoverageIsPrimaryWithoutAsking(t *testing.T) {
	t.Parallel()
	np, errs := ParseIntake(with(essentials(), "coverage.1.payer", "Medicaid")).Validate(formDay, nil)
	if len(errs) > 0 || len(np.Coverages) != 1 || !np.Coverages[0].Primary {
		t.Errorf("coverages %+v, errors %v", np.Coverages, errs)
	}
}

func TestIntake_FullFormIsTyped(t *testing.T) {
	t.Parallel()
	form := with(essentials(),
		"coordinator_id", coordID, "risk_tier", "high", "interpreter_needed", "yes", "preferred_language", "Spanish",
		"coverage.0.payer", "Medicaid", "coverage.1.payer", "Acme Health", "coverage_primary", "1",
		"team.0.kind", "caregiver", "team.0.name", "Ana Delgado", "team.0.relationship", "Daughter", "team.0.emergency_contact", "yes",
		"consent.treatment.given_on", "2026-11-20", "consent.treatment.given_by", "Patient")
	np, errs := ParseIntake(form).Validate(formDay, map[string]bool{coordID: true})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if np.Coordinator == nil || *np.Coordinator != coordID || np.Tier != High || !np.InterpreterNeeded {
		t.Errorf("details %+v", np.Details)
	}
	if len(np.Coverages) != 2 || np.Coverages[0].Primary || !np.Coverages[1].Primary {
		t.Errorf("coverages %+v", np.Coverages)
	}
	if len(np.CareTeam) != 1 || !np.CareTeam[0].EmergencyContact || len(np.Consents) != 1 {
		t.Errorf("team %+v consents %+v", np.CareTeam, np.Consents)
	}
}

func TestAge_CountsWholeYears(t *testing.T) {
	t.Parallel()
	dob := time.Date(1956, 11, 25, 0, 0, 0, 0, time.UTC)
	if got := Age(dob, formDay); got != 69 {
		t.Errorf("day before the birthday: age %d, want 69", got)
	}
	if got := Age(dob, formDay.AddDate(0, 0, 1)); got != 70 {
		t.Errorf("on the birthday: age %d, want 70", got)
	}
}
