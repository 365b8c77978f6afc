package referrals

import (
	"context"
	"errors"
	"net/url"
	"slices"

	"carecoord/internal/audit"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// DraftForm is a new referral as typed.
type DraftForm struct {
	NeedID     string
	GoalID     string
	ResourceID string
	MemberID   string
	Reason     string
	CoverageID string
	PriorAuth  bool
}

// ParseDraft reads the new referral form.
func ParseDraft(v url.Values) DraftForm {
	g := func(k string) string { return trimmed(v.Get, k) }
	return DraftForm{
		NeedID: g("need_id"), GoalID: g("goal_id"), ResourceID: g("resource_id"), MemberID: g("member_id"),
		Reason: g("reason"), CoverageID: g("coverage_id"), PriorAuth: v.Get("prior_auth") == "yes",
	}
}

// Party is who a referral goes to: a resource of the directory or a
// clinical provider of the patient's care team.
type Party struct {
	// Name is how the referral names them.
	Name     string
	Resource *Resource
	Member   *patients.Member
}

// DraftOptions are what a new referral of one patient may name.
type DraftOptions struct {
	PatientName string
	// Needs are the patient's open needs; Goals the open goals of their
	// open plan.
	Needs     []careplans.Need
	Goals     []careplans.GoalChoice
	Team      []patients.Member
	Coverages []patients.Coverage
	// To is the party the form names, when the patient may be referred
	// there (an active resource, a clinical provider of the care team).
	To *Party
}

func (o DraftOptions) hasNeed(id string) bool {
	return slices.ContainsFunc(o.Needs, func(n careplans.Need) bool { return n.ID == id })
}

func (o DraftOptions) hasGoal(id string) bool {
	return slices.ContainsFunc(o.Goals, func(g careplans.GoalChoice) bool { return g.ID == id })
}

func (o DraftOptions) coverage(id string) (patients.Coverage, bool) {
	i := slices.IndexFunc(o.Coverages, func(c patients.Coverage) bool { return c.ID == id })
	if i < 0 {
		return patients.Coverage{}, false
	}
	return o.Coverages[i], true
}

func (o DraftOptions) member(id string) (patients.Member, bool) {
	i := slices.IndexFunc(o.Team, func(m patients.Member) bool { return m.ID == id })
	if i < 0 {
		return patients.Member{}, false
	}
	return o.Team[i], true
}

// Validate checks the form against what the patient's referral may name.
func (f DraftForm) Validate(o DraftOptions, errs Errors) {
	// A clinical referral may serve no social need; a resource always does.
	if f.NeedID != "" && !o.hasNeed(f.NeedID) || f.NeedID == "" && f.MemberID == "" {
		errs.Add("need_id", "Choose the need this referral is for.")
	}
	if f.GoalID != "" && !o.hasGoal(f.GoalID) {
		errs.Add("goal_id", "Choose one of the plan's open goals, or none.")
	}
	switch {
	case f.ResourceID == "" && f.MemberID == "":
		errs.Add("to", "Choose a resource from the directory or a provider from the care team.")
	case f.MemberID != "":
		m, ok := o.member(f.MemberID)
		if !ok || !slices.Contains(ClinicalKinds, m.Kind) {
			errs.Add("member_id", "Choose a clinical provider of the patient's care team.")
		}
		if _, ok := o.coverage(f.CoverageID); f.CoverageID != "" && !ok {
			errs.Add("coverage_id", "Choose one of the patient's coverages, or none.")
		}
		if f.PriorAuth && f.CoverageID == "" {
			errs.Add("coverage_id", "Choose the coverage whose payer must authorise this referral.")
		}
	}
	errs.Required("reason", f.Reason, "Say what you are asking them to do for the patient.")
	errs.MaxLen("reason", f.Reason, 2000)
	if o.To == nil {
		errs.Add("to", "Choose a resource from the directory or a provider from the care team.")
	}
}

// draftOptions reads what a referral of the patient may name, and the
// party f names.
func draftOptions(ctx context.Context, q db.DBTX, tenantID, patientID string, f DraftForm) (DraftOptions, error) {
	var o DraftOptions
	p, err := patients.Get(ctx, q, tenantID, patientID)
	if err != nil {
		return o, err
	}
	o.PatientName = p.DisplayName()
	needs, err := careplans.ListForPatient(ctx, q, tenantID, patientID)
	if err != nil {
		return o, err
	}
	for _, n := range needs {
		if n.Status.Open() {
			o.Needs = append(o.Needs, n)
		}
	}
	if o.Goals, err = careplans.OpenGoals(ctx, q, tenantID, patientID); err != nil {
		return o, err
	}
	if o.Team, err = patients.CareTeam(ctx, q, tenantID, patientID); err != nil {
		return o, err
	}
	if o.Coverages, err = patients.Coverages(ctx, q, tenantID, patientID); err != nil {
		return o, err
	}
	o.To, err = partyOf(ctx, q, tenantID, f, o)
	return o, err
}

// partyOf is the party the form names, or nil when the patient may not be
// referred there: a resource of another tenant or archived, a member who
// is not a clinical provider of the care team.
func partyOf(ctx context.Context, q db.DBTX, tenantID string, f DraftForm, o DraftOptions) (*Party, error) {
	if f.ResourceID != "" {
		if !db.ValidUUID(f.ResourceID) {
			return nil, nil
		}
		res, err := GetResource(ctx, q, tenantID, f.ResourceID)
		if errors.Is(err, db.ErrNotFound) || err == nil && !res.Active {
			return nil, nil
		}
		return &Party{Name: res.Name, Resource: &res}, err
	}
	if m, ok := o.member(f.MemberID); ok && slices.Contains(ClinicalKinds, m.Kind) {
		return &Party{Name: ProviderName(m), Member: &m}, nil
	}
	return nil, nil
}

// NewDraft reads the referral form for a party chosen on the page before
// (f names the resource or the provider): the need defaults to the one the
// chosen goal serves. Naming nobody the patient may be referred to is
// db.ErrNotFound.
func (s *Service) NewDraft(ctx context.Context, a tenants.Actor, patientID string, f DraftForm) (DraftOptions, DraftForm, error) {
	var o DraftOptions
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if f.NeedID, err = needFor(ctx, tx, a.TenantID, patientID, f.NeedID, f.GoalID); err != nil {
			return err
		}
		if o, err = draftOptions(ctx, tx, a.TenantID, patientID, f); err == nil && o.To == nil {
			return db.ErrNotFound
		}
		return err
	})
	return o, f, err
}

// DraftOptions reads what a referral of the patient may name, to show
// the form again as it was posted.
func (s *Service) DraftOptions(ctx context.Context, a tenants.Actor, patientID string, f DraftForm) (DraftOptions, error) {
	var o DraftOptions
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		o, err = draftOptions(ctx, tx, a.TenantID, patientID, f)
		return err
	})
	return o, err
}

// needFor is the need a referral is for: needID when chosen, else the one
// the goal serves, else none.
func needFor(ctx context.Context, q db.DBTX, tenantID, patientID, needID, goalID string) (string, error) {
	if needID != "" || goalID == "" {
		return needID, nil
	}
	id, err := NeedOfGoal(ctx, q, tenantID, patientID, goalID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	return id, err
}

// CreateDraft writes a referral as a draft, with its timeline line and
// audit event, and returns its id.
func (s *Service) CreateDraft(ctx context.Context, a tenants.Actor, patientID string, f DraftForm) (string, error) {
	var id string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		r, err := WriteDraft(ctx, tx, a, patientID, f)
		if err != nil {
			return err
		}
		id = r.ID
		if err := patients.AddEvent(ctx, tx, a.TenantID, patientID, a.UserID, "referral", "Referral to "+r.ToName+" written (draft)"); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "referral.created", EntityType: "referral", EntityID: id, PatientID: patientID})
	})
	return id, err
}

// WriteDraft checks f against what the patient's referral may name and
// writes the draft with its first step, at a.At. A referral to a resource
// carries no coverage: only a clinical provider's needs the payer.
func WriteDraft(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, f DraftForm) (Referral, error) {
	o, err := draftOptions(ctx, q, a.TenantID, patientID, f)
	if err != nil {
		return Referral{}, err
	}
	errs := Errors{}
	f.Validate(o, errs)
	if err := invalid(errs, ""); err != nil {
		return Referral{}, err
	}
	payer := ""
	if f.ResourceID != "" {
		f.MemberID, f.CoverageID, f.PriorAuth = "", "", false
	} else if c, ok := o.coverage(f.CoverageID); ok {
		payer = c.Payer
	}
	r := Referral{PatientID: patientID, NeedID: f.NeedID, GoalID: f.GoalID, ResourceID: f.ResourceID, MemberID: f.MemberID,
		ToName: o.To.Name, Reason: f.Reason, Status: Draft, CoverageID: f.CoverageID, Payer: payer, PriorAuth: f.PriorAuth,
		CreatedBy: a.UserID, CreatedAt: a.At, UpdatedAt: a.At, Version: 1}
	err = q.QueryRow(ctx, `
		insert into referrals (tenant_id, patient_id, need_id, goal_id, resource_id, care_team_member_id, to_name, reason,
			coverage_id, payer, prior_auth_required, created_by, created_at, updated_at)
		values ($1, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, nullif($5, '')::uuid, nullif($6, '')::uuid, $7, $8,
			nullif($9, '')::uuid, $10, $11, nullif($12, '')::uuid, $13, $13)
		returning id`,
		a.TenantID, patientID, r.NeedID, r.GoalID, r.ResourceID, r.MemberID, r.ToName, r.Reason,
		r.CoverageID, r.Payer, r.PriorAuth, a.UserID, a.At).Scan(&r.ID)
	if err != nil {
		return Referral{}, err
	}
	return r, addEvent(ctx, q, a, r.ID, Draft, "")
}
