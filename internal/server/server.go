// Package server is the only place that knows HTTP: the route table,
// middleware and one file of handlers per feature.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/caseload"
	"carecoord/internal/chart"
	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/internal/risk"

	"carecoord/internal/mail"
	"carecoord/internal/tenants"
	"carecoord/internal/worklist"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Session lifetimes (issue 3): a session ends after the idle timeout of the
// organisation the user last worked in (30 minutes unless it set another,
// see checkIdle), and in any case 12 hours after sign-in. The store keeps an
// unused session for the longest idle timeout any organisation may set.
const (
	defaultIdleTimeout = 30 * time.Minute
	storeIdleTimeout   = tenants.MaxIdleTimeoutMinutes * time.Minute
	absoluteTimeout    = 12 * time.Hour
	// maxBodyBytes caps every request body; forms are far smaller.
	maxBodyBytes = 1 << 20
)

// Options are the server's dependencies and settings.
type Options struct {
	Pool *pgxpool.Pool
	Log  *slog.Logger
	// SecureCookies marks the session cookie Secure (HTTPS deployments).
	SecureCookies bool
	// SessionCleanup is how often expired sessions are deleted; 0 never.
	SessionCleanup time.Duration
	// Mailer sends invitation and password-reset emails; nil shows the
	// links to the admin to pass on instead.
	Mailer mail.Sender
	// BaseURL is where people reach CareCoord, for links in emails and on
	// pages; empty builds links from the request's host.
	BaseURL string
	// MFAKey seals authenticator secrets (32 bytes, from MFA_KEY); nil
	// stores them unsealed.
	MFAKey []byte
	// AllowedHosts are the hosts (host or host:port, lower case) links may
	// be built on when BaseURL is empty; loopback hosts always may.
	AllowedHosts []string
	// Now is the clock sessions are timed by; nil is time.Now. Tests move
	// it forward to see a session time out.
	Now func() time.Time
	// RequestTimeout is how long a page may wait, for the database or
	// anything else, before it answers 503; 0 is defaultRequestTimeout.
	RequestTimeout time.Duration
}

// defaultRequestTimeout keeps every answer under five seconds.
const defaultRequestTimeout = 4 * time.Second

// Server holds what every handler needs.
type Server struct {
	pool          *pgxpool.Pool
	log           *slog.Logger
	sessions      *scs.SessionManager
	mailer        mail.Sender
	baseURL       string
	allowedHosts  []string
	secureCookies bool
	now           func() time.Time
	// requestTimeout bounds each request (see bounded).
	requestTimeout time.Duration
	// stopCleanup ends the expired-session sweep.
	stopCleanup context.CancelFunc

	// The use cases, one service per domain.
	patients    *patients.Service
	contacts    *contacts.Service
	work        *worklist.Service
	plans       *careplans.Service
	assessments *assessments.Service
	risk        *risk.Service
	referrals   *referrals.Service
	accounts    *auth.Service
	mfa         *auth.MFA
	tenants     *tenants.Service
	caseload    *caseload.Service
	charts      *chart.Service
}

// The session store must take each request's context, or its waits are
// unbounded.
var _ scs.CtxStore = (*auth.SessionStore)(nil)

// New builds a Server. Close releases its background work.
func New(o Options) *Server {
	sm := scs.New()
	// The store runs under each request's context (pgxstore does not), and
	// the sweep of expired sessions is ours: see sweepSessions.
	sm.Store = auth.NewSessionStore(o.Pool, storeIdleTimeout+touchWindow)
	// No idle timeout in scs: with one, scs saves the session on every
	// request, so every GET would write. The store keeps a session
	// storeIdleTimeout past its last save, and loadUser saves it at most
	// once per touchWindow (see touch), checking idleness itself.
	sm.Lifetime = absoluteTimeout
	sm.Cookie.Name = "carecoord_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = o.SecureCookies
	// A browser session cookie: closing the browser on a shared computer
	// signs the coordinator out.
	sm.Cookie.Persist = false
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{pool: o.Pool, log: o.Log, sessions: sm, stopCleanup: cancel,
		mailer: o.Mailer, baseURL: o.BaseURL, allowedHosts: o.AllowedHosts, secureCookies: o.SecureCookies, now: o.Now}
	if s.now == nil {
		s.now = calendar.System
	}
	s.requestTimeout = o.RequestTimeout
	if s.requestTimeout == 0 {
		s.requestTimeout = defaultRequestTimeout
	}
	s.patients = patients.NewService(o.Pool)
	s.patients.OnMerge(contacts.RecountReach)
	s.patients.OnMerge(contacts.RefreshFollowUps)
	s.contacts = contacts.NewService(o.Pool).ReportingEvidence(risk.Reevaluate)
	s.work = worklist.NewService(o.Pool)
	s.plans = careplans.NewService(o.Pool)
	s.assessments = assessments.NewService(o.Pool).ReportingEvidence(risk.Reevaluate)
	s.risk = risk.NewService(o.Pool)
	s.referrals = referrals.NewService(o.Pool)
	s.accounts = auth.NewService(o.Pool, tenants.HasActiveTenant)
	box, err := auth.NewSecretBox(o.MFAKey)
	if err != nil {
		// The configuration checks MFA_KEY's length at start (config.go).
		panic(err)
	}
	s.mfa = auth.NewMFA(o.Pool, box, tenants.RequiresMFA)
	s.tenants = tenants.NewService(o.Pool, tenants.Patients{IDByExternalID: patients.IDByExternalID, CaseloadCount: patients.CaseloadCount})
	s.caseload = caseload.NewService(o.Pool)
	s.charts = chart.NewService(o.Pool)
	sm.ErrorFunc = s.sessionFailed
	if o.SessionCleanup > 0 {
		go s.sweepSessions(ctx, o.SessionCleanup)
	}
	return s
}

// Close stops the session cleanup.
func (s *Server) Close() {
	s.stopCleanup()
}

// sweepSessions deletes expired sessions every interval until ctx ends.
// Several replicas may sweep at once; the deletes are idempotent.
func (s *Server) sweepSessions(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := auth.DeleteExpiredSessions(ctx, s.pool); err != nil && ctx.Err() == nil {
				s.log.Error("sweep expired sessions", "err", err)
			}
		}
	}
}
