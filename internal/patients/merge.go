package patients

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// MergeHandles says, for every table whose rows belong to a patient (a
// foreign key to patients), what a merge does with the merged-away
// record's rows. A test reads the catalog and fails for a table missing
// here, so a new table cannot be forgotten.
var MergeHandles = map[string]string{
	"assessments":                  "moved",
	"needs":                        "moved",
	"tasks":                        "moved",
	"contacts":                     "moved; the survivor's reach is recounted from all its contacts",
	"care_transitions":             "moved; the survivor's discharges work out their kept follow-up again from all its contacts",
	"referrals":                    "moved",
	"appointments":                 "moved",
	"patient_events":               "moved: the timeline keeps every line, with one for the merge",
	"care_plans":                   "moved; of two open plans the one chosen stays open, the other is completed (or a draft cancelled) with a note",
	"coverages":                    "moved; when both have a primary coverage the survivor's stays primary",
	"consents":                     "moved; a consent the survivor has as well (kind, dates) is kept once",
	"care_team_members":            "moved; one person on both teams (kind and name) is kept once, and what named the other entry names the kept one",
	"patient_name_keys":            "deleted: the merged-away record is no longer found by search",
	"patient_duplicate_candidates": "deleted for the merged-away record; the survivor's are recomputed by trigger when its details change",
	"patient_distinct_pairs":       "re-pointed to the survivor (a decision about the pair itself is dropped)",
	"patient_merges":               "re-pointed: records merged into the merged-away one now lead to the survivor",
	"risk_proposals":               "moved; the merged-away record's open proposal is superseded, since the survivor's evidence decides now",
	"measure_spans":                "deleted for the merged-away record; the survivor's are refreshed by trigger as its rows move",
	"patient_firsts":               "deleted for the merged-away record; the survivor's are refreshed by trigger as its rows move",
	"patient_flags":                "deleted for the merged-away record; the survivor's are refreshed by trigger as its rows move",
}

// derivedTables are summaries kept by triggers (migration 00021): the
// merged-away record's rows are dropped with it.
var derivedTables = []string{"patient_name_keys", "measure_spans", "patient_firsts", "patient_flags"}

// movedTables are the tables whose rows simply change patient.
var movedTables = []string{"assessments", "needs", "tasks", "contacts", "care_transitions", "referrals",
	"appointments", "patient_events", "care_plans", "coverages", "consents", "care_team_members", "risk_proposals"}

// careTeamReferences are the columns that name a care-team member, so a
// duplicate entry dropped by a merge is replaced by the kept one there.
var careTeamReferences = [][2]string{{"interventions", "responsible_member_id"}, {"contacts", "care_team_member_id"},
	{"referrals", "care_team_member_id"}, {"appointments", "care_team_member_id"}}

// Keep choices: whose value of a differing field the survivor keeps.
const (
	KeepSurvivor = "survivor"
	KeepMerged   = "merged"
)

// MergeField is one detail of the record, side by side.
type MergeField struct {
	// Name is the DetailsForm field; the form's radio is "keep." + Name.
	Name             string
	Label            string
	Survivor, Merged string
	Differs          bool
}

// OpenPlan is a draft or active care plan of either record.
type OpenPlan struct {
	ID        string
	PatientID string
	Title     string
	Status    string
}

// Comparison is the two records side by side, for a supervisor to merge
// Merged into Survivor.
type Comparison struct {
	Survivor, Merged Patient
	Fields           []MergeField
	// Plans are both records' open care plans: when there are two, the
	// supervisor chooses which stays open.
	Plans []OpenPlan
}

// MergeForm is what the comparison posts.
type MergeForm struct {
	// The versions of both records as the comparison showed them.
	SurvivorVersion, MergedVersion int
	// Keep says, per DetailsForm field, whose value stays; a field not
	// named keeps the survivor's.
	Keep map[string]string
	// KeepPlan is the open plan that stays open when both have one.
	KeepPlan string
}

// ParseMergeForm reads the posted comparison.
func ParseMergeForm(v url.Values) MergeForm {
	f := MergeForm{Keep: map[string]string{}, KeepPlan: v.Get("keep_plan")}
	f.SurvivorVersion, _ = strconv.Atoi(v.Get("survivor_version"))
	f.MergedVersion, _ = strconv.Atoi(v.Get("merged_version"))
	for k := range v {
		if name, ok := strings.CutPrefix(k, "keep."); ok {
			f.Keep[name] = v.Get(k)
		}
	}
	return f
}

// Merged is the outcome of a merge.
type Merged struct {
	SurvivorID string
	// Taken are the labels of the fields whose merged-away value was kept.
	Taken []string
}

// Comparison reads both records for the merge page, and records the view
// of the merged-away one (the survivor's is recorded by its address).
func (s *Service) Comparison(ctx context.Context, a tenants.Actor, survivorID, mergedID string) (Comparison, error) {
	if err := mergeAllowed(a, survivorID, mergedID); err != nil {
		return Comparison{}, err
	}
	return inTenant(ctx, s, a, func(tx pgx.Tx) (Comparison, error) {
		c, err := compare(ctx, tx, a.TenantID, survivorID, mergedID)
		if err != nil {
			return Comparison{}, err
		}
		return c, a.AuditView(ctx, tx, audit.Event{Action: "patient.viewed", EntityType: "patient", EntityID: mergedID,
			PatientID: mergedID, Detail: map[string]any{"page": "merge comparison with " + survivorID}})
	})
}

// mergeAllowed refuses a merge, or its comparison, that cannot be.
func mergeAllowed(a tenants.Actor, survivorID, mergedID string) error {
	if !a.Can(auth.Role.ReviewsCaseloads) {
		return errNotSupervisor
	}
	if survivorID == mergedID {
		return fail.Precondition("A record cannot be merged into itself: choose two different records.")
	}
	return nil
}

// compare reads both records side by side. A record merged away already
// is said plainly rather than as missing.
func compare(ctx context.Context, q db.DBTX, tenantID, survivorID, mergedID string) (Comparison, error) {
	var c Comparison
	var err error
	for _, p := range []struct {
		id  string
		out *Patient
	}{{survivorID, &c.Survivor}, {mergedID, &c.Merged}} {
		*p.out, err = Get(ctx, q, tenantID, p.id)
		if errors.Is(err, db.ErrNotFound) {
			err = mergedAlready(ctx, q, tenantID, p.id)
		}
		if err != nil {
			return Comparison{}, err
		}
	}
	c.Fields = compareFields(DetailsFormOf(c.Survivor), DetailsFormOf(c.Merged))
	for i, f := range c.Fields {
		if show, ok := shownAs[f.Name]; ok {
			c.Fields[i].Survivor, c.Fields[i].Merged = show(c.Survivor, f.Survivor), show(c.Merged, f.Merged)
		}
	}
	c.Plans, err = openPlans(ctx, q, tenantID, survivorID, mergedID)
	return c, err
}

// mergedAlready is a precondition failure when id was merged into another
// record, and db.ErrNotFound when the tenant never had it.
func mergedAlready(ctx context.Context, q db.DBTX, tenantID, id string) error {
	into, err := survivorOf(ctx, q, tenantID, id)
	if err != nil {
		return err
	}
	p, err := Get(ctx, q, tenantID, into)
	if err != nil {
		return err
	}
	return fail.Precondition("That record was already merged into " + p.DisplayName() + "'s record: open that record instead.")
}

// survivorOf is the record id was merged into, or db.ErrNotFound.
func survivorOf(ctx context.Context, q db.DBTX, tenantID, id string) (string, error) {
	var into string
	err := q.QueryRow(ctx, `select survivor_id from patient_merges where tenant_id = $1 and merged_id = $2`, tenantID, id).Scan(&into)
	return into, db.NotFound(err)
}

// compareFields lists every detail in form order with both values.
func compareFields(survivor, merged DetailsForm) []MergeField {
	s, m := reflect.ValueOf(survivor), reflect.ValueOf(merged)
	out := make([]MergeField, 0, s.NumField())
	for i := range s.NumField() {
		name := s.Type().Field(i).Name
		out = append(out, MergeField{Name: name, Label: detailLabels[name],
			Survivor: shown(s.Field(i)), Merged: shown(m.Field(i)), Differs: !s.Field(i).Equal(m.Field(i))})
	}
	return out
}

// shownAs turns the details stored as codes into what people read: the
// coordinator's name, the label of a choice.
var shownAs = map[string]func(p Patient, v string) string{
	"CoordinatorID":          func(p Patient, _ string) string { return p.CoordinatorName },
	"Sex":                    func(_ Patient, v string) string { return labelOr(Sexes.Label(v), v) },
	"RiskTier":               func(p Patient, _ string) string { return p.RiskTier.Label() },
	"PreferredContactMethod": func(_ Patient, v string) string { return labelOr(ContactMethods.Label(v), v) },
}

// labelOr is a choice's label, or the value itself when it has none.
func labelOr(label, v string) string {
	if label == "" {
		return v
	}
	return label
}

// shown is a detail's value as the comparison prints it.
func shown(v reflect.Value) string {
	if v.Kind() == reflect.Bool {
		if v.Bool() {
			return "yes"
		}
		return "no"
	}
	return v.String()
}

// openPlans are the draft and active care plans of both records.
func openPlans(ctx context.Context, q db.DBTX, tenantID, survivorID, mergedID string) ([]OpenPlan, error) {
	rows, _ := q.Query(ctx, `
		select id, patient_id, title, status from care_plans
		 where tenant_id = $1 and patient_id in ($2, $3) and status in ('draft', 'active')
		 order by patient_id = $2 desc`, tenantID, survivorID, mergedID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[OpenPlan])
}

// Merge merges the record mergedID into survivorID, in one transaction:
// both rows are locked and must still be at the versions the comparison
// showed (else a conflict, and nothing changes); the survivor takes the
// chosen values; everything of the merged-away record moves to it, with
// the conflicts settled (MergeHandles); the merged-away row is deleted and
// patient_merges keeps its address and every value it held. Both timelines
// (now one) and the audit log record who, when and which fields.
func (s *Service) Merge(ctx context.Context, a tenants.Actor, survivorID, mergedID string, f MergeForm) (Merged, error) {
	if err := mergeAllowed(a, survivorID, mergedID); err != nil {
		return Merged{}, err
	}
	return inTenant(ctx, s, a, func(tx pgx.Tx) (Merged, error) {
		if err := lockPair(ctx, tx, a.TenantID, survivorID, mergedID); err != nil {
			return Merged{}, err
		}
		c, err := compare(ctx, tx, a.TenantID, survivorID, mergedID)
		if err != nil {
			return Merged{}, err
		}
		if c.Survivor.Version != f.SurvivorVersion || c.Merged.Version != f.MergedVersion {
			return Merged{}, db.ErrConflict.Because("One of the two records was changed after this comparison was opened, so nothing was merged. Here they are as saved now: check your choices and merge again.")
		}
		d, taken, err := chosenDetails(ctx, tx, a, c, f)
		if err != nil {
			return Merged{}, err
		}
		if err := s.absorb(ctx, tx, a, c, f, taken); err != nil {
			return Merged{}, err
		}
		if err := update(ctx, tx, a, survivorID, c.Survivor.Version, d); err != nil {
			return Merged{}, err
		}
		return Merged{SurvivorID: survivorID, Taken: taken}, s.afterMerge(ctx, tx, a, c, taken)
	})
}

// lockPair locks both rows for update, in id order so that two merges of
// the same pair wait for each other rather than deadlock.
func lockPair(ctx context.Context, q db.DBTX, tenantID, one, other string) error {
	_, err := q.Exec(ctx, `select from patients where tenant_id = $1 and id in ($2, $3) order by id for update`, tenantID, one, other)
	return err
}

// chosenDetails are the survivor's details with the chosen values of the
// merged-away record, checked as an edit would be, and the labels of the
// fields taken from it.
func chosenDetails(ctx context.Context, q db.DBTX, a tenants.Actor, c Comparison, f MergeForm) (Details, []string, error) {
	out := DetailsFormOf(c.Survivor)
	merged := reflect.ValueOf(DetailsFormOf(c.Merged))
	target := reflect.ValueOf(&out).Elem()
	taken := []string{}
	errs := Errors{}
	for _, fld := range c.Fields {
		switch choice := f.Keep[fld.Name]; {
		case !fld.Differs || choice == "" || choice == KeepSurvivor:
		case choice == KeepMerged:
			target.FieldByName(fld.Name).Set(merged.FieldByName(fld.Name))
			taken = append(taken, fld.Label)
		default:
			errs["keep."+fld.Name] = "Choose which record's value to keep."
		}
	}
	checkKeptPlan(c, f.KeepPlan, errs)
	if len(errs) > 0 {
		return Details{}, nil, fail.Invalid(errs, "")
	}
	people, err := tenants.Coordinators(ctx, q, a.TenantID)
	if err != nil {
		return Details{}, nil, err
	}
	allowed := idsOf(people)
	for _, p := range []Patient{c.Survivor, c.Merged} {
		if p.CoordinatorID != nil {
			allowed[*p.CoordinatorID] = true
		}
	}
	d := out.Validate(a.Today(), allowed, errs)
	if len(errs) > 0 {
		return Details{}, nil, fail.Invalid(errs, "The values chosen do not make a valid record: "+strings.Join(mapsValues(errs), " "))
	}
	return d, taken, nil
}

// checkKeptPlan fills errs when both records have an open plan and the
// choice of which stays open is missing or names neither.
func checkKeptPlan(c Comparison, keep string, errs Errors) {
	if len(c.Plans) < 2 {
		return
	}
	for _, p := range c.Plans {
		if p.ID == keep {
			return
		}
	}
	errs["keep_plan"] = "Both records have an open care plan: choose the one that stays open."
}

// mapsValues are the messages of errs, for a summary.
func mapsValues(errs Errors) []string {
	out := make([]string, 0, len(errs))
	for _, m := range errs {
		out = append(out, m)
	}
	return out
}

// absorb moves everything of the merged-away record to the survivor,
// settles the conflicts, keeps its address and values in patient_merges
// and deletes its row.
func (s *Service) absorb(ctx context.Context, tx pgx.Tx, a tenants.Actor, c Comparison, f MergeForm, taken []string) error {
	t, sv, mg := a.TenantID, c.Survivor.ID, c.Merged.ID
	if err := record(ctx, tx, a, mg, "merged", "Merged into the record of "+c.Survivor.DisplayName(),
		audit.Event{Action: "patient.merged_away", EntityType: "patient", EntityID: mg,
			Detail: map[string]any{"survivor": sv, "fields_taken": taken}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		insert into patient_merges (tenant_id, merged_id, survivor_id, merged_by, merged_at, merged_record, chosen)
		select $1, $2, $3, nullif($4, '')::uuid, $5, to_jsonb(p) - 'search_name', $6
		  from patients p where p.tenant_id = $1 and p.id = $2`, t, mg, sv, a.UserID, a.At, taken); err != nil {
		return err
	}
	steps := []func(context.Context, pgx.Tx, string, string, string, MergeForm) error{
		closeOtherPlan, settleCoverages, dropSameConsents, joinCareTeams, supersedeProposal, moveRows, repointPairs}
	for _, step := range steps {
		if err := step(ctx, tx, t, sv, mg, f); err != nil {
			return err
		}
	}
	for _, table := range derivedTables {
		if _, err := tx.Exec(ctx, `delete from `+table+` where tenant_id = $1 and patient_id = $2`, t, mg); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `delete from patient_duplicate_candidates where tenant_id = $1 and $2 in (patient_a, patient_b)`, t, mg); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `delete from patients where tenant_id = $1 and id = $2`, t, mg)
	return err
}

// supersedeProposal retires the merged-away record's open risk proposal:
// a patient has at most one open, and the survivor's evidence proposes
// from now on.
func supersedeProposal(ctx context.Context, tx pgx.Tx, t, _, mg string, _ MergeForm) error {
	_, err := tx.Exec(ctx, `update risk_proposals set status = 'superseded', version = version + 1
		 where tenant_id = $1 and patient_id = $2 and status = 'open'`, t, mg)
	return err
}

// closeOtherPlan closes the open plan not chosen when both records have
// one (only one may be open): a draft is cancelled, an active plan
// completed, with a note saying why.
func closeOtherPlan(ctx context.Context, tx pgx.Tx, t, sv, mg string, f MergeForm) error {
	_, err := tx.Exec(ctx, `
		update care_plans set status = case status when 'draft' then 'cancelled' else 'completed' end,
		       closed_reason = 'Closed when two records of this patient were merged: the other open plan was kept.',
		       version = version + 1, updated_at = now()
		 where tenant_id = $1 and patient_id in ($2, $3) and status in ('draft', 'active') and id <> $4::uuid
		   and (select count(*) from care_plans where tenant_id = $1 and patient_id in ($2, $3) and status in ('draft', 'active')) > 1`,
		t, sv, mg, orNone(f.KeepPlan))
	return err
}

// orNone is id, or an id no row has, for a choice that was not needed.
func orNone(id string) string {
	if db.ValidUUID(id) {
		return id
	}
	return firstPair
}

// settleCoverages leaves one primary coverage: the survivor's, when both
// records have one.
func settleCoverages(ctx context.Context, tx pgx.Tx, t, sv, mg string, _ MergeForm) error {
	_, err := tx.Exec(ctx, `
		update coverages set is_primary = false
		 where tenant_id = $1 and patient_id = $3 and is_primary
		   and exists (select from coverages where tenant_id = $1 and patient_id = $2 and is_primary)`, t, sv, mg)
	return err
}

// dropSameConsents deletes the merged-away record's consents that the
// survivor holds too: the same kind, given, expiring and revoked on the
// same days.
func dropSameConsents(ctx context.Context, tx pgx.Tx, t, sv, mg string, _ MergeForm) error {
	_, err := tx.Exec(ctx, `
		delete from consents m using consents s
		 where m.tenant_id = $1 and m.patient_id = $3 and s.tenant_id = $1 and s.patient_id = $2
		   and s.kind = m.kind and s.given_on is not distinct from m.given_on
		   and s.expires_on is not distinct from m.expires_on and s.revoked_on is not distinct from m.revoked_on`, t, sv, mg)
	return err
}

// joinCareTeams keeps once a person on both care teams (same kind and
// name): the survivor's entry takes what only the other knew (a phone,
// an email, consent to share, emergency contact), whatever named the other
// entry names it, and the other entry is deleted.
func joinCareTeams(ctx context.Context, tx pgx.Tx, t, sv, mg string, _ MergeForm) error {
	const pairs = `select s.id as kept, m.id as dropped from care_team_members s join care_team_members m
		 on m.tenant_id = s.tenant_id and m.patient_id = $3 and m.kind = s.kind and lower(btrim(m.name)) = lower(btrim(s.name))
		 where s.tenant_id = $1 and s.patient_id = $2`
	if _, err := tx.Exec(ctx, `
		update care_team_members s set phone = coalesce(nullif(s.phone, ''), m.phone), email = coalesce(nullif(s.email, ''), m.email),
		       consent_to_share = s.consent_to_share or m.consent_to_share, emergency_contact = s.emergency_contact or m.emergency_contact
		  from (`+pairs+`) d join care_team_members m on m.tenant_id = $1 and m.id = d.dropped
		 where s.tenant_id = $1 and s.id = d.kept`, t, sv, mg); err != nil {
		return err
	}
	for _, ref := range careTeamReferences {
		if _, err := tx.Exec(ctx, `update `+ref[0]+` x set `+ref[1]+` = d.kept from (`+pairs+`) d
			 where x.tenant_id = $1 and x.`+ref[1]+` = d.dropped`, t, sv, mg); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `delete from care_team_members where tenant_id = $1 and id in (select dropped from (`+pairs+`) d)`, t, sv, mg)
	return err
}

// moveRows gives every remaining row of the merged-away record to the
// survivor.
func moveRows(ctx context.Context, tx pgx.Tx, t, sv, mg string, _ MergeForm) error {
	for _, table := range movedTables {
		if _, err := tx.Exec(ctx, `update `+table+` set patient_id = $2 where tenant_id = $1 and patient_id = $3`, t, sv, mg); err != nil {
			return err
		}
	}
	return nil
}

// repointPairs carries "not the same person" decisions over to the
// survivor (the decision between the two records themselves is moot), and
// makes records merged earlier into the merged-away one lead to the
// survivor, so an old address resolves in one step.
func repointPairs(ctx context.Context, tx pgx.Tx, t, sv, mg string, _ MergeForm) error {
	if _, err := tx.Exec(ctx, `
		insert into patient_distinct_pairs (tenant_id, patient_a, patient_b, decided_by, decided_at)
		select $1, least(o, $2), greatest(o, $2), decided_by, decided_at
		  from (select case when patient_a = $3 then patient_b else patient_a end as o, decided_by, decided_at
		          from patient_distinct_pairs where tenant_id = $1 and $3 in (patient_a, patient_b)) d
		 where o <> $2
		on conflict do nothing`, t, sv, mg); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `delete from patient_distinct_pairs where tenant_id = $1 and $2 in (patient_a, patient_b)`, t, mg); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `update patient_merges set survivor_id = $2 where tenant_id = $1 and survivor_id = $3`, t, sv, mg)
	return err
}

// afterMerge writes the survivor's timeline line and audit event, lets the
// higher packages recount what they keep per patient (reach), and marks
// the supervisor's stored dashboard stale (its counts moved).
func (s *Service) afterMerge(ctx context.Context, tx pgx.Tx, a tenants.Actor, c Comparison, taken []string) error {
	summary := "Merged with the record of " + c.Merged.DisplayName() + " (born " + c.Merged.DateOfBirth.Format(calendar.Day) + ")"
	if len(taken) > 0 {
		summary += "; kept from it: " + strings.Join(taken, ", ")
	}
	if err := record(ctx, tx, a, c.Survivor.ID, "merged", summary, audit.Event{Action: "patient.merged", EntityType: "patient",
		EntityID: c.Survivor.ID, Detail: map[string]any{"merged": c.Merged.ID, "fields_taken": taken}}); err != nil {
		return err
	}
	for _, fn := range s.onMerge {
		if err := fn(ctx, tx, a.TenantID, c.Survivor.ID); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `select caseload_changed($1)`, a.TenantID)
	return err
}

// OnMerge adds fn to what a merge runs, in its transaction, for the
// survivor after everything moved: packages above patients recount what
// they keep on the record (contacts: the reach state).
func (s *Service) OnMerge(fn func(ctx context.Context, q db.DBTX, tenantID, patientID string) error) {
	s.onMerge = append(s.onMerge, fn)
}
