// Package chart is the patient chart's read model: everything the one page
// that ties the care-coordination loop together shows of a patient, read
// from the packages that own each part in one transaction of the tenant.
package chart

import (
	"context"

	"carecoord/internal/assessments"
	"carecoord/internal/audit"
	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/internal/risk"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TimelineShown is how many timeline lines the chart shows; one more is
// read to know whether there are older ones.
const TimelineShown = 100

// Chart is what a patient's chart shows.
type Chart struct {
	Patient      patients.Patient
	Team         []patients.Member
	Coverages    []patients.Coverage
	Consents     []patients.Consent
	Timeline     []patients.Event
	Assessments  []assessments.Assessment
	Needs        []careplans.Need
	Plan         careplans.Current
	HasPlan      bool
	Referrals    []referrals.Referral
	Appointments []referrals.Appointment
	// Work is the contact work: reach, the next contact due, recent
	// contacts, open tasks and transitions.
	Work contacts.ChartWork
	// SafetyAlerts are the open safety-alert tasks the banner shows.
	SafetyAlerts []tasks.Task
	// RiskProposal is the risk tier the evidence proposes, waiting for a
	// decision, or nil.
	RiskProposal *risk.Stored
	// riskProposals is what the batch read: the open proposal, if any.
	riskProposals []risk.Stored
}

// setRiskProposal keeps the open proposal only while it would still raise
// the patient's tier: one raised by hand since leaves nothing to decide.
func (c *Chart) setRiskProposal() {
	if len(c.riskProposals) == 1 && c.riskProposals[0].Raises(c.Patient.RiskTier) {
		c.RiskProposal = &c.riskProposals[0]
	}
}

// Service reads charts.
type Service struct {
	pool *pgxpool.Pool
}

// NewService reads charts from pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// View reads the patient's chart for a to look at, and records the view
// in the audit log: every look at a chart is audited.
func (s *Service) View(ctx context.Context, a tenants.Actor, patientID string) (Chart, error) {
	return s.read(ctx, a, patientID, func(b *pgx.Batch) {
		a.QueueAuditView(b, audit.Event{Action: "patient.viewed", EntityType: "patient", EntityID: patientID, PatientID: patientID})
	})
}

// Again reads the chart to show it once more after a change on it was
// refused: the page the person was already looking at, so no new view is
// recorded.
func (s *Service) Again(ctx context.Context, a tenants.Actor, patientID string) (Chart, error) {
	return s.read(ctx, a, patientID, func(*pgx.Batch) {})
}

// read gathers the chart from the packages that own each part, in one
// transaction of the tenant and at most two round trips in it (issue 22):
// one batch of every independent read, with what also queues (the view's
// audit row) after them, then, when the patient has an open plan, one
// batch of the plan's parts.
func (s *Service) read(ctx context.Context, a tenants.Actor, patientID string, also func(*pgx.Batch)) (Chart, error) {
	var c Chart
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		var planIDs []string
		b := &pgx.Batch{}
		queueReads(b, a.TenantID, patientID, &c, &planIDs)
		also(b)
		if err := db.Send(ctx, tx, b); err != nil {
			return err
		}
		c.Work.SetNextDue(a, c.Patient)
		c.setRiskProposal()
		if len(planIDs) == 0 {
			return nil
		}
		var err error
		c.Plan, err = careplans.LoadCurrent(ctx, tx, careplans.Ref{TenantID: a.TenantID, PatientID: patientID, PlanID: planIDs[0]})
		c.HasPlan = err == nil
		return err
	})
	return c, err
}

// queueReads queues every read of the chart that needs nothing read
// before it, the patient first: a patient of another tenant, or none,
// fails the batch with db.ErrNotFound before anything else is used.
func queueReads(b *pgx.Batch, tenantID, patientID string, c *Chart, planIDs *[]string) {
	patients.GetQuery(tenantID, patientID).QueueOne(b, &c.Patient)
	patients.CareTeamQuery(tenantID, patientID).QueueAll(b, &c.Team)
	patients.CoveragesQuery(tenantID, patientID).QueueAll(b, &c.Coverages)
	patients.ConsentsQuery(tenantID, patientID).QueueAll(b, &c.Consents)
	patients.TimelineQuery(tenantID, patientID, TimelineShown+1).QueueAll(b, &c.Timeline)
	assessments.ForPatientQuery(tenantID, patientID).QueueAll(b, &c.Assessments)
	careplans.NeedsQuery(tenantID, patientID).QueueAll(b, &c.Needs)
	careplans.OpenPlanQuery(tenantID, patientID).QueueAll(b, planIDs)
	referrals.ForPatientQuery(tenantID, patientID).QueueAll(b, &c.Referrals)
	referrals.AppointmentsQuery(tenantID, patientID).QueueAll(b, &c.Appointments)
	contacts.QueueChartWork(b, tenantID, patientID, &c.Work)
	tasks.SafetyAlertsQuery(tenantID, patientID).QueueAll(b, &c.SafetyAlerts)
	risk.OpenQuery(tenantID, patientID).QueueAll(b, &c.riskProposals)
}
