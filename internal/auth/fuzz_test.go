package auth

import (
	"net/url"
	"testing"
)

// FuzzForms feeds any posted form to the sign-in and password forms:
// reading never panics.
func FuzzForms(f *testing.F) {
	f.Add("email=coord1%40northside.test&password=secret")
	f.Add("email=%00%FF&password=&current_password=x&new_password=y&confirm_password=z")
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		ParseSignInForm(v)
		ParsePasswordForm(v)
	})
}
