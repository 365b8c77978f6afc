package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// The patient chart (issue 4): one page with who the patient is and what
// happened to them, and the small forms that change it. Every change is
// written with a timeline line and an audit event in the same transaction.

// timelineLimit is how many timeline entries the chart shows.
const timelineLimit = 100

// errChartRedisplay ends a tenant transaction without committing anything,
// so that the handler can show the form again with its messages.
var errChartRedisplay = errors.New("show the form again")

// chartReq is what every chart handler reads from its request.
type chartReq struct {
	tenantID  string
	actorID   string
	patientID string
	base      string
}

// chartRequest reads the patient from the URL. A malformed id is a page
// that does not exist, never a database error.
func chartRequest(r *http.Request) (chartReq, error) {
	id, err := uuidParam(r, "patientID")
	if err != nil {
		return chartReq{}, err
	}
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return chartReq{tenantID: m.Tenant.ID, actorID: u.ID, patientID: id, base: patientPath(r, id)}, nil
}

// postedChartRequest is chartRequest for a form post.
func postedChartRequest(r *http.Request) (chartReq, error) {
	c, err := chartRequest(r)
	if err != nil {
		return c, err
	}
	if err := r.ParseForm(); err != nil {
		return c, formError(err)
	}
	return c, nil
}

// uuidParam reads a UUID path parameter; anything else is errNotFound.
func uuidParam(r *http.Request, name string) (string, error) {
	v := chi.URLParam(r, name)
	if !validUUID(v) {
		return "", errNotFound
	}
	return strings.ToLower(v), nil
}

// validUUID reports whether s is a UUID in its canonical text form.
func validUUID(s string) bool { return db.ValidUUID(s) }

// record writes a change to the patient's timeline and the audit log.
func (s *Server) record(r *http.Request, tx pgx.Tx, c chartReq, kind, summary string, a audited) error {
	if err := patients.AddEvent(r.Context(), tx, c.tenantID, c.patientID, c.actorID, kind, summary); err != nil {
		return err
	}
	a.patientID = c.patientID
	return s.audit(r, tx, a)
}

// chart shows the patient's chart; every view is audited.
func (s *Server) chart(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	var v web.ChartView
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if v, err = s.loadChart(r, tx, c); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "patient.viewed", entityType: "patient", entityID: c.patientID, patientID: c.patientID})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartPage(v))
}

// loadChart reads everything the chart shows.
func (s *Server) loadChart(r *http.Request, tx pgx.Tx, c chartReq) (web.ChartView, error) {
	ctx := r.Context()
	p, err := patients.Get(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	team, err := patients.CareTeam(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	covs, err := patients.Coverages(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	consents, err := patients.Consents(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	events, err := patients.Timeline(ctx, tx, c.tenantID, c.patientID, timelineLimit+1)
	if err != nil {
		return web.ChartView{}, err
	}
	taken, err := assessments.ListForPatient(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	day := today()
	v := web.ChartView{
		Shell: s.shell(r), Base: c.base, Version: p.Version,
		Header:      chartHeaderOf(p, covs, consents, day),
		Status:      web.ChartStatus{Actions: statusActionsOf(p.Status)},
		Contact:     contactFacts(p),
		Referral:    referralFacts(p),
		CareTeam:    memberRows(c.base, team),
		Coverage:    coverageRows(c.base, covs),
		Consents:    consentRows(c.base, consents, day),
		Assessments: assessmentRows(c.base, taken),
		Trends:      trendsOf(taken),
		Due:         dueOf(c.base, taken, day, dueRulesOf(r)),
	}
	if v.Needs, err = chartNeedRows(r, tx, c); err != nil {
		return web.ChartView{}, err
	}
	if v.Plan, err = chartPlan(r, tx, c); err != nil {
		return web.ChartView{}, err
	}
	if p.Status == patients.Discharged && v.Plan.Exists {
		v.Plan.Warning = "The patient is discharged but this plan is still open: complete or cancel it."
	}
	if v.Referrals, err = chartReferralRows(r, tx, c, s.now()); err != nil {
		return web.ChartView{}, err
	}
	if v.Appointments, v.HasUpcoming, err = chartAppointmentRows(r, tx, c, s.now()); err != nil {
		return web.ChartView{}, err
	}
	v.Timeline, v.TimelineCut = timelineOf(events)
	if err := s.chartContactWork(r, tx, c, p, &v); err != nil {
		return web.ChartView{}, err
	}
	v.Header.SafetyAlerts, err = s.chartSafetyAlerts(r, tx, c)
	return v, err
}

func chartHeaderOf(p patients.Patient, covs []patients.Coverage, consents []patients.Consent, day time.Time) web.ChartHeader {
	h := web.ChartHeader{
		Name:        p.DisplayName(),
		Age:         "Age " + strconv.Itoa(p.Age(day)),
		DateOfBirth: longDate(p.DateOfBirth),
		Pronouns:    p.Pronouns,
		Language:    p.PreferredLanguage,
		Interpreter: p.InterpreterNeeded,
		Risk:        web.ChartBadge{Label: p.RiskTier.Label(), Tone: riskTone[p.RiskTier]},
		Status:      web.ChartBadge{Label: p.Status.Label(), Tone: statusTone[p.Status]},
		Coordinator: p.CoordinatorName,
		ExternalID:  p.ExternalID,
	}
	for _, c := range covs {
		if c.Primary {
			h.PrimaryCoverage = joinNonEmpty(" · ", c.Payer, c.PlanName)
		}
	}
	for _, ks := range patients.ConsentStates(consents, day) {
		cs := web.ChartConsentState{Kind: ks.Kind.Label, State: web.ChartBadge{Label: ks.State.Label(), Tone: consentTone[ks.State]}}
		if ks.Expires != nil {
			cs.Note = "until " + longDate(*ks.Expires)
		}
		h.ConsentStates = append(h.ConsentStates, cs)
	}
	return h
}

var (
	statusTone = map[patients.Status]string{
		patients.Referred: "info", patients.Active: "ok", patients.OnHold: "warn", patients.Discharged: "muted",
	}
	riskTone = map[patients.RiskTier]string{
		patients.Low: "muted", patients.Moderate: "warn", patients.High: "danger",
	}
	consentTone = map[patients.ConsentState]string{
		patients.ConsentGiven: "ok", patients.ConsentExpired: "warn", patients.ConsentRevoked: "danger", patients.ConsentNotRecorded: "muted",
	}
)

func statusActionsOf(st patients.Status) []web.ChartStatusAction {
	var out []web.ChartStatusAction
	for _, a := range patients.ActionsFrom(st) {
		out = append(out, web.ChartStatusAction{Action: string(a), Label: a.Label(), NeedsReason: a.NeedsReason()})
	}
	return out
}

func timelineOf(events []patients.Event) ([]web.ChartEvent, bool) {
	cut := len(events) > timelineLimit
	if cut {
		events = events[:timelineLimit]
	}
	out := make([]web.ChartEvent, len(events))
	for i, e := range events {
		at := e.At.Local()
		out[i] = web.ChartEvent{
			When: at.Format("2 Jan 2006, 15:04"),
			Who:  orText(e.ActorName, "CareCoord"), Kind: e.Kind, Summary: e.Summary,
		}
	}
	return out, cut
}

func contactFacts(p patients.Patient) []web.ChartFact {
	address := joinNonEmpty(", ", p.AddressLine1, p.AddressLine2, p.City, joinNonEmpty(" ", p.Region, p.PostalCode))
	return facts(
		"Phone", p.Phone,
		"Other phone", p.PhoneAlt,
		"Best time to call", p.BestTimeToCall,
		"Email", p.Email,
		"Address", address,
		"Prefers", labelOrEmpty(patients.ContactMethods, p.PreferredContactMethod),
		"Sex", labelOrEmpty(patients.Sexes, p.Sex),
		"Gender identity", p.GenderIdentity,
	)
}

func referralFacts(p patients.Patient) []web.ChartFact {
	date := ""
	if p.ReferralDate != nil {
		date = longDate(*p.ReferralDate)
	}
	return facts("Referred by", p.ReferralSource, "Referral date", date, "Reason", p.ReferralReason)
}

// facts pairs labels with values, leaving out the empty ones.
func facts(pairs ...string) []web.ChartFact {
	var out []web.ChartFact
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, web.ChartFact{Label: pairs[i], Value: pairs[i+1]})
		}
	}
	return out
}

func memberRows(base string, team []patients.Member) []web.ChartMemberRow {
	out := make([]web.ChartMemberRow, len(team))
	for i, m := range team {
		out[i] = web.ChartMemberRow{
			Name: m.Name, Kind: patients.CareTeamKinds.Label(m.Kind), Relationship: m.Relationship,
			Organisation: m.Organisation, Phone: m.Phone, Email: m.Email,
			Emergency: m.EmergencyContact, ConsentToShare: m.ConsentToShare,
			EditHref: base + "/care-team/" + m.ID + "/edit", RemoveAction: base + "/care-team/" + m.ID + "/remove",
		}
	}
	return out
}

func coverageRows(base string, covs []patients.Coverage) []web.ChartCoverageRow {
	out := make([]web.ChartCoverageRow, len(covs))
	for i, c := range covs {
		out[i] = web.ChartCoverageRow{
			Payer: c.Payer, Plan: c.PlanName, MemberID: c.MemberID, Group: c.GroupNumber,
			Dates: dateRange(c.EffectiveFrom, c.EffectiveTo), Primary: c.Primary,
			EditHref: base + "/coverage/" + c.ID + "/edit", RemoveAction: base + "/coverage/" + c.ID + "/remove",
		}
	}
	return out
}

func consentRows(base string, consents []patients.Consent, day time.Time) []web.ChartConsentRow {
	out := make([]web.ChartConsentRow, len(consents))
	for i, c := range consents {
		st := c.State(day)
		row := web.ChartConsentRow{
			Kind: patients.ConsentKinds.Label(c.Kind), GivenOn: longDate(c.GivenOn), GivenBy: c.GivenBy,
			State: web.ChartBadge{Label: st.Label(), Tone: consentTone[st]},
		}
		switch {
		case c.RevokedOn != nil:
			row.Expires = "revoked " + longDate(*c.RevokedOn)
		case c.ExpiresOn != nil:
			row.Expires = "expires " + longDate(*c.ExpiresOn)
			row.RevokeAction = base + "/consents/" + c.ID + "/revoke"
		default:
			row.RevokeAction = base + "/consents/" + c.ID + "/revoke"
		}
		out[i] = row
	}
	return out
}

func dateRange(from, to *time.Time) string {
	switch {
	case from != nil && to != nil:
		return longDate(*from) + " – " + longDate(*to)
	case from != nil:
		return "from " + longDate(*from)
	case to != nil:
		return "until " + longDate(*to)
	}
	return ""
}

func longDate(t time.Time) string { return t.Format("2 Jan 2006") }

func labelOrEmpty(opts forms.Choices[string], v string) string {
	if v == "" {
		return ""
	}
	return opts.Label(v)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
