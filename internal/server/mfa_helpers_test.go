package server

import (
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// testMFAKey seals the authenticator secrets of every test app, so that
// tests go through the sealed path production takes.
var testMFAKey = []byte("0123456789abcdef0123456789abcdef")

// authenticators are the test's phones: the secret each person set up,
// and the last 30-second step whose code they used (a code is good once,
// so the next sign-in in the same half minute uses the next step's code,
// which the server accepts for clock drift).
type authenticators struct {
	mu      sync.Mutex
	secrets map[string]string
	steps   map[string]int64
}

// code is email's next unused code at the server's clock.
func (m *authenticators) code(a *testApp, email string) string {
	a.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	secret, ok := m.secrets[email]
	if !ok {
		a.t.Fatalf("%s has no authenticator app in this test", email)
	}
	step := a.server.now().Unix() / 30
	if last := m.steps[email]; step <= last {
		step = last + 1
	}
	m.steps[email] = step
	return totpAt(a.t, secret, time.Unix(step*30, 0))
}

// set records the secret email set up.
func (m *authenticators) set(email, secret string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.secrets[email] = secret
	delete(m.steps, email)
}

// totpAt is the code of secret at t.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

var secretOnPage = regexp.MustCompile(`data-testid="mfa-secret">([A-Z2-7]+)<`)

// enrol sets up an authenticator app on the enrolment page at path, as a
// person does: reads the key off the page, enters the app's code, and gets
// the recovery codes. It returns them.
func (c *client) enrol(email, path string) []string {
	c.app.t.Helper()
	page := c.get(path)
	m := secretOnPage.FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		c.app.t.Fatalf("enrolment page of %s: status %d\n%s", email, page.status, page.body)
	}
	c.app.mfa.set(email, m[1])
	res := c.post(path, url.Values{"code": {c.app.mfa.code(c.app, email)}})
	if res.status != http.StatusOK {
		c.app.t.Fatalf("enrolment of %s: status %d\n%s", email, res.status, res.body)
	}
	return recoveryCodesOn(res.body)
}

var recoveryCodeOnPage = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)

// recoveryCodesOn are the recovery codes a page shows.
func recoveryCodesOn(body string) []string {
	var codes []string
	for _, m := range recoveryCodeOnPage.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	return codes
}
