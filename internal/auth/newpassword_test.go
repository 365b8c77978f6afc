package auth

import (
	"strings"
	"testing"
)

func TestCheckNewPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password, want string
	}{
		{"long and unusual", "harbour tide lantern 42", ""},
		{"empty", "", "Choose a password"},
		{"eleven characters", "abcdefghijk", "at least 12"},
		{"twelve characters of different letters", "kestrel-moon", ""},
		{"common, any case", "PassWord1234", "most commonly used"},
		{"common long one", "qwertyuiop123", "most commonly used"},
		{"one character repeated", "zzzzzzzzzzzzzzzz", "most commonly used"},
		{"multi-byte characters count once each", "ééééééééééé", "at least 12"},
		{"the email", "Ana.Silva@Example.org", "email address"},
		{"contains the email's name", "ana.silva-was-here", "email address"},
		{"too long", strings.Repeat("x", MaxPasswordLength) + "y", "at most"},
	}
	for _, tt := range tests {
		got := CheckNewPassword(tt.password, "ana.silva@example.org")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q", tt.name, got)
		}
	}
}

func TestCommonPasswords_ListIsLoadedLowerCase(t *testing.T) {
	t.Parallel()
	if len(common) < 250 {
		t.Errorf("%d common passwords, want a few hundred", len(common))
	}
	for pw := range common {
		if pw != strings.ToLower(pw) || strings.HasPrefix(pw, "#") {
			t.Errorf("list entry %q", pw)
		}
	}
}

func TestNewToken_IsRandomAndOnlyItsHashIsKept(t *testing.T) {
	t.Parallel()
	a, hashA := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 || len(hashA) != 32 {
		t.Errorf("tokens %q and %q, hash of %d bytes", a, b, len(hashA))
	}
	if string(HashToken(a)) != string(hashA) || strings.Contains(string(hashA), a) {
		t.Error("HashToken does not reproduce the hash")
	}
}
