package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestAllowedHost_OnlyListedOrLoopbackHostsMakeLinks(t *testing.T) {
	t.Parallel()
	s := &Server{allowedHosts: []string{"care.example.org", "other.example.org:8443"}}
	for host, want := range map[string]bool{
		"care.example.org":       true,
		"CARE.example.org":       true,
		"care.example.org:443":   true,
		"other.example.org:8443": true,
		"other.example.org":      false,
		"127.0.0.1:8094":         true,
		"localhost:8080":         true,
		"[::1]:8080":             true,
		"evil.example":           false,
		"care.example.org.evil":  false,
		"":                       false,
	} {
		if got := s.allowedHost(host); got != want {
			t.Errorf("allowedHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestResetLink_NeverNamesAForgedHost: an admin's request with a forged
// Host header (and no BASE_URL) gets the link as a path, never on that
// host.
func TestResetLink_NeverNamesAForgedHost(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/t/northside/admin/users/"+memberID(t, app, "coord1@northside.test")+"/reset-link", nil)
	req.Host = "evil.example"
	req.AddCookie(&http.Cookie{Name: "carecoord_session", Value: admin.sessionCookie()})
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res := admin.do(req)
	if res.status != http.StatusSeeOther {
		t.Fatalf("reset link: status %d", res.status)
	}
	m := shownLinkPattern.FindStringSubmatch(admin.get(res.location()).body)
	if m == nil || !strings.HasPrefix(m[1], "/password-reset/") {
		t.Errorf("shown link %q, want a path on no host", m)
	}
}
