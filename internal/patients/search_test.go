package patients_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/patients"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// listTenant is a tenant with two coordinators, ready for patients.
type listTenant struct {
	d        dbtest.DB
	id       string
	ann, bob string
}

func newListTenant(t *testing.T, d dbtest.DB, slug string) listTenant {
	t.Helper()
	ctx := context.Background()
	lt := listTenant{d: d}
	if err := d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&lt.id); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]*string{"ann": &lt.ann, "bob": &lt.bob} {
		u, err := auth.CreateUserWithHash(ctx, d.Pool, auth.NewUser{Email: name + "@" + slug + ".test", Name: name}, "not a real hash")
		if err != nil {
			t.Fatal(err)
		}
		*id = u.ID
	}
	return lt
}

// person is a test patient; empty fields take harmless defaults.
type person struct {
	given, family, preferred string
	dob                      string
	externalID               string
	coordinator              string
	status                   patients.Status
	risk                     patients.RiskTier
}

// add stores people through patients.Create, as intake does, and returns
// their ids in order.
func (lt listTenant) add(t *testing.T, people ...person) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	err := db.InTenant(ctx, lt.d.Pool, lt.id, func(tx pgx.Tx) error {
		for _, p := range people {
			id, err := patients.Create(ctx, tx, lt.id, "", newPatient(p))
			if err != nil {
				return err
			}
			if p.status != "" {
				if _, err := tx.Exec(ctx, "update patients set status = $3 where tenant_id = $1 and id = $2", lt.id, id, p.status); err != nil {
					return err
				}
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func newPatient(p person) patients.NewPatient {
	dob, _ := time.Parse("2006-01-02", p.dob)
	if p.dob == "" {
		dob = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	np := patients.NewPatient{Details: patients.Details{
		DetailsForm: patients.DetailsForm{
			GivenName: p.given, FamilyName: p.family, PreferredName: p.preferred,
			ExternalID: p.externalID, Phone: "555-010-1000", PreferredLanguage: "English",
		},
		DOB: dob, Tier: p.risk,
	}}
	if np.Tier == "" {
		np.Tier = patients.Moderate
	}
	if p.coordinator != "" {
		np.Coordinator = &p.coordinator
	}
	return np
}

// list runs patients.List in the tenant and returns the page.
func (lt listTenant) list(t *testing.T, f patients.Filter) patients.ListPage {
	t.Helper()
	page, err := lt.tryList(f)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

func (lt listTenant) tryList(f patients.Filter) (patients.ListPage, error) {
	var page patients.ListPage
	err := db.InTenant(context.Background(), lt.d.Pool, lt.id, func(tx pgx.Tx) error {
		var err error
		page, err = patients.List(context.Background(), tx, lt.id, f)
		return err
	})
	return page, err
}

// search validates the filter bar as the signed-in coordinator me would
// submit it, then lists.
func (lt listTenant) search(t *testing.T, me string, form url.Values) []string {
	t.Helper()
	f, _, errs := patients.ParseListForm(form).Validate(me, map[string]bool{lt.ann: true, lt.bob: true})
	if len(errs) > 0 {
		t.Fatalf("%v: %v", form, errs)
	}
	return names(lt.list(t, f))
}

// everyone is a search over every coordinator's patients.
func everyone(q string) url.Values { return url.Values{"q": {q}, "coordinator": {"all"}} }

func names(page patients.ListPage) []string {
	var out []string
	for _, p := range page.Patients {
		out = append(out, p.GivenName+" "+p.FamilyName)
	}
	return out
}

func TestList_NameSearchToleratesTypos(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	lt.add(t,
		person{given: "Margaret", family: "Jonson", preferred: "Peg"},
		person{given: "Walter", family: "Nguyen"},
		person{given: "Siobhan", family: "O'Brien"},
		person{given: "Rosa", family: "Delgado"},
	)
	tests := []struct {
		q     string
		first string
	}{
		{"Margret Johnson", "Margaret Jonson"},
		{"margaret jonson", "Margaret Jonson"},
		{"JOHNSON", "Margaret Jonson"},
		{"Peg", "Margaret Jonson"},
		{"Jhonson", "Margaret Jonson"},
		{"Walter Ngyuen", "Walter Nguyen"},
		{"Nguyn", "Walter Nguyen"},
		{"obrien", "Siobhan O'Brien"},
		{"Delgato", "Rosa Delgado"},
		{"De", "Rosa Delgado"},
	}
	for _, tt := range tests {
		got := lt.search(t, lt.ann, everyone(tt.q))
		if len(got) == 0 || got[0] != tt.first {
			t.Errorf("search %q found %v, want %q first", tt.q, got, tt.first)
		}
	}
	if got := lt.search(t, lt.ann, everyone("Zebedee Quartermaine")); len(got) != 0 {
		t.Errorf("unrelated name found %v", got)
	}
}

func TestList_NameSearchFollowsRenames(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	ids := lt.add(t, person{given: "Margaret", family: "Jonson"})
	err := db.InTenant(context.Background(), lt.d.Pool, lt.id, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "update patients set family_name = 'Okafor' where tenant_id = $1 and id = $2", lt.id, ids[0])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := lt.search(t, lt.ann, everyone("Okafr")); !slices.Equal(got, []string{"Margaret Okafor"}) {
		t.Errorf("new name: found %v", got)
	}
	if got := lt.search(t, lt.ann, everyone("Jonson")); len(got) != 0 {
		t.Errorf("old name still found %v", got)
	}
	var keys int
	_ = db.InTenant(context.Background(), lt.d.Pool, lt.id, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "select count(*) from patient_name_keys where tenant_id = $1 and key like '%jon%'", lt.id).Scan(&keys)
	})
	if keys != 0 {
		t.Errorf("%d keys of the old name left behind", keys)
	}
}

func TestList_SearchByDateOfBirthInEitherWriting(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	lt.add(t,
		person{given: "Rosa", family: "Delgado", dob: "1948-03-21"},
		person{given: "Walter", family: "Nguyen", dob: "1948-03-22"},
	)
	for _, q := range []string{"1948-03-21", "03/21/1948", "3/21/1948"} {
		got := lt.search(t, lt.ann, everyone(q))
		if !slices.Equal(got, []string{"Rosa Delgado"}) {
			t.Errorf("date %q found %v, want only Rosa Delgado", q, got)
		}
	}
}

func TestList_SearchByExternalIDIsExact(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	lt.add(t,
		person{given: "Rosa", family: "Delgado", externalID: "MRN-20031"},
		person{given: "Walter", family: "Nguyen", externalID: "MRN-20032"},
	)
	if got := lt.search(t, lt.ann, everyone("MRN-20031")); !slices.Equal(got, []string{"Rosa Delgado"}) {
		t.Errorf("MRN-20031 found %v", got)
	}
	if got := lt.search(t, lt.ann, everyone("MRN-2003")); len(got) != 0 {
		t.Errorf("part of an MRN found %v", got)
	}
}

func TestList_DefaultsToMyCaseload(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	lt.add(t,
		person{given: "Ann's", family: "Patient", coordinator: lt.ann},
		person{given: "Bob's", family: "Patient", coordinator: lt.bob},
		person{given: "Nobody's", family: "Patient"},
	)
	tests := []struct {
		coordinator string
		want        []string
	}{
		{"", []string{"Ann's Patient"}},
		{lt.bob, []string{"Bob's Patient"}},
		{"all", []string{"Ann's Patient", "Bob's Patient", "Nobody's Patient"}},
	}
	for _, tt := range tests {
		got := lt.search(t, lt.ann, url.Values{"coordinator": {tt.coordinator}})
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("coordinator %q (-want +got):\n%s", tt.coordinator, diff)
		}
	}
}

func TestList_FiltersByStatusAndRisk(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	lt.add(t,
		person{given: "Active", family: "High", status: patients.Active, risk: patients.High, coordinator: lt.ann},
		person{given: "Active", family: "Low", status: patients.Active, risk: patients.Low, coordinator: lt.ann},
		person{given: "Held", family: "High", status: patients.OnHold, risk: patients.High, coordinator: lt.ann},
		person{given: "Referred", family: "High", risk: patients.High, coordinator: lt.bob},
	)
	tests := []struct {
		form url.Values
		want []string
	}{
		{url.Values{"status": {"active"}}, []string{"Active High", "Active Low"}},
		{url.Values{"risk": {"high"}}, []string{"Active High", "Held High"}},
		{url.Values{"status": {"active"}, "risk": {"high"}}, []string{"Active High"}},
		{url.Values{"status": {"referred"}, "coordinator": {"all"}}, []string{"Referred High"}},
		{url.Values{"status": {"discharged"}}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, lt.search(t, lt.ann, tt.form)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.form, diff)
		}
	}
}

// pageThrough follows Next from the first page and returns every id seen,
// page by page.
func pageThrough(t *testing.T, lt listTenant, f patients.Filter) [][]string {
	t.Helper()
	var pages [][]string
	for {
		page := lt.list(t, f)
		var ids []string
		for _, p := range page.Patients {
			ids = append(ids, p.ID)
		}
		pages = append(pages, ids)
		if page.Next == "" || len(pages) > 20 {
			return pages
		}
		f.After = &page.Next
	}
}

func TestList_PagesReturnEveryPatientExactlyOnce(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	var people []person
	for i := range 60 {
		// Ten family names and two given names: ties that only the id can
		// break must still page cleanly.
		people = append(people, person{given: []string{"Ann", "Bea"}[i%2], family: fmt.Sprintf("Jonson%c", 'a'+i%10), coordinator: lt.ann})
	}
	ids := lt.add(t, people...)
	slices.Sort(ids)
	tests := []struct {
		name  string
		f     patients.Filter
		sizes []int
	}{
		{"name order", patients.Filter{Coordinator: &lt.ann}, []int{25, 25, 10}},
		// Every one of the 60 is alike enough to "ann jonsonc" to be listed.
		{"best match first", patients.Filter{Name: ptr("ann jonsonc"), Limit: 7}, []int{7, 7, 7, 7, 7, 7, 7, 7, 4}},
	}
	for _, tt := range tests {
		var sizes []int
		var seen []string
		for _, p := range pageThrough(t, lt, tt.f) {
			sizes = append(sizes, len(p))
			seen = append(seen, p...)
		}
		if diff := cmp.Diff(tt.sizes, sizes); diff != "" {
			t.Errorf("%s: page sizes (-want +got):\n%s", tt.name, diff)
		}
		slices.Sort(seen)
		if diff := cmp.Diff(ids, seen); diff != "" {
			t.Errorf("%s: patients seen across pages, sorted (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestList_BestMatchComesFirstOnEveryPage(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	lt.add(t,
		person{given: "Mark", family: "Jonsen"},
		person{given: "Margaret", family: "Johnson"},
		person{given: "Margaret", family: "Jonson"},
	)
	var got []string
	f := patients.Filter{Name: ptr("margaret jonson"), Limit: 1}
	for {
		page := lt.list(t, f)
		got = append(got, names(page)...)
		if page.Next == "" {
			break
		}
		f.After = &page.Next
	}
	if len(got) < 2 || got[0] != "Margaret Jonson" || got[1] != "Margaret Johnson" {
		t.Errorf("one per page: %v, want Margaret Jonson then Margaret Johnson", got)
	}
}

func TestList_NeverShowsAnotherTenantsPatients(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	river, north := newListTenant(t, d, "riverside"), newListTenant(t, d, "northside")
	river.add(t, person{given: "Rosa", family: "Delgado", coordinator: river.ann})
	north.add(t,
		person{given: "Margaret", family: "Jonson", dob: "1948-03-21", externalID: "N-1", coordinator: north.ann},
		person{given: "Margaret", family: "Jonsen", coordinator: north.ann},
	)
	filters := map[string]patients.Filter{
		"everyone":              {},
		"northside coordinator": {Coordinator: &north.ann},
		"name":                  {Name: ptr("margaret jonson")},
		"date of birth":         {DOB: ptr(time.Date(1948, 3, 21, 0, 0, 0, 0, time.UTC))},
		"external id":           {Name: ptr("N-1"), ExternalID: ptr("N-1")},
	}
	for name, f := range filters {
		for _, p := range river.list(t, f).Patients {
			if p.FamilyName != "Delgado" {
				t.Errorf("%s: riverside sees %s %s", name, p.GivenName, p.FamilyName)
			}
		}
	}
	// A northside page link leads nowhere in riverside.
	northPage := north.list(t, patients.Filter{Limit: 1})
	if _, err := river.tryList(patients.Filter{After: &northPage.Next}); !errors.Is(err, patients.ErrBadCursor) {
		t.Errorf("northside cursor in riverside: err = %v, want ErrBadCursor", err)
	}
}

func TestListForm_UnusableValuesGetAMessageAndAreDropped(t *testing.T) {
	t.Parallel()
	me := "6f1c1a52-3a43-4b5e-9d4f-2d7c1f0b8a11"
	other := "0b0e5c7e-2f7a-4f64-8f55-7d1b4b0e9c22"
	coordinators := map[string]bool{me: true}
	tests := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"status": {"asleep"}}, "status"},
		{url.Values{"risk": {"extreme"}}, "risk"},
		{url.Values{"coordinator": {"not-a-uuid"}}, "coordinator"},
		{url.Values{"coordinator": {other}}, "coordinator"},
		{url.Values{"q": {"1948-02-30"}}, "q"},
		{url.Values{"q": {"13/01/1948"}}, "q"},
		{url.Values{"q": {"x"}}, "q"},
		{url.Values{"q": {strings.Repeat("a", 101)}}, "q"},
	}
	for _, tt := range tests {
		f, applied, errs := patients.ParseListForm(tt.form).Validate(me, coordinators)
		if errs[tt.field] == "" || len(errs) != 1 {
			t.Errorf("%v: errors %v, want one message for %s", tt.form, errs, tt.field)
		}
		if len(applied.Values()) != 0 {
			t.Errorf("%v: applied %v, want the unusable value dropped", tt.form, applied.Values())
		}
		if f.Coordinator == nil || *f.Coordinator != me || f.Status != nil || f.Risk != nil || f.Name != nil || f.DOB != nil {
			t.Errorf("%v: filter %+v, want my whole caseload", tt.form, f)
		}
	}
}

func TestList_MalformedCursorIsRefused(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	for _, c := range []string{"garbage!", "AAAA", ""} {
		if _, err := lt.tryList(patients.Filter{After: &c}); !errors.Is(err, patients.ErrBadCursor) {
			t.Errorf("cursor %q: err = %v, want ErrBadCursor", c, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// A query of plain words is scored in one aggregate (the words counted in
// Go); the same query with a full stop, which patient_search_terms drops,
// is scored the general way. Both must rank the same patients the same
// way, page after page: prefixes, typos, nicknames, repeated words and a
// patient holding two words that answer one typed word (Mary Ann Marr).
func TestList_PlainWordSearchRanksAsTheGeneralOne(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "lakeside")
	var people []person
	for _, g := range []string{"Maria", "Mario", "Marie", "Mary Ann", "Marta", "Bob", "Robert", "Mariana"} {
		for _, f := range []string{"Garcia", "Garza", "Marr", "Gracia", "Smith", "Marsh"} {
			people = append(people, person{given: g, family: f})
		}
	}
	lt.add(t, people...)
	for _, q := range []string{"mar", "maria", "mraia garcia", "mar garcia", "maria maria", "bob smith", "ma", "garcia mary ann", "marr"} {
		plain := pageThrough(t, lt, patients.Filter{Name: &q, Limit: 7})
		general := q + "."
		other := pageThrough(t, lt, patients.Filter{Name: &general, Limit: 7})
		if len(plain) == 0 || !slices.EqualFunc(plain, other, slices.Equal) {
			t.Errorf("%q ranks\n%v\nbut %q ranks\n%v", q, plain, general, other)
		}
	}
}
