package patients_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// intakeOf is an intake of the given person with the least it needs.
func intakeOf(given, family string, kv ...string) patients.IntakeForm {
	v := url.Values{"given_name": {given}, "family_name": {family}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2000"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return patients.ParseIntake(v)
}

func TestIntake_StoresThePatientWithItsTimelineLineAndAuditEvent(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	in, err := patients.NewService(f.d.Pool).Intake(context.Background(), f.actor(),
		intakeOf("Cy", "Tamm", "coverage.0.payer", "Medicaid", "team.0.kind", "caregiver", "team.0.name", "Di Tamm"))
	if err != nil || in.PatientID == "" {
		t.Fatalf("intake: %+v, %v", in, err)
	}
	got := f.scalar(`select concat_ws('|',
		(select string_agg(summary, ',') from patient_events where patient_id = $1),
		(select string_agg(action, ',') from audit_events where patient_id = $1),
		(select count(*) from coverages where patient_id = $1 and is_primary),
		(select count(*) from care_team_members where patient_id = $1))`, in.PatientID)
	if got != "Taken in by intake|patient.created|1|1" {
		t.Errorf("stored %v, want the intake line, its audit event, a primary coverage and a member", got)
	}
}

func TestIntake_PossibleDuplicatesStopItUntilANewPersonIsConfirmed(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	svc, ctx := patients.NewService(f.d.Pool), context.Background()
	in, err := svc.Intake(ctx, f.actor(), intakeOf("Adah", "Quist"))
	if err != nil || in.PatientID != "" || len(in.Duplicates) != 1 || in.Duplicates[0].ID != f.a {
		t.Fatalf("namesake of Ada Quist: %+v, %v; want her as a possible duplicate and nothing saved", in, err)
	}
	if n := f.scalar("select count(*) from patients"); n != int64(2) {
		t.Errorf("%v patients after the warning, want 2", n)
	}
	in, err = svc.Intake(ctx, f.actor(), intakeOf("Adah", "Quist", "confirmed_new", "yes"))
	if err != nil || in.PatientID == "" {
		t.Errorf("confirmed new person: %+v, %v", in, err)
	}
}

func TestIntake_InvalidAnswersAndATakenMRNAreSaidBesideTheirFields(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	svc, ctx := patients.NewService(f.d.Pool), context.Background()
	if _, err := svc.Intake(ctx, f.actor(), intakeOf("Cy", "Tamm", "external_id", "MRN-1")); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Intake(ctx, f.actor(), intakeOf("Di", "Umber", "date_of_birth", "2099-01-01"))
	if fail.KindOf(err) != fail.KindInvalid || !strings.Contains(fail.Fields(err)["date_of_birth"], "future") ||
		!strings.Contains(err.(*fail.Error).Message, "everything you typed is kept") {
		t.Errorf("future birth date: err %v, fields %v", err, fail.Fields(err))
	}
	_, err = svc.Intake(ctx, f.actor(), intakeOf("Di", "Umber", "external_id", "MRN-1", "coverage.0.payer", "Medicaid"))
	if !errors.Is(err, patients.ErrExternalIDTaken) || !strings.Contains(fail.Fields(err)["external_id"], "Another patient already has this MRN") {
		t.Errorf("taken MRN: err %v, fields %v", err, fail.Fields(err))
	}
	if n := f.scalar("select count(*) from patients where given_name = 'Di'"); n != int64(0) {
		t.Errorf("%v patients stored from refused intakes", n)
	}
}

func TestEditDetails_NamesTheChangedFieldsOnTheTimelineAndInTheAudit(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	svc, ctx := patients.NewService(f.d.Pool), context.Background()
	page, err := svc.DetailsPage(ctx, f.actor(), f.a)
	if err != nil {
		t.Fatal(err)
	}
	form := patients.DetailsFormOf(page.Patient)
	form.Phone, form.City, form.AddressLine1 = "555-010-9999", "Springfield", "1 Main St"
	if err := svc.EditDetails(ctx, f.actor(), f.a, page.Patient.Version, form); err != nil {
		t.Fatal(err)
	}
	got := f.scalar(`select concat_ws('|', p.version, p.phone,
		(select summary from patient_events e where e.patient_id = p.id and e.kind = 'details'),
		(select detail->>'fields' from audit_events a where a.patient_id = p.id and a.action = 'patient.updated'))
		from patients p where p.id = $1`, f.a)
	if got != `2|555-010-9999|Details edited: phone, street address, town or city|["phone", "street address", "town or city"]` {
		t.Errorf("after the edit: %v", got)
	}
}

func TestEditDetails_StaleVersionIsAConflictNamingTheAnswersThatDiffer(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	svc, ctx := patients.NewService(f.d.Pool), context.Background()
	page, err := svc.DetailsPage(ctx, f.actor(), f.a)
	if err != nil {
		t.Fatal(err)
	}
	theirs, mine := patients.DetailsFormOf(page.Patient), patients.DetailsFormOf(page.Patient)
	theirs.Phone = "555-010-1111"
	if err := svc.EditDetails(ctx, f.actor(), f.a, 1, theirs); err != nil {
		t.Fatal(err)
	}
	mine.Phone, mine.Pronouns = "555-010-2222", "they/them"
	err = svc.EditDetails(ctx, f.actor(), f.a, 1, mine)
	if !errors.Is(err, db.ErrConflict) || !strings.Contains(err.Error(), "differs from them in: pronouns, phone.") {
		t.Errorf("stale edit: err = %v, want a conflict naming pronouns and phone", err)
	}
	if got := f.scalar("select phone || '/' || version from patients where id = $1", f.a); got != "555-010-1111/2" {
		t.Errorf("after the stale edit: %v, want the first edit kept", got)
	}
}

func TestEditDetails_TakenMRNIsSaidBesideTheField(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	svc, ctx := patients.NewService(f.d.Pool), context.Background()
	f.tx(func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "update patients set external_id = 'MRN-7' where id = $1", f.b)
		return err
	})
	page, err := svc.DetailsPage(ctx, f.actor(), f.a)
	if err != nil {
		t.Fatal(err)
	}
	form := patients.DetailsFormOf(page.Patient)
	form.ExternalID = "MRN-7"
	err = svc.EditDetails(ctx, f.actor(), f.a, page.Patient.Version, form)
	if !errors.Is(err, patients.ErrExternalIDTaken) || fail.Fields(err)["external_id"] == "" {
		t.Errorf("taken MRN: err %v, fields %v", err, fail.Fields(err))
	}
	if n := f.scalar("select count(*) from audit_events where patient_id = $1", f.a); n != int64(0) {
		t.Errorf("%v audit events from a refused edit", n)
	}
}

func TestPatientList_AStaleCursorStartsAgainWithAMessage(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	a := f.actor()
	list, err := patients.NewService(f.d.Pool).PatientList(context.Background(), a,
		patients.ListForm{Coordinator: patients.EveryCoordinator, After: "not-a-cursor"})
	if err != nil {
		t.Fatal(err)
	}
	if list.Errors["after"] == "" || list.Applied.After != "" || len(list.Patients) != 2 {
		t.Errorf("list = %+v, want the first page with a message about the link", list)
	}
}
