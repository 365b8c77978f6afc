// Package config reads CareCoord's settings from the environment and checks
// them once, at start, so that a bad value stops the process with a message
// naming the variable instead of failing later in a request.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Local defaults match the roles and database that .ci/postgres.sh creates.
const (
	DefaultDatabaseURL        = "postgres://carecoord_app:carecoord_app@127.0.0.1:5432/carecoord"
	DefaultMigrateDatabaseURL = "postgres://carecoord_owner:carecoord_owner@127.0.0.1:5432/carecoord"
	DefaultAddr               = "127.0.0.1:8080"
)

// Config is everything the process needs to know about its surroundings.
type Config struct {
	// DatabaseURL is how the app connects: as a role that is neither
	// superuser nor BYPASSRLS, so row-level security applies to it.
	DatabaseURL string
	// MigrateDatabaseURL connects as the schema owner, for migrations only.
	MigrateDatabaseURL string
	// Addr is the host:port the web server listens on.
	Addr string
	// SecureCookies marks the session cookie Secure; on whenever the app is
	// reached over HTTPS.
	SecureCookies bool
	// LogLevel is the lowest level written to the log.
	LogLevel slog.Level
}

// FromEnv builds a Config from getenv (os.Getenv in production), reporting
// every bad variable at once.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:        orDefault(getenv("DATABASE_URL"), DefaultDatabaseURL),
		MigrateDatabaseURL: orDefault(getenv("MIGRATE_DATABASE_URL"), DefaultMigrateDatabaseURL),
		Addr:               orDefault(getenv("ADDR"), DefaultAddr),
	}
	var errs []error
	for _, v := range []struct{ name, value string }{
		{"DATABASE_URL", c.DatabaseURL},
		{"MIGRATE_DATABASE_URL", c.MigrateDatabaseURL},
	} {
		if err := checkPostgresURL(v.value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
		}
	}
	if err := checkAddr(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("ADDR: %w", err))
	}
	if v := getenv("SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SECURE_COOKIES: %q is not true or false", v))
		}
		c.SecureCookies = b
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", v))
		}
	}
	return c, errors.Join(errs...)
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func checkPostgresURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("is not a URL")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("scheme %q is not postgres://", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("names no host")
	}
	if strings.Trim(u.Path, "/") == "" {
		return errors.New("names no database")
	}
	return nil
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}
