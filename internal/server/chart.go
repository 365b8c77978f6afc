package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/chart"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/go-chi/chi/v5"
)

// The patient chart (issue 4): one page with who the patient is and what
// happened to them, and the small forms that change it. Every change is
// written with a timeline line and an audit event in the same transaction.

// chartReq is what every chart handler reads from its request.
type chartReq struct {
	tenantID  string
	actorID   string
	patientID string
	base      string
}

// patientOf is the patient the URL names, in the request's tenant. handle
// has checked every id of the URL, so this cannot fail.
func patientOf(r *http.Request) chartReq {
	id := urlID(r, "patientID")
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return chartReq{tenantID: m.Tenant.ID, actorID: u.ID, patientID: id, base: patientPath(r, id)}
}

// urlID is the id parameter name of the URL, which handle checked.
func urlID(r *http.Request, name string) string { return strings.ToLower(chi.URLParam(r, name)) }

// validUUID reports whether s is a UUID in its canonical text form.
func validUUID(s string) bool { return db.ValidUUID(s) }

// chart shows the patient's chart; every view is audited.
func (s *Server) chart(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	ch, err := s.charts.View(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartPage(s.chartView(r, c, ch)))
}

// chartView is the chart page of ch, as of the request's moment.
func (s *Server) chartView(r *http.Request, c chartReq, ch chart.Chart) web.ChartView {
	a := s.actor(r)
	p, day := ch.Patient, a.Today()
	v := web.ChartView{
		Shell: s.shell(r), Base: c.base, Version: p.Version,
		Header:      chartHeaderOf(p, ch.Coverages, ch.Consents, day),
		Status:      web.ChartStatus{Actions: statusActionsOf(p.Status)},
		Contact:     contactFacts(p),
		Referral:    referralFacts(p),
		CareTeam:    memberRows(c.base, ch.Team),
		Coverage:    coverageRows(c.base, ch.Coverages),
		Consents:    consentRows(c.base, ch.Consents, day),
		Assessments: assessmentRows(c.base, ch.Assessments, a.At.Location()),
		Trends:      trendsOf(ch.Assessments, a.At.Location()),
		Due:         dueOf(c.base, ch.Assessments, a.At, assessments.DueRulesOf(a.Settings)),
		Needs:       chartNeedRows(c, ch.Needs),
		Plan:        chartPlan(c, ch.Plan, ch.HasPlan),
		Referrals:   chartReferralRows(c, ch.Referrals, a.At),
	}
	if p.Status == patients.Discharged && v.Plan.Exists {
		v.Plan.Warning = "The patient is discharged but this plan is still open: complete or cancel it."
	}
	v.Appointments, v.HasUpcoming = chartAppointmentRows(c, ch.Appointments, a.At)
	v.Timeline, v.TimelineCut = timelineOf(ch.Timeline, a.At.Location())
	chartContactView(c, ch.Work, a.At, &v)
	v.Header.SafetyAlerts = chartSafetyAlerts(ch.SafetyAlerts, a.At)
	v.RiskProposal = chartRiskProposal(c, ch.RiskProposal, p.RiskTier, a.At.Location())
	return v
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

func timelineOf(events []patients.Event, loc *time.Location) ([]web.ChartEvent, bool) {
	cut := len(events) > chart.TimelineShown
	if cut {
		events = events[:chart.TimelineShown]
	}
	out := make([]web.ChartEvent, len(events))
	for i, e := range events {
		at := e.At.In(loc)
		out[i] = web.ChartEvent{
			When: at.Format(calendar.DayTime),
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

func longDate(t time.Time) string { return t.Format(calendar.Day) }

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
