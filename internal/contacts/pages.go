package contacts

import (
	"context"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// FormPage is what a patient's contact form offers.
type FormPage struct {
	PatientName string
	Choices     Choices
	// People are the colleagues a follow-up can be given to, by name.
	People []tenants.Person
}

// FormPage reads what the patient's contact form offers: their care team,
// their open goals and the colleagues a follow-up can go to.
func (s *Service) FormPage(ctx context.Context, a tenants.Actor, patientID string) (FormPage, error) {
	var fp FormPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		fp, err = formPage(ctx, tx, a, patientID)
		return err
	})
	return fp, err
}

func formPage(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string) (FormPage, error) {
	p, err := patients.Get(ctx, q, a.TenantID, patientID)
	if err != nil {
		return FormPage{}, err
	}
	fp := FormPage{PatientName: p.DisplayName()}
	if fp.Choices.Members, err = patients.CareTeam(ctx, q, a.TenantID, patientID); err != nil {
		return fp, err
	}
	if fp.Choices.Goals, err = careplans.OpenGoals(ctx, q, a.TenantID, patientID); err != nil {
		return fp, err
	}
	fp.People, err = tenants.Coordinators(ctx, q, a.TenantID)
	fp.Choices.Assignees = map[string]bool{}
	for _, p := range fp.People {
		fp.Choices.Assignees[p.ID] = true
	}
	return fp, err
}

// Correction is a contact's correction form: the contact as it stands and
// what its form offers.
type Correction struct {
	FormPage
	Contact Contact
}

// CorrectionPage reads a contact for its author to correct; anyone else,
// or the author after CorrectionWindow, meets ErrCorrectionClosed.
func (s *Service) CorrectionPage(ctx context.Context, a tenants.Actor, patientID, contactID string) (Correction, error) {
	var c Correction
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		c, err = correctionPage(ctx, tx, a, patientID, contactID)
		return err
	})
	return c, err
}

func correctionPage(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, contactID string) (Correction, error) {
	fp, err := formPage(ctx, q, a, patientID)
	if err != nil {
		return Correction{}, err
	}
	c := Correction{FormPage: fp}
	if c.Contact, err = Get(ctx, q, a.TenantID, patientID, contactID); err != nil {
		return c, err
	}
	if !c.Contact.CanCorrect(a.UserID, a.At) {
		return c, ErrCorrectionClosed
	}
	return c, nil
}

// Page is a contact as its page shows it, with what became of it since.
type Page struct {
	PatientName string
	Contact     Contact
	// CanCorrect is whether the viewer may still correct the contact.
	CanCorrect bool
	Goals      []GoalTouched
	// Revisions are the earlier wordings, oldest first.
	Revisions []Revision
	Addenda   []Addendum
}

// ContactPage reads one contact of the patient with the goals it touched,
// its corrections and addenda; the view is audited.
func (s *Service) ContactPage(ctx context.Context, a tenants.Actor, patientID, contactID string) (Page, error) {
	var pg Page
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		pg.PatientName = p.DisplayName()
		if pg.Contact, err = Get(ctx, tx, a.TenantID, patientID, contactID); err != nil {
			return err
		}
		pg.CanCorrect = pg.Contact.CanCorrect(a.UserID, a.At)
		if pg.Goals, err = GoalsOf(ctx, tx, a.TenantID, contactID); err != nil {
			return err
		}
		if pg.Revisions, err = Revisions(ctx, tx, a.TenantID, contactID); err != nil {
			return err
		}
		if pg.Addenda, err = Addenda(ctx, tx, a.TenantID, contactID); err != nil {
			return err
		}
		return a.AuditView(ctx, tx, audit.Event{Action: "contact.viewed", EntityType: "contact", EntityID: contactID, PatientID: patientID})
	})
	return pg, err
}

// RecentShown is how many recent contacts the chart lists; the timeline
// has every one.
const RecentShown = 8

// ChartWork is the patient's contact work as the chart shows it.
type ChartWork struct {
	Reach Reach
	// NextDue is the day the patient is next due for a contact by the
	// tenant's cadence; nil once they are discharged.
	NextDue *time.Time
	// Recent are the latest RecentShown contacts, newest first.
	Recent []Contact
	// Open are the patient's open tasks, urgent first, then soonest.
	Open []tasks.Task
	// Transitions are the latest ten transitions of care.
	Transitions []Transition
	// closures are the tenant's closure days, which the next due date skips.
	closures []tenants.Closure
}

// ChartWorkOf reads p's contact work in q's transaction, for the chart a
// reads: whether p can be reached and when they are next due, recent
// contacts, open tasks and transitions of care.
func ChartWorkOf(ctx context.Context, q db.DBTX, a tenants.Actor, p patients.Patient) (ChartWork, error) {
	var w ChartWork
	b := &pgx.Batch{}
	QueueChartWork(b, a.TenantID, p.ID, &w)
	if err := db.Send(ctx, q, b); err != nil {
		return w, err
	}
	w.SetNextDue(a, p)
	return w, nil
}

// QueueChartWork queues into b the reads of the patient's contact work;
// once b is read, SetNextDue completes w.
func QueueChartWork(b *pgx.Batch, tenantID, patientID string, w *ChartWork) {
	reachQuery(tenantID, patientID).QueueOne(b, &w.Reach)
	recentQuery(tenantID, patientID, RecentShown).QueueAll(b, &w.Recent)
	tasks.OpenForPatientQuery(tenantID, patientID).QueueAll(b, &w.Open)
	transitionsQuery(tenantID, patientID, 10).QueueAll(b, &w.Transitions)
	tenants.ClosuresQuery(tenantID).QueueAll(b, &w.closures)
}

// SetNextDue sets the day p is next due for a contact by a's cadence,
// from the reach w has read; none once p is discharged.
func (w *ChartWork) SetNextDue(a tenants.Actor, p patients.Patient) {
	if p.Status == patients.Discharged {
		return
	}
	referred := p.CreatedAt
	if p.ReferralDate != nil {
		referred = *p.ReferralDate
	}
	cad := CadenceOf(a.Settings)
	cad.Closed = tenants.CalendarOf(w.closures)
	due, _ := cad.NextDue(ContactState{Tier: p.RiskTier, Referred: referred, LastReached: w.Reach.LastReached}, a.At.Location())
	w.NextDue = &due
}
