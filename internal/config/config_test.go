package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv_DefaultsAreLocal(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != DefaultDatabaseURL || c.Addr != DefaultAddr || c.SecureCookies {
		t.Errorf("defaults = %+v", c)
	}
	if c.DBMaxConns != DefaultDBMaxConns {
		t.Errorf("pool size %d, want %d", c.DBMaxConns, DefaultDBMaxConns)
	}
	if c.Waits != DefaultWaits {
		t.Errorf("waits = %+v, want the defaults %+v", c.Waits, DefaultWaits)
	}
}

func TestFromEnv_WaitsAreRead(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(map[string]string{"DB_STATEMENT_TIMEOUT": "1500ms", "REQUEST_TIMEOUT": "2s", "DB_LOCK_TIMEOUT": "1s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Waits.DBStatementTimeout != 1500*time.Millisecond || c.Waits.RequestTimeout != 2*time.Second || c.Waits.DBLockTimeout != time.Second {
		t.Errorf("waits = %+v", c.Waits)
	}
}

func TestFromEnv_EachBadValueIsNamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"database url scheme", map[string]string{"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL: scheme"},
		{"database url without database", map[string]string{"DATABASE_URL": "postgres://h:5432"}, "DATABASE_URL: names no database"},
		{"migrate url", map[string]string{"MIGRATE_DATABASE_URL": "nonsense"}, "MIGRATE_DATABASE_URL"},
		{"addr without port", map[string]string{"ADDR": "localhost"}, "ADDR: \"localhost\" is not host:port"},
		{"addr port out of range", map[string]string{"ADDR": ":70000"}, "ADDR: port"},
		{"yardstick addr without port", map[string]string{"YARDSTICK_ADDR": "localhost"}, "YARDSTICK_ADDR: \"localhost\" is not host:port"},
		{"secure cookies", map[string]string{"SECURE_COOKIES": "maybe"}, "SECURE_COOKIES"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"base url scheme", map[string]string{"BASE_URL": "ftp://care.example.org"}, "BASE_URL"},
		{"base url with a path", map[string]string{"BASE_URL": "https://care.example.org/app"}, "BASE_URL: \"https://care.example.org/app\" must be the site's address alone"},
		{"allowed host with a scheme", map[string]string{"ALLOWED_HOSTS": "care.example.org, https://evil.example"}, "ALLOWED_HOSTS: \"https://evil.example\""},
		{"allowed host with a path", map[string]string{"ALLOWED_HOSTS": "care.example.org/x"}, "ALLOWED_HOSTS"},
		{"smtp port", map[string]string{"SMTP_HOST": "mail", "SMTP_PORT": "x", "SMTP_FROM": "a@b.org", "BASE_URL": "https://c.org"}, "SMTP_PORT"},
		{"smtp from", map[string]string{"SMTP_HOST": "mail", "SMTP_FROM": "nobody", "BASE_URL": "https://c.org"}, "SMTP_FROM"},
		{"smtp without base url", map[string]string{"SMTP_HOST": "mail", "SMTP_FROM": "a@b.org"}, "BASE_URL: is required"},
		{"smtp half a login", map[string]string{"SMTP_HOST": "mail", "SMTP_FROM": "a@b.org", "BASE_URL": "https://c.org", "SMTP_USERNAME": "u"}, "SMTP_USERNAME and SMTP_PASSWORD"},
		{"smtp settings without a host", map[string]string{"SMTP_FROM": "a@b.org"}, "SMTP_FROM: is set but SMTP_HOST is not"},
		{"mfa key not base64", map[string]string{"MFA_KEY": "not base64!"}, "MFA_KEY: is not 32 bytes"},
		{"mfa key too short", map[string]string{"MFA_KEY": "c2hvcnQ="}, "MFA_KEY: is not 32 bytes"},
		{"pool size", map[string]string{"DB_MAX_CONNS": "0"}, "DB_MAX_CONNS: \"0\" is not a number"},
		{"statement timeout not a duration", map[string]string{"DB_STATEMENT_TIMEOUT": "3"}, "DB_STATEMENT_TIMEOUT: \"3\" is not a duration"},
		{"connect timeout too short", map[string]string{"DB_CONNECT_TIMEOUT": "1ms"}, "DB_CONNECT_TIMEOUT"},
		{"statement outlives the request", map[string]string{"DB_STATEMENT_TIMEOUT": "10s"}, "DB_STATEMENT_TIMEOUT: 10s is longer than REQUEST_TIMEOUT"},
		{"lock wait outlives the statement", map[string]string{"DB_LOCK_TIMEOUT": "4s", "DB_STATEMENT_TIMEOUT": "3s"}, "DB_LOCK_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromEnv(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestFromEnv_ReportsEveryBadValueAtOnce(t *testing.T) {
	t.Parallel()
	_, err := FromEnv(env(map[string]string{"ADDR": "x", "DATABASE_URL": "x://"}))
	if err == nil || !strings.Contains(err.Error(), "ADDR") || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("error = %v, want both variables named", err)
	}
}

func TestFromEnv_SMTPIsOffUnlessItsHostIsSet(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(nil))
	if err != nil || c.SMTP.Enabled() {
		t.Fatalf("no SMTP_HOST: enabled=%v, err=%v", c.SMTP.Enabled(), err)
	}
	c, err = FromEnv(env(map[string]string{
		"SMTP_HOST": "mail.example.org", "SMTP_PORT": "2525", "SMTP_FROM": "CareCoord <care@example.org>",
		"SMTP_USERNAME": "care", "SMTP_PASSWORD": "secret", "BASE_URL": "https://care.example.org/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Host: "mail.example.org", Port: 2525, Username: "care", Password: "secret", From: "CareCoord <care@example.org>"}
	if c.SMTP != want || c.BaseURL != "https://care.example.org" {
		t.Errorf("SMTP = %+v, BaseURL = %q", c.SMTP, c.BaseURL)
	}
}

func TestFromEnv_MFAKeyIs32BytesOfBase64(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(map[string]string{"MFA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}))
	if err != nil || string(c.MFAKey) != "0123456789abcdef0123456789abcdef" {
		t.Errorf("MFAKey = %q, %v", c.MFAKey, err)
	}
}

func TestFromEnv_AllowedHostsAreListed(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(map[string]string{"ALLOWED_HOSTS": " Care.Example.org, care.example.org:8443 ,"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"care.example.org", "care.example.org:8443"}; !slices.Equal(c.AllowedHosts, want) {
		t.Errorf("AllowedHosts = %q, want %q", c.AllowedHosts, want)
	}
}
