package auth

import (
	_ "embed"

	"carecoord/internal/forms"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxPasswordLength bounds what is hashed: long enough for any passphrase.
const MaxPasswordLength = 256

//go:embed common-passwords.txt
var commonList string

// common holds the embedded list, lower case.
var common = func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(commonList) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
}()

// CheckNewPassword returns why password cannot be someone's new password, or
// "" when it can: at least MinPasswordLength characters, not on the list of
// common passwords, not one character repeated, and not the email.
func CheckNewPassword(password, email string) string {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(NormalizeEmail(email), "@")
	switch {
	case password == "":
		return "Choose a password."
	case n < MinPasswordLength:
		return "Use at least " + strconv.Itoa(MinPasswordLength) + " characters. A few unrelated words make a long password that is easy to remember."
	case n > MaxPasswordLength:
		return "Use at most " + strconv.Itoa(MaxPasswordLength) + " characters."
	case common[lower] || oneCharacter(lower):
		return "This password is one of the most commonly used, so it is easy to guess. Choose another."
	case lower == NormalizeEmail(email) || (len(local) >= 4 && strings.Contains(lower, local)):
		return "Don't use your email address in your password."
	}
	return ""
}

// oneCharacter reports whether s is a single character repeated.
func oneCharacter(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return false
		}
	}
	return true
}

// CheckNewPasswords adds to errs why password can't be the new password
// of the account with email, or why confirm, the password typed again,
// differs from it: the fields new_password and confirm_password of every
// form that sets a password.
func CheckNewPasswords(errs forms.Errors, password, confirm, email string) {
	if msg := CheckNewPassword(password, email); msg != "" {
		errs.Add("new_password", msg)
	} else if confirm != password {
		errs.Add("confirm_password", "The two passwords are different. Type the same password twice.")
	}
}
