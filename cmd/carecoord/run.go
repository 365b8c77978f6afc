package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/config"
	"carecoord/internal/db"
	"carecoord/internal/demo"
	"carecoord/internal/mail"
	"carecoord/internal/schedule"
	"carecoord/internal/server"
	"carecoord/internal/tenants"
	"carecoord/internal/yardstick"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const usage = `usage: carecoord <command>

  serve                       serve the web application on $ADDR
  migrate up|down|status      apply, roll back one, or list migrations
  seed demo [-if-empty]       load the demo organisations and users
  seed scale [-if-missing] [-tenant T -patients N -coordinators C -caseload K]
                              add the large tenants pages are measured on:
                              bigcare (100,000 patients, a year of history)
                              and smallcare (1,000), or the one -tenant names
                              (see internal/demo/scale.go)
  user create-platform-admin -email E -name N
                              create a platform admin; the password is read
                              from standard input

Configuration comes from the environment: DATABASE_URL, MIGRATE_DATABASE_URL,
ADDR, SECURE_COOKIES, LOG_LEVEL, BASE_URL, ALLOWED_HOSTS, the waits DB_CONNECT_TIMEOUT,
DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT, DB_IDLE_IN_TRANSACTION_TIMEOUT and
REQUEST_TIMEOUT, the pool size DB_MAX_CONNS, YARDSTICK_ADDR (measuring only)
and, to email invitations,
SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM (see README.md).`

// run is the whole program, with its surroundings passed in so that tests
// can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		return migrate(ctx, cfg, args[1:], stdout)
	case "seed":
		return seed(ctx, cfg, args[1:], stdout)
	case "user":
		return createPlatformAdmin(ctx, cfg, args[1:], stdin, stdout)
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// serve runs the web server until ctx ends, then lets in-flight requests
// finish before returning.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	w := cfg.Waits
	var rec *yardstick.Recorder
	var tune []func(*pgxpool.Config)
	if cfg.YardstickAddr != "" {
		rec = yardstick.NewRecorder()
		tune = append(tune, rec.Tune)
	}
	pool, err := db.OpenLimited(ctx, cfg.DatabaseURL, db.Limits{
		ConnectTimeout:           w.DBConnectTimeout,
		StatementTimeout:         w.DBStatementTimeout,
		LockTimeout:              w.DBLockTimeout,
		IdleInTransactionTimeout: w.DBIdleInTransactionTimeout,
		MaxConns:                 int32(cfg.DBMaxConns),
	}, tune...)
	if err != nil {
		return err
	}
	defer pool.Close()
	o := server.Options{Pool: pool, Log: log, SecureCookies: cfg.SecureCookies, SessionCleanup: 5 * time.Minute, BaseURL: cfg.BaseURL,
		RequestTimeout: w.RequestTimeout, AllowedHosts: cfg.AllowedHosts,
		MFAKey: cfg.MFAKey}
	if cfg.MFAKey == nil {
		log.Warn("MFA_KEY is not set: the secrets of authenticator apps are stored unsealed")
	}
	if cfg.SMTP.Enabled() {
		o.Mailer = mail.NewSMTP(cfg.SMTP)
	}
	srv := server.New(o)
	defer srv.Close()
	// Time-driven work runs beside the pages, in every replica; each job
	// runs once per tenant at a time across them (internal/schedule).
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go schedule.New(pool, log, calendar.System, schedule.Jobs()).Run(jobs, 15*time.Second)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	handler := srv.Handler()
	if rec != nil {
		handler = rec.Record(handler)
		stop, err := serveYardstick(ctx, cfg, rec, stdout)
		if err != nil {
			return err
		}
		defer stop()
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// A page gives up at RequestTimeout; the rest is for a slow reader.
		WriteTimeout: w.RequestTimeout + 10*time.Second,
		IdleTimeout:  60 * time.Second,
	}
	fmt.Fprintf(stdout, "CareCoord is serving on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

// serveYardstick answers the recorded pages from a bare handler with a
// pool of its own, the same size as the app's, until stop is called.
func serveYardstick(ctx context.Context, cfg config.Config, rec *yardstick.Recorder, stdout io.Writer) (stop func(), err error) {
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.YardstickAddr)
	if err != nil {
		pool.Close()
		return nil, err
	}
	hs := &http.Server{Handler: yardstick.Replayer{Pool: pool, Recorder: rec}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Record mode: the yardstick replays recorded pages on http://%s\n", ln.Addr())
	return func() { _ = hs.Close(); pool.Close() }, nil
}

func migrate(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: carecoord migrate up|down|status")
	}
	m, err := db.NewMigrator(cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	switch args[0] {
	case "up":
		results, err := m.Up(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "migrations: %d applied\n", len(results))
		return nil
	case "down":
		res, err := m.Down(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "migrations: rolled back %s\n", res.Source.Path)
		return nil
	case "status":
		return m.Status(ctx, stdout)
	}
	return fmt.Errorf("unknown migrate command %q: use up, down or status", args[0])
}

func seed(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "scale" {
		return seedScale(ctx, cfg, args[1:], stdout)
	}
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	ifEmpty := fs.Bool("if-empty", false, "load only into a database with no tenants, and say so otherwise")
	if len(args) == 0 || args[0] != "demo" {
		return errors.New("usage: carecoord seed demo [-if-empty]")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	err = demo.Load(ctx, pool)
	switch {
	case errors.Is(err, demo.ErrNotEmpty) && *ifEmpty:
		fmt.Fprintln(stdout, "The database already has data; demo data was not loaded.")
	case err != nil:
		return err
	default:
		fmt.Fprintln(stdout, "Demo data loaded.")
	}
	if _, err := tenants.BySlug(ctx, pool, demo.Tenants[0].Slug); err == nil {
		printDemoSignIns(stdout)
	}
	return nil
}

// seedScale adds the large tenants pages are measured on: by default
// bigcare (100,000 patients) and smallcare (1,000, the same shape), or the
// one tenant -tenant names.
func seedScale(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed scale", flag.ContinueOnError)
	var o demo.ScaleOptions
	fs.StringVar(&o.Slug, "tenant", "", "one tenant's slug (default: bigcare with -patients and smallcare with 1,000)")
	fs.IntVar(&o.Patients, "patients", 100_000, "how many patients")
	fs.IntVar(&o.Coordinators, "coordinators", 30, "how many coordinators")
	fs.IntVar(&o.Caseload, "caseload", 300, "how many patients coord1 carries")
	ifMissing := fs.Bool("if-missing", false, "skip, with a note, a tenant that exists already (otherwise that is an error)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	runs := []demo.ScaleOptions{o}
	if o.Slug == "" {
		small := o
		o.Slug, small.Slug, small.Patients = "bigcare", "smallcare", 1000
		runs = []demo.ScaleOptions{o, small}
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	owner, err := pgx.Connect(ctx, cfg.MigrateDatabaseURL) // loads, analyzing as it goes
	if err != nil {
		return err
	}
	defer owner.Close(ctx)
	for _, o := range runs {
		if err := o.Validate(); err != nil {
			return err
		}
	}
	for _, o := range runs {
		o.Progress, o.Owner = stdout, owner
		if err := loadScaleTenant(ctx, pool, o, *ifMissing, stdout); err != nil {
			return err
		}
	}
	return nil
}

// loadScaleTenant loads one scale tenant, or says it is there already.
func loadScaleTenant(ctx context.Context, pool *pgxpool.Pool, o demo.ScaleOptions, ifMissing bool, stdout io.Writer) error {
	exists, err := demo.ScaleExists(ctx, pool, o.Slug)
	switch {
	case err != nil:
		return err
	case exists && ifMissing:
		fmt.Fprintf(stdout, "Tenant %s exists already; not loaded again.\n", o.Slug)
		return nil
	case exists:
		return fmt.Errorf("tenant %s exists already: a scale tenant is loaded once (use -if-missing to skip it, or a fresh database)", o.Slug)
	}
	fmt.Fprintf(stdout, "Loading %s: %d patients, %d coordinators.\n", o.Slug, o.Patients, o.Coordinators)
	res, err := demo.LoadScale(ctx, pool, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Tenant %s loaded in %.1f s: %d patients, %d contacts, %d assessments, %d tasks (%d open), "+
		"%d care plans (%d goals, %d interventions), %d referrals, %d transitions.\n",
		o.Slug, res.Took.Seconds(), res.Patients, res.Contacts, res.Assessments, res.Tasks, res.OpenTasks,
		res.CarePlans, res.Goals, res.Interventions, res.Referrals, res.Transitions)
	fmt.Fprintf(stdout, "Sign in as %s (the full caseload) or %s with password %q.\n",
		demo.Email("coord1", o.Slug), demo.Email("supervisor", o.Slug), demo.Password)
	return nil
}

func printDemoSignIns(w io.Writer) {
	fmt.Fprintf(w, "\nDemo sign-ins (password %q for all):\n", demo.Password)
	for _, t := range demo.Tenants {
		fmt.Fprintf(w, "  %s\n", t.Name)
		for _, local := range []string{"coord1", "coord2", "supervisor", "admin"} {
			fmt.Fprintf(w, "    %s\n", demo.Email(local, t.Slug))
		}
	}
	fmt.Fprintf(w, "  Member of both: %s\n  Platform admin: %s\n\n", demo.FloatEmail, demo.PlatformAdminEmail)
}

func createPlatformAdmin(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	email := fs.String("email", "", "the admin's email")
	name := fs.String("name", "", "the admin's name")
	if len(args) == 0 || args[0] != "create-platform-admin" {
		return errors.New("usage: carecoord user create-platform-admin -email E -name N < password")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password = strings.TrimRight(password, "\r\n")
	switch {
	case !strings.Contains(*email, "@"):
		return errors.New("-email must be an email address")
	case strings.TrimSpace(*name) == "":
		return errors.New("-name is required")
	}
	if msg := auth.CheckNewPassword(password, *email); msg != "" {
		return fmt.Errorf("the password (read from standard input) can't be used: %s", msg)
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, err := auth.CreateUser(ctx, pool, auth.NewUser{Email: *email, Name: *name, Password: password, PlatformAdmin: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Platform admin %s created.\n", u.Email)
	return nil
}
