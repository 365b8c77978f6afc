// Package config reads CareCoord's settings from the environment and checks
// them once, at start, so that a bad value stops the process with a message
// naming the variable instead of failing later in a request.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// MFAKey seals the secrets of authenticator apps in the database
	// (32 bytes, base64 in MFA_KEY). Unset, they are stored unsealed.
	MFAKey []byte
	// Waits bounds every wait of a request on the database (issue 21).
	Waits Waits
	// DBMaxConns is the size of the app's connection pool (DB_MAX_CONNS).
	DBMaxConns int
	// YardstickAddr, when set, turns on record mode for measuring (see
	// internal/yardstick): every page's statements and bytes are kept and
	// replayed by a bare handler listening here. For synthetic data only.
	YardstickAddr string
}

// DefaultDBMaxConns is the pool size measured best on a 2-core machine
// with PostgreSQL beside the app (issue 22): more connections only add
// contention for the same cores.
const DefaultDBMaxConns = 4

// Waits are the limits on waiting for the database. A page gives up at
// RequestTimeout whatever it was waiting for, and PostgreSQL itself stops
// a statement at StatementTimeout, so that work nobody waits for any more
// does not go on running.
type Waits struct {
	// DBConnectTimeout bounds opening a connection (DB_CONNECT_TIMEOUT).
	DBConnectTimeout time.Duration
	// DBStatementTimeout is the app pool's statement_timeout
	// (DB_STATEMENT_TIMEOUT); background jobs set a longer one of their own.
	DBStatementTimeout time.Duration
	// DBLockTimeout is the app pool's lock_timeout (DB_LOCK_TIMEOUT).
	DBLockTimeout time.Duration
	// DBIdleInTransactionTimeout ends a connection that holds a transaction
	// open and says nothing (DB_IDLE_IN_TRANSACTION_TIMEOUT).
	DBIdleInTransactionTimeout time.Duration
	// RequestTimeout is how long a page may take before it answers 503
	// (REQUEST_TIMEOUT).
	RequestTimeout time.Duration
}

// DefaultWaits keep a page's worst case under five seconds: a statement is
// cancelled after 3 s, and the request gives up at 4 s whatever it waits for.
var DefaultWaits = Waits{
	DBConnectTimeout:           3 * time.Second,
	DBStatementTimeout:         3 * time.Second,
	DBLockTimeout:              2 * time.Second,
	DBIdleInTransactionTimeout: 10 * time.Second,
	RequestTimeout:             4 * time.Second,
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
	if v := strings.TrimSpace(getenv("MFA_KEY")); v != "" {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			errs = append(errs, errors.New("MFA_KEY: is not 32 bytes in base64 (make one with: openssl rand -base64 32)"))
		}
		c.MFAKey = key
	}
	if c.YardstickAddr = getenv("YARDSTICK_ADDR"); c.YardstickAddr != "" {
		if err := checkAddr(c.YardstickAddr); err != nil {
			errs = append(errs, fmt.Errorf("YARDSTICK_ADDR: %w", err))
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
	errs = append(errs, c.readWaits(getenv)...)
	c.DBMaxConns = DefaultDBMaxConns
	if v := strings.TrimSpace(getenv("DB_MAX_CONNS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			errs = append(errs, fmt.Errorf("DB_MAX_CONNS: %q is not a number from 1 to 200", v))
		}
		c.DBMaxConns = n
	}
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

// readWaits reads the DB_*_TIMEOUT variables and REQUEST_TIMEOUT, as Go
// durations ("3s", "500ms"), each between 100 ms and 10 minutes.
func (c *Config) readWaits(getenv func(string) string) []error {
	c.Waits = DefaultWaits
	var errs []error
	for _, v := range []struct {
		name string
		to   *time.Duration
	}{
		{"DB_CONNECT_TIMEOUT", &c.Waits.DBConnectTimeout},
		{"DB_STATEMENT_TIMEOUT", &c.Waits.DBStatementTimeout},
		{"DB_LOCK_TIMEOUT", &c.Waits.DBLockTimeout},
		{"DB_IDLE_IN_TRANSACTION_TIMEOUT", &c.Waits.DBIdleInTransactionTimeout},
		{"REQUEST_TIMEOUT", &c.Waits.RequestTimeout},
	} {
		raw := strings.TrimSpace(getenv(v.name))
		if raw == "" {
			continue
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d < 100*time.Millisecond || d > 10*time.Minute {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration from 100ms to 10m (like 3s)", v.name, raw))
			continue
		}
		*v.to = d
	}
	w := c.Waits
	if w.DBStatementTimeout > w.RequestTimeout {
		errs = append(errs, fmt.Errorf("DB_STATEMENT_TIMEOUT: %s is longer than REQUEST_TIMEOUT (%s): a statement would run on after its page gave up", w.DBStatementTimeout, w.RequestTimeout))
	}
	if w.DBLockTimeout > w.DBStatementTimeout {
		errs = append(errs, fmt.Errorf("DB_LOCK_TIMEOUT: %s is longer than DB_STATEMENT_TIMEOUT (%s), so it would never apply", w.DBLockTimeout, w.DBStatementTimeout))
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
