package referrals

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"carecoord/internal/assessments"
	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// ParseFilter reads a search of the directory from a URL. Values that are
// not offered (an unknown domain) are ignored: a search never fails.
func ParseFilter(v url.Values) Filter {
	var f Filter
	if text := strings.TrimSpace(v.Get("q")); text != "" {
		if r := []rune(text); len(r) > 200 {
			text = string(r[:200])
		}
		f.Text = &text
	}
	if d := assessments.Need(v.Get("domain")); slices.Contains(careplans.Domains, d) {
		f.Domain = &d
	}
	if l := strings.TrimSpace(v.Get("language")); l != "" {
		f.Language = &l
	}
	f.Archived = v.Get("archived") == "yes"
	return f
}

// Given reports whether the search asks for anything: text, a filter, or
// the archive.
func (f Filter) Given() bool {
	return f.Text != nil || f.Domain != nil || f.Language != nil || f.Archived
}

// Directory is a search of the directory and what it found.
type Directory struct {
	// Filter is the search as run.
	Filter Filter
	// Languages are the languages the directory's resources speak.
	Languages []string
	Found     []Found
	// More says the search found more than it lists.
	More bool
	// CanSeeArchived: the person maintains the directory, and is not
	// choosing where to refer a patient.
	CanSeeArchived bool
	// Records: the person works with patients, so how referrals to each
	// resource went is read.
	Records bool
}

// Found is a resource a search found, with how referrals to it went
// (when read) and the patient's earlier referrals to it (when choosing
// for a patient).
type Found struct {
	Resource
	Record  Record
	Earlier []Referral
}

// directory runs the search f for a; patientID, when set, is the patient
// being referred, whose earlier referrals to each resource are read.
// Referral records are patient work: never read for an administrator.
func directory(ctx context.Context, q db.DBTX, a tenants.Actor, f Filter, patientID string) (Directory, error) {
	d := Directory{CanSeeArchived: a.Can(auth.Role.MaintainsDirectory) && patientID == "", Records: a.Can(auth.Role.WorksWithPatients)}
	f.Archived = f.Archived && d.CanSeeArchived
	d.Filter = f
	var err error
	if d.Languages, err = Languages(ctx, q, a.TenantID); err != nil {
		return d, err
	}
	found, more, err := Search(ctx, q, a.TenantID, f)
	if err != nil {
		return d, err
	}
	d.More = more
	records, earlier := map[string]Record{}, map[string][]Referral{}
	if d.Records {
		ids := make([]string, len(found))
		for i, r := range found {
			ids[i] = r.ID
		}
		if records, err = Records(ctx, q, a.TenantID, ids); err != nil {
			return d, err
		}
		if patientID != "" {
			if earlier, err = PatientHistory(ctx, q, a.TenantID, patientID); err != nil {
				return d, err
			}
		}
	}
	for _, r := range found {
		d.Found = append(d.Found, Found{Resource: r, Record: records[r.ID], Earlier: earlier[r.ID]})
	}
	return d, nil
}

// Directory searches the tenant's directory.
func (s *Service) Directory(ctx context.Context, a tenants.Actor, f Filter) (Directory, error) {
	var d Directory
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		d, err = directory(ctx, tx, a, f, "")
		return err
	})
	return d, err
}

// ResourcePage is one resource with how referrals to it went and the
// person's own patients referred there, for people who work with
// patients.
type ResourcePage struct {
	Resource Resource
	// Records: Record and Mine were read (the person works with patients).
	Records bool
	Record  Record
	Mine    []OpenReferral
}

// ResourcePage reads a resource of the directory, archived or not.
func (s *Service) ResourcePage(ctx context.Context, a tenants.Actor, id string) (ResourcePage, error) {
	p := ResourcePage{Records: a.Can(auth.Role.WorksWithPatients)}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p.Resource, err = GetResource(ctx, tx, a.TenantID, id); err != nil || !p.Records {
			return err
		}
		records, err := Records(ctx, tx, a.TenantID, []string{id})
		if err != nil {
			return err
		}
		p.Record = records[id]
		if p.Mine, err = ToResourceForCoordinator(ctx, tx, a.TenantID, id, a.UserID); err != nil {
			return err
		}
		return auditReferralsListed(ctx, tx, a, "resource", p.Mine)
	})
	return p, err
}

// Resource reads a resource of the directory, to edit it.
func (s *Service) Resource(ctx context.Context, a tenants.Actor, id string) (Resource, error) {
	var r Resource
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		r, err = GetResource(ctx, tx, a.TenantID, id)
		return err
	})
	return r, err
}

// TargetQuery is what the page choosing where to refer a patient asks.
type TargetQuery struct {
	// NeedID and GoalID are what the referral will be for.
	NeedID, GoalID string
	Filter         Filter
	// Fresh is a first look, before any search of the person's own (see
	// StartingFilter).
	Fresh bool
}

// Targets are where a patient may be referred: the directory, searched,
// and the clinical providers of the care team.
type Targets struct {
	PatientName string
	// NeedID is the need referred (the goal's, when only a goal was
	// chosen), and Need that need when the patient has it.
	NeedID, GoalID string
	Need           *careplans.Need
	Directory      Directory
	Providers      []patients.Member
}

// ReferralTargets reads where the patient may be referred for q.
func (s *Service) ReferralTargets(ctx context.Context, a tenants.Actor, patientID string, q TargetQuery) (Targets, error) {
	t := Targets{GoalID: q.GoalID}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		t.PatientName = p.DisplayName()
		if t.NeedID, err = needFor(ctx, tx, a.TenantID, patientID, q.NeedID, q.GoalID); err != nil {
			return err
		}
		needs, err := careplans.ListForPatient(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(needs, func(n careplans.Need) bool { return n.ID == t.NeedID }); i >= 0 {
			t.Need = &needs[i]
		}
		f := q.Filter
		if q.Fresh {
			spoken, err := Languages(ctx, tx, a.TenantID)
			if err != nil {
				return err
			}
			f = StartingFilter(f, t.Need, p.PreferredLanguage, spoken)
		}
		if t.Directory, err = directory(ctx, tx, a, f, patientID); err != nil {
			return err
		}
		team, err := patients.CareTeam(ctx, tx, a.TenantID, patientID)
		for _, m := range team {
			if slices.Contains(ClinicalKinds, m.Kind) {
				t.Providers = append(t.Providers, m)
			}
		}
		return err
	})
	return t, err
}

// StartingFilter is the first search when choosing where to refer for
// need: the need's domain, and the patient's own language when a resource
// of the directory speaks it (spoken lists those languages). English is
// not a filter: every resource is assumed to speak it.
func StartingFilter(f Filter, need *careplans.Need, language string, spoken []string) Filter {
	if need != nil {
		d := need.Domain
		f.Domain = &d
	}
	if language == "" || strings.EqualFold(language, "English") {
		return f
	}
	for _, l := range spoken {
		if strings.EqualFold(l, language) {
			f.Language = &l
		}
	}
	return f
}

// OpenList is the open referrals a person follows.
type OpenList struct {
	// Team is set for a supervisor, who follows every coordinator's
	// patients.
	Team      bool
	Referrals []OpenReferral
	// Next is the cursor of the next page, "" on the last.
	Next string
}

// OpenShown is how many open referrals a page lists.
const OpenShown = 50

// OpenReferrals lists one page of the open referrals of the person's
// patients, oldest first, or of the whole team for a supervisor, from the
// one after the referral with id after ("" or not an id: the first page).
func (s *Service) OpenReferrals(ctx context.Context, a tenants.Actor, after string) (OpenList, error) {
	l := OpenList{Team: a.Can(auth.Role.ReviewsCaseloads)}
	coordinator := a.UserID
	if l.Team {
		coordinator = ""
	}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if !db.ValidUUID(after) {
			after = ""
		}
		// One more tells whether a next page exists.
		if l.Referrals, err = Open(ctx, tx, a.TenantID, coordinator, after, OpenShown+1); err != nil {
			return err
		}
		if len(l.Referrals) > OpenShown {
			l.Referrals = l.Referrals[:OpenShown]
			l.Next = l.Referrals[OpenShown-1].ID
		}
		return auditReferralsListed(ctx, tx, a, "referrals", l.Referrals)
	})
	return l, err
}

// auditReferralsListed records the patients a list of referrals named.
func auditReferralsListed(ctx context.Context, q db.DBTX, a tenants.Actor, list string, rs []OpenReferral) error {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.PatientID
	}
	return a.AuditListed(ctx, q, audit.Event{Action: "patient.listed", Detail: map[string]any{"list": list}}, ids)
}
