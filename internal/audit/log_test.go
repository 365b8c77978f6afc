package audit

import (
	"testing"
	"time"
)

func TestSafeCell_KeepsFormulasFromSpreadsheets(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=SUM(A1:A3)":          "'=SUM(A1:A3)",
		"+1 555 0100":          "'+1 555 0100",
		"-2":                   "'-2",
		"@cmd":                 "'@cmd",
		"\tindented":           "'\tindented",
		"\rreturn":             "'\rreturn",
		"Maya Okafor":          "Maya Okafor",
		"":                     "",
		"a=b":                  "a=b",
		"patient.viewed":       "patient.viewed",
		"2026-11-02T09:30:00Z": "2026-11-02T09:30:00Z",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCursor_RoundTripsAndRejectsGarbage(t *testing.T) {
	t.Parallel()
	c := Cursor{At: time.Date(2026, 11, 2, 9, 30, 0, 123456000, time.UTC), ID: "0a1b2c3d-0000-4000-8000-000000000001"}
	got, ok := ParseCursor(c.String())
	if !ok || !got.At.Equal(c.At) || got.ID != c.ID {
		t.Errorf("round trip: %+v %v", got, ok)
	}
	for _, bad := range []string{"", "x_y", "123", "123_not-a-uuid", "_0a1b2c3d-0000-4000-8000-000000000001"} {
		if _, ok := ParseCursor(bad); ok {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
}

func TestLabel_ReadsActionCodes(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"patient.status_changed": "Patient status changed",
		"sign_in":                "Signed in",
		"sign_in_refused":        "Sign-in refused: no active organisation",
		"":                       "",
	} {
		if got := Label(code); got != want {
			t.Errorf("Label(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestReadableDetail_ListsKeysInOrder(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		`{"to": 15, "from": 30, "setting": "idle_timeout_minutes"}`: "from: 30 · setting: idle_timeout_minutes · to: 15",
		`{"fields": ["phone", "email"]}`:                            "fields: phone, email",
		`{}`:                                                        "",
		`not json`:                                                  "not json",
	} {
		if got := (Entry{Detail: raw}).ReadableDetail(); got != want {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
}
