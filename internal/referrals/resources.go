// Package referrals connects a patient's needs to help and follows the
// connection until it is made: the tenant's directory of community
// resources, referrals with their status history and outcome, the payer's
// authorisations of clinical referrals, and the patient's appointments.
package referrals

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"carecoord/internal/assessments"
	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Costs say what a resource charges.
var Costs = forms.Choices[string]{
	{Value: "free", Label: "Free"}, {Value: "sliding_scale", Label: "Sliding scale"}, {Value: "low_cost", Label: "Low cost"},
	{Value: "insurance", Label: "Insurance accepted"}, {Value: "fee", Label: "Fee"},
}

// ReferMethods are the ways a referral reaches a resource.
var ReferMethods = forms.Choices[string]{
	{Value: "phone", Label: "Phone"}, {Value: "email", Label: "Email"}, {Value: "fax", Label: "Fax"}, {Value: "walk_in", Label: "Walk-in"}, {Value: "online", Label: "Online form"},
}

// Resource is one organisation or service of the directory.
type Resource struct {
	ID          string
	Name        string
	Services    string
	Domains     []assessments.Need
	AddressLine string
	City        string
	Region      string
	PostalCode  string
	Phone       string
	Fax         string
	Email       string
	Website     string
	Hours       string
	Eligibility string
	Languages   []string
	Cost        string
	ReferBy     []string
	HowToRefer  string
	Active      bool
	UpdatedAt   time.Time
	Version     int
}

// Address is the resource's address on one line.
func (r Resource) Address() string {
	var parts []string
	for _, p := range []string{r.AddressLine, r.City, strings.TrimSpace(r.Region + " " + r.PostalCode)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Speaks reports whether the resource lists the language, in any case.
func (r Resource) Speaks(language string) bool {
	return slices.ContainsFunc(r.Languages, func(l string) bool { return strings.EqualFold(l, language) })
}

// ResourceForm is a directory entry as typed.
type ResourceForm struct {
	Name, Services                        string
	Domains                               []string
	AddressLine, City, Region, PostalCode string
	Phone, Fax, Email, Website            string
	Hours, Eligibility, Languages, Cost   string
	ReferBy                               []string
	HowToRefer                            string
	// Version is the resource's version as the editor read it.
	Version int
}

// ParseResourceForm reads the directory entry form.
func ParseResourceForm(v url.Values) ResourceForm {
	g := func(k string) string { return trimmed(v.Get, k) }
	return ResourceForm{
		Name: g("name"), Services: g("services"), Domains: v["domains"],
		AddressLine: g("address_line"), City: g("city"), Region: g("region"), PostalCode: g("postal_code"),
		Phone: g("phone"), Fax: g("fax"), Email: g("email"), Website: g("website"),
		Hours: g("hours"), Eligibility: g("eligibility"), Languages: g("languages"), Cost: g("cost"),
		ReferBy: v["refer_by"], HowToRefer: g("how_to_refer"), Version: forms.Version(v.Get("version")),
	}
}

// FormOf fills the form from a stored resource, for editing.
func FormOf(r Resource) ResourceForm {
	domains := make([]string, len(r.Domains))
	for i, d := range r.Domains {
		domains[i] = string(d)
	}
	return ResourceForm{
		Name: r.Name, Services: r.Services, Domains: domains,
		AddressLine: r.AddressLine, City: r.City, Region: r.Region, PostalCode: r.PostalCode,
		Phone: r.Phone, Fax: r.Fax, Email: r.Email, Website: r.Website,
		Hours: r.Hours, Eligibility: r.Eligibility, Languages: strings.Join(r.Languages, ", "), Cost: r.Cost,
		ReferBy: r.ReferBy, HowToRefer: r.HowToRefer, Version: r.Version,
	}
}

// Validate checks the form and returns the resource it describes.
func (f ResourceForm) Validate(errs Errors) Resource {
	r := Resource{
		Name: f.Name, Services: f.Services, AddressLine: f.AddressLine, City: f.City, Region: f.Region,
		PostalCode: f.PostalCode, Phone: f.Phone, Fax: f.Fax, Email: f.Email, Website: f.Website,
		Hours: f.Hours, Eligibility: f.Eligibility, Cost: f.Cost, HowToRefer: f.HowToRefer,
		Languages: SplitLanguages(f.Languages), Active: true,
	}
	errs.Required("name", f.Name, "Enter the organisation's or service's name.")
	errs.MaxLen("name", f.Name, 200)
	errs.MaxLen("services", f.Services, 2000)
	if len(f.Domains) == 0 {
		errs.Add("domains", "Choose at least one kind of need this resource helps with.")
	}
	for _, d := range f.Domains {
		if !slices.Contains(careplans.Domains, assessments.Need(d)) {
			errs.Add("domains", "Choose the needs from the list.")
			continue
		}
		if !slices.Contains(r.Domains, assessments.Need(d)) {
			r.Domains = append(r.Domains, assessments.Need(d))
		}
	}
	for _, l := range []struct {
		field, v string
		n        int
	}{{"address_line", f.AddressLine, 200}, {"city", f.City, 100}, {"region", f.Region, 100}, {"postal_code", f.PostalCode, 20},
		{"phone", f.Phone, 40}, {"fax", f.Fax, 40}, {"email", f.Email, 200}, {"website", f.Website, 300},
		{"hours", f.Hours, 500}, {"eligibility", f.Eligibility, 1000}, {"how_to_refer", f.HowToRefer, 1000}} {
		errs.MaxLen(l.field, l.v, l.n)
	}
	errs.Email("email", f.Email)
	if f.Website != "" {
		if u, err := url.Parse(f.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.Add("website", "Enter the full address, starting with https://.")
		}
	}
	if f.Phone == "" && f.Email == "" && f.Website == "" && f.AddressLine == "" {
		errs.Add("phone", "Give at least one way to reach them: a phone number, an email, a website or an address.")
	}
	if !Costs.Has(f.Cost) {
		errs.Add("cost", "Choose what it costs.")
	}
	for _, m := range f.ReferBy {
		if !ReferMethods.Has(m) {
			errs.Add("refer_by", "Choose how referrals reach them from the list.")
		} else if !slices.Contains(r.ReferBy, m) {
			r.ReferBy = append(r.ReferBy, m)
		}
	}
	if len(r.Languages) > 20 {
		errs.Add("languages", "List at most 20 languages.")
	}
	for _, l := range r.Languages {
		if len([]rune(l)) > 40 {
			errs.Add("languages", "Separate the languages with commas.")
		}
	}
	return r
}

// SplitLanguages reads a typed list of languages ("spanish, Tagalog") as
// distinct names with a capital first letter.
func SplitLanguages(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		l := strings.Join(strings.Fields(part), " ")
		if l == "" {
			continue
		}
		rs := []rune(l)
		rs[0] = unicode.ToUpper(rs[0])
		l = string(rs)
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, l) }) {
			out = append(out, l)
		}
	}
	return out
}

// resourceColumns are the columns a Resource is read from.
var resourceColumns = []string{"id", "name", "services", "domains", "address_line", "city", "region", "postal_code",
	"phone", "fax", "email", "website", "hours", "eligibility", "languages", "cost", "refer_by", "how_to_refer",
	"active", "updated_at", "version"}

// columnsOf is resourceColumns of the table or subquery alias.
func columnsOf(alias string) string {
	out := make([]string, len(resourceColumns))
	for i, c := range resourceColumns {
		out[i] = alias + "." + c
	}
	return strings.Join(out, ", ")
}

func scanResource(row pgx.CollectableRow) (Resource, error) {
	var r Resource
	err := row.Scan(&r.ID, &r.Name, &r.Services, &r.Domains, &r.AddressLine, &r.City, &r.Region, &r.PostalCode,
		&r.Phone, &r.Fax, &r.Email, &r.Website, &r.Hours, &r.Eligibility, &r.Languages, &r.Cost, &r.ReferBy,
		&r.HowToRefer, &r.Active, &r.UpdatedAt, &r.Version)
	return r, err
}

// CreateResource adds a resource to the directory, with its audit event,
// and returns it.
func (s *Service) CreateResource(ctx context.Context, a tenants.Actor, f ResourceForm) (Resource, error) {
	if !a.Can(auth.Role.MaintainsDirectory) {
		return Resource{}, ErrNotMaintainer
	}
	errs := Errors{}
	r := f.Validate(errs)
	if err := invalid(errs, ""); err != nil {
		return r, err
	}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if r.ID, err = InsertResource(ctx, tx, a.TenantID, r); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "resource.created", EntityType: "resource", EntityID: r.ID})
	})
	return r, err
}

// InsertResource adds a validated resource to the tenant's directory, for
// the directory's use cases and for loaders.
func InsertResource(ctx context.Context, q db.DBTX, tenantID string, r Resource) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into resources (tenant_id, name, services, domains, address_line, city, region, postal_code, phone, fax,
			email, website, hours, eligibility, languages, cost, refer_by, how_to_refer)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, coalesce($15::text[], '{}'), $16, coalesce($17::text[], '{}'), $18)
		returning id`,
		tenantID, r.Name, r.Services, r.Domains, r.AddressLine, r.City, r.Region, r.PostalCode, r.Phone, r.Fax,
		r.Email, r.Website, r.Hours, r.Eligibility, r.Languages, r.Cost, r.ReferBy, r.HowToRefer).Scan(&id)
	return id, err
}

// UpdateResource saves an edited resource if nobody changed it since the
// editor read it (ErrResourceChanged otherwise), with its audit event. A
// resource of another tenant is not found, whatever was typed.
func (s *Service) UpdateResource(ctx context.Context, a tenants.Actor, id string, f ResourceForm) (Resource, error) {
	if !a.Can(auth.Role.MaintainsDirectory) {
		return Resource{}, ErrNotMaintainer
	}
	var r Resource
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		if _, err := GetResource(ctx, tx, a.TenantID, id); err != nil {
			return err
		}
		errs := Errors{}
		r = f.Validate(errs)
		if err := invalid(errs, ""); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			update resources set name = $4, services = $5, domains = $6, address_line = $7, city = $8, region = $9,
				postal_code = $10, phone = $11, fax = $12, email = $13, website = $14, hours = $15, eligibility = $16,
				languages = coalesce($17::text[], '{}'), cost = $18, refer_by = coalesce($19::text[], '{}'), how_to_refer = $20,
				updated_at = $21, version = version + 1
			 where tenant_id = $1 and id = $2 and version = $3`,
			a.TenantID, id, f.Version, r.Name, r.Services, r.Domains, r.AddressLine, r.City, r.Region, r.PostalCode, r.Phone,
			r.Fax, r.Email, r.Website, r.Hours, r.Eligibility, r.Languages, r.Cost, r.ReferBy, r.HowToRefer, a.At)
		if err := resourceMoved(ctx, tx, err, tag.RowsAffected(), a.TenantID, id); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "resource.updated", EntityType: "resource", EntityID: id})
	})
	r.ID = id
	return r, err
}

// SetResourceActive archives a resource (it is offered no more, and its
// referrals stay readable) or brings it back, if nobody changed it since
// version, with its audit event.
func (s *Service) SetResourceActive(ctx context.Context, a tenants.Actor, id string, version int, active bool) error {
	if !a.Can(auth.Role.MaintainsDirectory) {
		return ErrNotMaintainer
	}
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			update resources set active = $4, updated_at = $5, version = version + 1
			 where tenant_id = $1 and id = $2 and version = $3`, a.TenantID, id, version, active, a.At)
		if err := resourceMoved(ctx, tx, err, tag.RowsAffected(), a.TenantID, id); err != nil {
			return err
		}
		action := "resource.archived"
		if active {
			action = "resource.restored"
		}
		return a.Audit(ctx, tx, audit.Event{Action: action, EntityType: "resource", EntityID: id})
	})
}

func resourceMoved(ctx context.Context, q db.DBTX, err error, n int64, tenantID, id string) error {
	return versioned(ctx, q, err, n, ErrResourceChanged, `select 1 from resources where tenant_id = $1 and id = $2`, tenantID, id)
}

// versioned turns an update that matched no row into db.ErrNotFound when
// the row does not exist and conflict when its version moved.
func versioned(ctx context.Context, q db.DBTX, err error, n int64, conflict error, exists string, args ...any) error {
	if err != nil || n == 1 {
		return err
	}
	var one int
	if err := q.QueryRow(ctx, exists, args...).Scan(&one); err != nil {
		return db.NotFound(err)
	}
	return conflict
}

// GetResource loads one resource, archived or not.
func GetResource(ctx context.Context, q db.DBTX, tenantID, id string) (Resource, error) {
	rows, _ := q.Query(ctx, `select `+columnsOf("r")+` from resources r where r.tenant_id = $1 and r.id = $2`, tenantID, id)
	r, err := pgx.CollectExactlyOneRow(rows, scanResource)
	return r, db.NotFound(err)
}

// SearchLimit is the most resources one search lists.
const SearchLimit = 50

// MatchThreshold is how alike (pg_trgm word similarity) the typed text
// must be to some part of a resource's name or services. 0.4 finds "Food
// Bank" for "fod bnk" and "pantry" for "pantri", while "housing" does not
// drag in every "house".
const MatchThreshold = 0.4

// Filter narrows a directory search; nil fields do not.
type Filter struct {
	Text     *string
	Domain   *assessments.Need
	Language *string
	// Archived lists archived resources instead of active ones.
	Archived bool
}

// Search lists the directory's resources matching f: by name and
// services, typo-tolerant, best match first; without text, by name. It
// returns at most SearchLimit, and whether there were more.
func Search(ctx context.Context, q db.DBTX, tenantID string, f Filter) ([]Resource, bool, error) {
	args := []any{tenantID, !f.Archived}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"r.tenant_id = $1", "r.active = $2"}
	if f.Domain != nil {
		where = append(where, arg(string(*f.Domain))+" = any(r.domains)")
	}
	if f.Language != nil {
		where = append(where, "exists (select 1 from unnest(r.languages) l where lower(l) = lower("+arg(*f.Language)+"))")
	}
	limit := strconv.Itoa(SearchLimit + 1)
	var rows pgx.Rows
	if f.Text == nil {
		rows, _ = q.Query(ctx, `select `+columnsOf("r")+` from resources r where `+strings.Join(where, " and ")+
			` order by r.name, r.id limit `+limit, args...)
	} else {
		// The keys of the typed words find the candidates; only then is
		// each candidate's similarity computed, once. Left to itself the
		// planner would compute it on every resource of the tenant while
		// scanning (see migrations/00010_referrals.sql and BenchmarkSearch).
		t := arg(*f.Text)
		where = append(where, "r.id in (select k.resource_id from resource_search_keys k where k.tenant_id = $1"+
			" and k.key = any(patient_search_keys("+t+")))")
		rows, _ = q.Query(ctx, `
			with candidates as materialized (
				select `+columnsOf("r")+`, r.search_text from resources r where `+strings.Join(where, " and ")+`)
			select `+columnsOf("c")+`
			  from candidates c, lateral (select word_similarity(`+t+`, c.search_text) as score) m
			 where m.score >= `+arg(MatchThreshold)+`
			 order by m.score desc, c.name, c.id limit `+limit, args...)
	}
	list, err := pgx.CollectRows(rows, scanResource)
	if err != nil {
		return nil, false, err
	}
	if len(list) > SearchLimit {
		return list[:SearchLimit], true, nil
	}
	return list, false, nil
}

// Languages lists the languages the tenant's active resources speak, for
// the search form.
func Languages(ctx context.Context, q db.DBTX, tenantID string) ([]string, error) {
	rows, _ := q.Query(ctx, `
		select min(l) from resources r, unnest(r.languages) l
		 where r.tenant_id = $1 and r.active
		 group by lower(l) order by lower(l)`, tenantID)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Record is how referrals to a resource have gone: how many were sent,
// how many ended, and how many of those met the need fully or partly.
type Record struct {
	Sent, Ended, Succeeded int
}

// Records reads the referral record of each of the resources, by id.
// Cancelled referrals are left out of "ended": they say nothing about the
// resource.
func Records(ctx context.Context, q db.DBTX, tenantID string, resourceIDs []string) (map[string]Record, error) {
	rows, _ := q.Query(ctx, `
		select resource_id,
		       count(*) filter (where status not in ('draft', 'cancelled')),
		       count(*) filter (where status in ('completed', 'declined', 'no_response')),
		       count(*) filter (where outcome in ('met', 'partly_met'))
		  from referrals
		 where tenant_id = $1 and resource_id = any($2)
		 group by resource_id`, tenantID, resourceIDs)
	out := map[string]Record{}
	var id string
	var r Record
	_, err := pgx.ForEachRow(rows, []any{&id, &r.Sent, &r.Ended, &r.Succeeded}, func() error {
		out[id] = r
		return nil
	})
	return out, err
}
