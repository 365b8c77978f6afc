package config

import (
	"strings"
	"testing"
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
		{"secure cookies", map[string]string{"SECURE_COOKIES": "maybe"}, "SECURE_COOKIES"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
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
