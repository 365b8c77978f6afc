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
	var c Chart
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if c, err = read(ctx, tx, a, patientID); err != nil {
			return err
		}
		return a.AuditView(ctx, tx, audit.Event{Action: "patient.viewed", EntityType: "patient", EntityID: patientID, PatientID: patientID})
	})
	return c, err
}

// Again reads the chart to show it once more after a change on it was
// refused: the page the person was already looking at, so no new view is
// recorded.
func (s *Service) Again(ctx context.Context, a tenants.Actor, patientID string) (Chart, error) {
	var c Chart
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		c, err = read(ctx, tx, a, patientID)
		return err
	})
	return c, err
}

// read gathers the chart from the packages that own each part.
func read(ctx context.Context, tx pgx.Tx, a tenants.Actor, patientID string) (Chart, error) {
	var c Chart
	var err error
	if c.Patient, err = patients.Get(ctx, tx, a.TenantID, patientID); err != nil {
		return c, err
	}
	steps := []func() error{
		func() (err error) { c.Team, err = patients.CareTeam(ctx, tx, a.TenantID, patientID); return err },
		func() (err error) { c.Coverages, err = patients.Coverages(ctx, tx, a.TenantID, patientID); return err },
		func() (err error) { c.Consents, err = patients.Consents(ctx, tx, a.TenantID, patientID); return err },
		func() (err error) {
			c.Timeline, err = patients.Timeline(ctx, tx, a.TenantID, patientID, TimelineShown+1)
			return err
		},
		func() (err error) {
			c.Assessments, err = assessments.ListForPatient(ctx, tx, a.TenantID, patientID)
			return err
		},
		func() (err error) {
			c.Needs, err = careplans.ListForPatient(ctx, tx, a.TenantID, patientID)
			return err
		},
		func() (err error) {
			c.Plan, c.HasPlan, err = careplans.CurrentPlan(ctx, tx, a.TenantID, patientID)
			return err
		},
		func() (err error) {
			c.Referrals, err = referrals.ForPatient(ctx, tx, a.TenantID, patientID)
			return err
		},
		func() (err error) {
			c.Appointments, err = referrals.AppointmentsOf(ctx, tx, a.TenantID, patientID)
			return err
		},
		func() (err error) { c.Work, err = contacts.ChartWorkOf(ctx, tx, a, c.Patient); return err },
		func() (err error) {
			c.SafetyAlerts, err = tasks.OpenSafetyAlerts(ctx, tx, a.TenantID, patientID)
			return err
		},
		func() (err error) { c.RiskProposal, err = risk.OpenFor(ctx, tx, a.TenantID, patientID); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return c, err
		}
	}
	if c.RiskProposal != nil && !c.RiskProposal.Raises(c.Patient.RiskTier) {
		c.RiskProposal = nil
	}
	return c, nil
}
