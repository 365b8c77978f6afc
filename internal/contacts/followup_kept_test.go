package contacts_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// tenantZone is the fixture tenant's calendar: it sets none, so the
// default one, which db.InTenant puts its transactions on.
func tenantZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := calendar.Zone(calendar.DefaultZone)
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	return loc
}

// actorAt is the coordinator acting now on the tenant's calendar, as the
// server makes its actors (tenants.Actor.At in the tenant's zone).
func (f fixture) actorAt(loc *time.Location) tenants.Actor {
	a := f.actor(f.coord)
	a.At = time.Now().In(loc)
	return a
}

// keptRow is a discharge as stored, with the engagement it keeps.
type keptRow struct {
	ID             string
	PatientID      string
	OccurredOn     time.Time
	ExcludedReason string
	FollowUp       *string
	FollowedUpAt   *time.Time
}

func (f fixture) discharges() []keptRow {
	f.t.Helper()
	var ds []keptRow
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		rows, _ := tx.Query(context.Background(), `
			select id, patient_id, occurred_on, coalesce(excluded_reason, '') as excluded_reason, follow_up, followed_up_at
			  from care_transitions where tenant_id = $1 and kind = 'discharge' order by occurred_on, id`, f.tenant)
		ds, err = pgx.CollectRows(rows, pgx.RowToStructByName[keptRow])
		return err
	})
	return ds
}

// contactsOf are all the patient's contacts as the rule reads them.
func (f fixture) contactsOf(patient string) []contacts.FollowUpContact {
	f.t.Helper()
	var cs []contacts.FollowUpContact
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		rows, _ := tx.Query(context.Background(), `select occurred_at as at, method, party, outcome from contacts
			 where tenant_id = $1 and patient_id = $2`, f.tenant, patient)
		cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[contacts.FollowUpContact])
		return err
	})
	return cs
}

// checkKept fails for each worked-out discharge whose kept engagement is
// not what contacts.Engagement says of its patient's contacts now, and
// returns how many discharges are not worked out yet.
func (f fixture) checkKept(when string, loc *time.Location) (unknown int) {
	f.t.Helper()
	for _, d := range f.discharges() {
		if d.FollowUp == nil {
			unknown++
			continue
		}
		e := contacts.Engagement(contacts.Discharge{On: d.OccurredOn}, f.contactsOf(d.PatientID), loc)
		want, got := describe(string(e.State), &e.At), describe(*d.FollowUp, d.FollowedUpAt)
		if e.State == "" {
			want = describe("none", nil)
		}
		if got != want {
			f.t.Errorf("%s: discharge of %s keeps %s; the contacts say %s", when, d.OccurredOn.Format(calendar.DateLayout), got, want)
		}
	}
	return unknown
}

func describe(state string, at *time.Time) string {
	if at == nil {
		return state
	}
	return state + " at " + at.UTC().Format(time.RFC3339)
}

// byTheRule is the measure over the days from to until as the rule
// decides each discharge from all its patient's contacts now: what the
// measure computed before discharges kept their engagement.
func (f fixture) byTheRule(from, until time.Time, loc *time.Location) (n, of int) {
	f.t.Helper()
	now := time.Now()
	for _, d := range f.discharges() {
		if d.OccurredOn.Before(from) || d.OccurredOn.After(until) {
			continue
		}
		in, met := contacts.FollowUpOutcome(contacts.Discharge{On: d.OccurredOn, ExcludedReason: d.ExcludedReason},
			f.contactsOf(d.PatientID), now, loc).Counts()
		n, of = n+b2i(met), of+b2i(in)
	}
	return n, of
}

// checkMeasure fails when the measure over any of periods differs from
// the rule's count.
func (f fixture) checkMeasure(when string, loc *time.Location, periods [][2]time.Time) {
	f.t.Helper()
	for _, p := range periods {
		wn, wof := f.byTheRule(p[0], p[1], loc)
		if n, of := f.dischargeMeasureOver(p[0], p[1]); n != wn || of != wof {
			f.t.Errorf("%s: measure %s to %s is %d of %d; the rule says %d of %d", when,
				p[0].Format(calendar.DateLayout), p[1].Format(calendar.DateLayout), n, of, wn, wof)
		}
	}
}

func (f fixture) kept(id string) string {
	f.t.Helper()
	for _, d := range f.discharges() {
		if d.ID == id {
			if d.FollowUp == nil {
				return "unknown"
			}
			return describe(*d.FollowUp, d.FollowedUpAt)
		}
	}
	f.t.Fatalf("no discharge %s", id)
	return ""
}

// TestFollowUp_KeptEngagementFollowsEveryChange walks one discharge
// through each change that moves its follow-up, checking after each the
// engagement the discharge keeps, and the measure against the rule.
func TestFollowUp_KeptEngagementFollowsEveryChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, loc := context.Background(), tenantZone(t)
	a := f.actorAt(loc)
	today := calendar.DateOf(a.At)
	on := today.AddDate(0, 0, -20)
	day := func(n, hour int) time.Time { return time.Date(on.Year(), on.Month(), on.Day()+n, hour, 0, 0, 0, loc) }
	log := func(n int, method, party, outcome string) contacts.Logged {
		t.Helper()
		l, err := f.svc.LogValid(ctx, a, f.patient, contacts.NewContact{OccurredAt: day(n, 11), Method: method, Direction: "outbound",
			Party: party, PartyName: "Rosa", Outcome: outcome, Summary: "After the hospital."})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	correct := func(id string, change func(*contacts.ContactForm)) {
		t.Helper()
		var c contacts.Contact
		f.in(f.tenant, func(tx pgx.Tx) (err error) {
			c, err = contacts.Get(ctx, tx, f.tenant, f.patient, id)
			return err
		})
		form := contacts.FormOf(c, loc)
		form.Reason = "Wrong details"
		change(&form)
		if _, err := f.svc.CorrectContact(ctx, a, f.patient, id, form); err != nil {
			t.Fatal(err)
		}
	}
	periods := [][2]time.Time{{on, on}, {today.AddDate(0, 0, -30), today}}
	step := func(what, want, id string) {
		t.Helper()
		if got := f.kept(id); got != want {
			t.Errorf("%s: the discharge keeps %s, want %s", what, got, want)
		}
		f.checkKept(what, loc)
		f.checkMeasure(what, loc, periods)
	}
	at := func(n int) string { return day(n, 11).UTC().Format(time.RFC3339) }

	// An engagement on day 2, logged before the discharge was recorded.
	early := log(2, "phone", "patient", "reached")
	rec, err := f.svc.RecordTransition(ctx, a, f.patient, contacts.TransitionForm{Kind: "discharge", Facility: "Mercy General",
		OccurredOn: on.Format(calendar.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	step("discharge recorded after an engagement", "met at "+at(2), rec.ID)
	correct(early.ID, func(c *contacts.ContactForm) { c.Outcome = "left_message" })
	step("the engagement corrected to a voicemail", "none", rec.ID)
	log(3, "phone", "other", "reached")
	log(4, "letter", "patient", "reached")
	step("a caregiver and a letter", "none", rec.ID)
	late := log(9, "video", "patient", "reached")
	step("reached on day 9", "late at "+at(9), rec.ID)
	met := log(6, "home_visit", "patient", "reached")
	step("reached on day 6 too, logged later", "met at "+at(6), rec.ID)
	correct(met.ID, func(c *contacts.ContactForm) { c.OccurredAt = day(11, 9).Format(calendar.DateTimeLocal) })
	step("the day-6 visit corrected to day 11", "late at "+at(9), rec.ID)
	correct(late.ID, func(c *contacts.ContactForm) { c.OccurredAt = day(5, 11).Format(calendar.DateTimeLocal) })
	step("the day-9 call corrected to day 5", "met at "+at(5), rec.ID)
	correct(early.ID, func(c *contacts.ContactForm) {
		c.Outcome, c.OccurredAt = "reached", day(1, 11).Format(calendar.DateTimeLocal)
	})
	step("the voicemail corrected back to a call that reached her, on day 1", "met at "+at(1), rec.ID)

	// A second discharge on day 12: the day-11 visit came before it, so
	// only a later engagement counts; then a readmission excludes it.
	second, err := f.svc.RecordTransition(ctx, a, f.patient, contacts.TransitionForm{Kind: "discharge", Facility: "Mercy General",
		OccurredOn: day(12, 0).Format(calendar.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	periods = append(periods, [2]time.Time{calendar.DateOf(day(12, 0)), calendar.DateOf(day(12, 0))})
	step("a second discharge, on day 12", "none", second.ID)
	log(14, "phone", "patient", "reached")
	step("reached two days after the second", "met at "+at(14), second.ID)
	d := f.transition(f.patient, second.ID)
	if _, err := f.svc.ExcludeDischarge(ctx, a, f.patient, second.ID, contacts.ExclusionForm{Reason: "hospice",
		On: day(15, 0).Format(calendar.DateLayout), Version: d.Version}); err != nil {
		t.Fatal(err)
	}
	step("hospice recorded on the second", "met at "+at(14), second.ID)
	if n, of := f.dischargeMeasureOver(calendar.DateOf(day(12, 0)), calendar.DateOf(day(12, 0))); n != 0 || of != 0 {
		t.Errorf("an excluded discharge counts: %d of %d", n, of)
	}

	// A merge brings contacts from elsewhere: RefreshFollowUps (which the
	// merge runs for the survivor) works every discharge out again.
	f.in(f.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `insert into contacts (tenant_id, patient_id, occurred_at, method, direction, party, outcome, author_id)
			values ($1, $2, $3, 'phone', 'outbound', 'patient', 'reached', $4)`, f.tenant, f.patient, day(13, 8), f.coord)
		return err
	})
	f.in(f.tenant, func(tx pgx.Tx) error { return contacts.RefreshFollowUps(ctx, tx, f.tenant, f.patient) })
	step("a contact on day 13 brought by a merge", "met at "+day(13, 8).UTC().Format(time.RFC3339), second.ID)
}

// TestFollowUp_MeasureEqualsTheRuleThroughRandomChanges records a random
// sequence of discharges, readmissions, exclusions, contacts and
// corrections through the use cases, with discharges copied in as a loader
// does (not worked out until the job comes by), and checks after every
// few steps that each discharge keeps what contacts.Engagement says and
// that the measure over assorted periods equals the rule applied to every
// discharge's contacts.
func TestFollowUp_MeasureEqualsTheRuleThroughRandomChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, loc := context.Background(), tenantZone(t)
	a := f.actorAt(loc)
	now := a.At
	today := calendar.DateOf(now)
	rng := rand.New(rand.NewPCG(26, 7))
	patients := []string{f.patient}
	for i := range 4 {
		patients = append(patients, f.newPatient(fmt.Sprint("Random ", i)))
	}
	type logged struct{ id, patient string }
	var contactsLogged []logged
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	methods := []string{"phone", "phone", "video", "in_person", "home_visit", "text", "letter"}
	outcomes := []string{"reached", "reached", "declined", "no_answer", "left_message", "sent"}
	parties := []string{"patient", "patient", "patient", "other"}
	// when is a moment in the last 50 days, on the tenant's calendar.
	when := func() time.Time {
		return now.Add(-time.Duration(rng.Float64() * 50 * 24 * float64(time.Hour))).Truncate(time.Minute)
	}
	dayOf := func() time.Time { return today.AddDate(0, 0, -rng.IntN(45)) }
	var periods [][2]time.Time
	for _, back := range []int{7, 30, 60} {
		periods = append(periods, [2]time.Time{today.AddDate(0, 0, -back), today})
	}
	for i := range 10 {
		d := today.AddDate(0, 0, -i*5)
		periods = append(periods, [2]time.Time{d.AddDate(0, 0, -4), d})
	}
	for i := range 120 {
		var err error
		switch r := rng.IntN(20); {
		case r < 4: // a discharge, or now and then an admission or a move
			kind := "discharge"
			if r == 3 {
				kind = pick([]string{"admission", "care_facility"})
			}
			_, err = f.svc.RecordTransition(ctx, a, pick(patients), contacts.TransitionForm{Kind: kind, Facility: "Mercy",
				OccurredOn: dayOf().Format(calendar.DateLayout)})
		case r < 5: // a discharge copied in by a loader
			f.in(f.tenant, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `insert into care_transitions (tenant_id, patient_id, kind, facility, occurred_on, recorded_by)
					values ($1, $2, 'discharge', 'Copied', $3, $4)`, f.tenant, pick(patients), dayOf(), f.coord)
				return err
			})
		case r < 13:
			p, party := pick(patients), pick(parties)
			var l contacts.Logged
			l, err = f.svc.LogValid(ctx, a, p, contacts.NewContact{OccurredAt: when(), Method: pick(methods), Direction: "outbound",
				Party: party, PartyName: "Rosa", Outcome: pick(outcomes), Summary: "Random."})
			if err == nil && party == "patient" {
				contactsLogged = append(contactsLogged, logged{l.ID, p})
			}
		case r < 17 && len(contactsLogged) > 0:
			c := contactsLogged[rng.IntN(len(contactsLogged))]
			var old contacts.Contact
			f.in(f.tenant, func(tx pgx.Tx) (err error) {
				old, err = contacts.Get(ctx, tx, f.tenant, c.patient, c.id)
				return err
			})
			form := contacts.FormOf(old, loc)
			form.Reason = "Random correction"
			switch rng.IntN(3) {
			case 0:
				form.OccurredAt = when().In(loc).Format(calendar.DateTimeLocal)
			case 1:
				form.Outcome = pick(outcomes)
			default:
				form.Method = pick(methods)
			}
			_, err = f.svc.CorrectContact(ctx, a, c.patient, c.id, form)
		case r < 18:
			ds := f.discharges()
			if len(ds) == 0 {
				continue
			}
			d := ds[rng.IntN(len(ds))]
			if d.ExcludedReason != "" {
				continue
			}
			tr := f.transition(d.PatientID, d.ID)
			on := d.OccurredOn.AddDate(0, 0, rng.IntN(8))
			if on.After(today) {
				on = today
			}
			_, err = f.svc.ExcludeDischarge(ctx, a, d.PatientID, d.ID, contacts.ExclusionForm{Reason: pick([]string{"hospice", "died", "transferred"}),
				On: on.Format(calendar.DateLayout), Version: tr.Version})
		default: // the job comes by
			f.in(f.tenant, func(tx pgx.Tx) error {
				_, err := contacts.WorkOutFollowUps(ctx, tx, f.tenant, loc)
				return err
			})
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if i%10 == 9 {
			when := fmt.Sprint("after step ", i+1)
			f.checkKept(when, loc)
			f.checkMeasure(when, loc, periods)
		}
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		_, err := contacts.WorkOutFollowUps(ctx, tx, f.tenant, loc)
		return err
	})
	if unknown := f.checkKept("after the job", loc); unknown != 0 {
		t.Errorf("%d discharges not worked out after the job", unknown)
	}
	f.checkMeasure("after the job", loc, periods)
	// The sequence reached every kind of kept engagement.
	seen := map[string]bool{}
	for _, d := range f.discharges() {
		if d.FollowUp != nil {
			seen[*d.FollowUp] = true
		}
		if d.ExcludedReason != "" {
			seen["excluded"] = true
		}
	}
	if !seen["met"] || !seen["late"] || !seen["none"] || !seen["excluded"] {
		t.Errorf("the random sequence kept only %v", seen)
	}
}
