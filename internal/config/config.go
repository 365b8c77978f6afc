// Package config reads CareCoord's settings from the environment and checks
// them once, at start, so that a bad value stops the process with a message
// naming the variable instead of failing later in a request.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
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
	// BaseURL is the address people reach CareCoord at (https://care.example.org),
	// for links in emails. Empty: links are built from the request.
	BaseURL string
	// AllowedHosts (ALLOWED_HOSTS, comma-separated host or host:port) are
	// the hosts links may be built on when BaseURL is empty; a request to
	// any other host gets links without a host, never one from a forged
	// Host header.
	AllowedHosts []string
	// SMTP sends invitation emails when its Host is set; otherwise the admin
	// is shown the link to pass on.
	SMTP SMTP
}

// SMTP is the mail server invitations are sent through.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender, e.g. "CareCoord <carecoord@example.org>".
	From string
}

// Enabled reports whether mail is to be sent at all.
func (s SMTP) Enabled() bool { return s.Host != "" }

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
	c.BaseURL = strings.TrimRight(strings.TrimSpace(getenv("BASE_URL")), "/")
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			errs = append(errs, fmt.Errorf("BASE_URL: %w", err))
		}
	}
	for _, h := range strings.Split(getenv("ALLOWED_HOSTS"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h == "" {
			continue
		}
		if u, err := url.Parse("http://" + h); err != nil || u.Host != h || u.User != nil {
			errs = append(errs, fmt.Errorf("ALLOWED_HOSTS: %q is not a host name or host:port", h))
			continue
		}
		c.AllowedHosts = append(c.AllowedHosts, h)
	}
	errs = append(errs, c.readSMTP(getenv)...)
	return c, errors.Join(errs...)
}

// readSMTP reads the SMTP_* variables. Mail is optional, but once SMTP_HOST
// is set everything a message needs must be there too, and BASE_URL, so
// that emailed links lead to the right place.
func (c *Config) readSMTP(getenv func(string) string) []error {
	c.SMTP = SMTP{
		Host:     strings.TrimSpace(getenv("SMTP_HOST")),
		Port:     587,
		Username: getenv("SMTP_USERNAME"),
		Password: getenv("SMTP_PASSWORD"),
		From:     strings.TrimSpace(getenv("SMTP_FROM")),
	}
	var errs []error
	if v := getenv("SMTP_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("SMTP_PORT: %q is not a number from 1 to 65535", v))
		}
		c.SMTP.Port = n
	}
	if !c.SMTP.Enabled() {
		for _, name := range []string{"SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM"} {
			if getenv(name) != "" {
				errs = append(errs, fmt.Errorf("%s: is set but SMTP_HOST is not; set SMTP_HOST to send mail", name))
			}
		}
		return errs
	}
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
		errs = append(errs, fmt.Errorf("SMTP_FROM: %q is not an email address (like CareCoord <carecoord@example.org>)", c.SMTP.From))
	}
	if (c.SMTP.Username == "") != (c.SMTP.Password == "") {
		errs = append(errs, errors.New("SMTP_USERNAME and SMTP_PASSWORD: set both or neither"))
	}
	if c.BaseURL == "" {
		errs = append(errs, errors.New("BASE_URL: is required when SMTP_HOST is set, for the links in emails"))
	}
	return errs
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// address", raw)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be the site's address alone, without a path", raw)
	}
	return nil
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
