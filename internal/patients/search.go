package patients

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// ListPageSize is how many patients one page of the patient list shows.
const ListPageSize = 25

// EveryCoordinator is the list filter's value for "Everyone": patients of
// every coordinator and none.
const EveryCoordinator = "all"

// ErrBadCursor means a "next page" link that does not belong to this
// tenant's list (malformed, or naming a patient the tenant does not have).
var ErrBadCursor = errors.New("page cursor is not valid")

// Filter narrows the patient list; a nil field does not filter.
type Filter struct {
	// Coordinator keeps the patients assigned to this user.
	Coordinator *string
	Status      *Status
	Risk        *RiskTier
	// Name matches given, family and preferred names, tolerating typos;
	// the list then comes best match first instead of by name.
	Name *string
	// ExternalID matches the MRN or member id exactly. With Name also set, a
	// patient matching either is listed, exact id matches first.
	ExternalID *string
	DOB        *time.Time
	// After is ListPage.Next of the previous page.
	After *string
	// Limit is the page size; 0 means ListPageSize.
	Limit int
}

// PatientList is one page of the patient list, as asked for by the filter
// bar.
type PatientList struct {
	ListPage
	// Applied is the filter bar as used: a value that could not be used is
	// dropped, and Errors says why beside its field ("after" is a page link
	// that no longer works).
	Applied ListForm
	Errors  Errors
	// Ranked: a search by name or id, so the best matches come first.
	Ranked bool
	// Coordinators are the people whose caseload the list can show.
	Coordinators []tenants.Person
}

// PatientList reads one page of the patient list for typed: a's own
// caseload unless the filter bar asks for more. A filter value that cannot
// be used is dropped with a message; the list still shows.
func (s *Service) PatientList(ctx context.Context, a tenants.Actor, typed ListForm) (PatientList, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) (PatientList, error) {
		people, err := tenants.Coordinators(ctx, tx, a.TenantID)
		if err != nil {
			return PatientList{}, err
		}
		filter, applied, errs := typed.Validate(a.UserID, idsOf(people))
		page, err := List(ctx, tx, a.TenantID, filter)
		if errors.Is(err, ErrBadCursor) {
			errs["after"] = "That page link no longer works, so the list starts again from the first page."
			applied.After, filter.After = "", nil
			page, err = List(ctx, tx, a.TenantID, filter)
		}
		if err != nil {
			return PatientList{}, err
		}
		out := PatientList{ListPage: page, Applied: applied, Errors: errs, Coordinators: people,
			Ranked: ranked(filter)}
		ids := make([]string, len(page.Patients))
		for i, p := range page.Patients {
			ids[i] = p.ID
		}
		// Names, dates of birth and phones were shown: which patients is
		// recorded, never what was searched for.
		return out, a.AuditListed(ctx, tx, audit.Event{Action: "patient.listed", Detail: map[string]any{"list": "patients"}}, ids)
	})
}

// Listed is one patient on the list: what tells people apart at a glance.
type Listed struct {
	ID              string
	GivenName       string
	FamilyName      string
	PreferredName   string
	DateOfBirth     time.Time
	Status          Status
	RiskTier        RiskTier
	CoordinatorName string
	Phone           string
}

// ListPage is one page of the patient list.
type ListPage struct {
	Patients []Listed
	// Next is the cursor of the following page, "" on the last one.
	Next string
}

// List returns one page of the tenant's patients matching f: in name order
// (family, given, id), or best match first when f searches by name or id.
// Paging is by keyset in both orders, so a page costs the same however deep
// it is. It must run inside the tenant transaction.
func List(ctx context.Context, q db.DBTX, tenantID string, f Filter) (ListPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = ListPageSize
	}
	var after *sortKey
	if f.After != nil {
		k, err := cursorKey(ctx, q, tenantID, f)
		if err != nil {
			return ListPage{}, err
		}
		after = &k
	}
	sql, args := listSQL(tenantID, f, after, limit+1)
	rows, _ := q.Query(ctx, sql, args...)
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[Listed])
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Patients: found}
	if len(found) > limit {
		page.Patients = found[:limit]
		page.Next = encodeCursor(found[limit-1].ID)
	}
	return page, nil
}

// sortKey is where the previous page ended.
type sortKey struct {
	rank                  float32
	familyName, givenName string
	id                    string
}

// cursorKey reads the sort key of the patient a cursor names. The cursor
// carries only the patient's id, never a name: it sits in URLs, browser
// history and logs, and names are health information. Reading the key back
// inside the tenant also means a cursor cannot point into another tenant.
func cursorKey(ctx context.Context, q db.DBTX, tenantID string, f Filter) (sortKey, error) {
	id, ok := decodeCursor(*f.After)
	if !ok {
		return sortKey{}, ErrBadCursor
	}
	var b sqlBuilder
	tenant := b.arg(tenantID)
	with, from, rank := "", "patients p", "0::real"
	if ranked(f) {
		// A patient no longer found scores 0: the next page is then empty.
		with = "with " + b.found(tenant, f) + " "
		from, rank = "patients p left join found f on f.patient_id = p.id", "coalesce(f.score, 0)::real"
	}
	k := sortKey{id: id}
	err := q.QueryRow(ctx, with+"select p.family_name, p.given_name, "+rank+" from "+from+" where p.tenant_id = "+
		tenant+" and p.id = "+b.arg(id), b.args...).Scan(&k.familyName, &k.givenName, &k.rank)
	if errors.Is(err, pgx.ErrNoRows) {
		return sortKey{}, ErrBadCursor
	}
	return k, err
}

// ranked: the list searches by name or id, best match first.
func ranked(f Filter) bool { return f.Name != nil || f.ExternalID != nil }

// listSQL writes the page query. Every filter is an equality on an indexed
// column led by tenant_id; see search_bench_test.go for the plans.
func listSQL(tenantID string, f Filter, after *sortKey, limit int) (string, []any) {
	var b sqlBuilder
	tenant := b.arg(tenantID)
	filters := b.filters(f)
	if ranked(f) {
		return b.rankedSQL(tenant, f, filters, after, limit), b.args
	}
	where := append([]string{"p.tenant_id = " + tenant}, filters...)
	if after != nil {
		where = append(where, b.keyset("p.family_name, p.given_name, p.id", after))
	}
	return selectPage("patients p", where, "p.family_name, p.given_name, p.id", b.arg(limit)), b.args
}

// filters are the conditions on the patient's own columns.
func (b *sqlBuilder) filters(f Filter) []string {
	var where []string
	if f.Coordinator != nil {
		where = append(where, "p.assigned_coordinator_id = "+b.arg(*f.Coordinator))
	}
	if f.Status != nil {
		where = append(where, "p.status = "+b.arg(string(*f.Status)))
	}
	if f.Risk != nil {
		where = append(where, "p.risk_tier = "+b.arg(string(*f.Risk)))
	}
	if f.DOB != nil {
		where = append(where, "p.date_of_birth = "+b.arg(*f.DOB)+"::date")
	}
	return where
}

// keyset is "after the cursor's patient" in name order; cols are the
// family name, given name and id columns.
func (b *sqlBuilder) keyset(cols string, after *sortKey) string {
	return "(" + cols + ") > (" + b.arg(after.familyName) + ", " + b.arg(after.givenName) + ", " + b.arg(after.id) + "::uuid)"
}

// rankedSQL is a search's page: best match first, then name order. Order
// and keyset use found's own columns, so with no filter on the patient the
// page is chosen from found alone and only its patients are read (a
// search for "maria" finds thousands).
func (b *sqlBuilder) rankedSQL(tenant string, f Filter, filters []string, after *sortKey, limit int) string {
	with := "with " + b.found(tenant, f)
	order := "f.score desc, f.family_name, f.given_name, f.patient_id"
	var keyset []string
	if after != nil {
		r := b.arg(after.rank) + "::real"
		keyset = []string{"(f.score < " + r + " or (f.score = " + r + " and " + b.keyset("f.family_name, f.given_name, f.patient_id", after) + "))"}
	}
	lim := b.arg(limit)
	from := "found f"
	if len(filters) == 0 {
		page := "select * from found f"
		if keyset != nil {
			page += " where " + keyset[0]
		}
		with += ",\npage as (" + page + " order by " + order + " limit " + lim + ")"
		from, keyset = "page f", nil
	}
	where := append(append([]string{"p.tenant_id = " + tenant}, filters...), keyset...)
	return with + "\n" + selectPage(from+" join patients p on p.tenant_id = "+tenant+" and p.id = f.patient_id", where, order, lim)
}

// selectPage is the list's select of one page.
func selectPage(from string, where []string, order, limit string) string {
	return `select p.id, p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.status, p.risk_tier,
		       coalesce(u.name, '') as coordinator_name, p.phone
		  from ` + from + ` left join users u on u.id = p.assigned_coordinator_id
		 where ` + strings.Join(where, "\n\t\t   and ") + `
		 order by ` + order + `
		 limit ` + limit
}

// sqlBuilder numbers query parameters as they are added.
type sqlBuilder struct{ args []any }

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// found is the search's candidates with their scores and names, as a CTE
// named found(patient_id, score, family_name, given_name). pg_trgm's operators are not leakproof, so under
// row-level security no index may evaluate them (see
// migrations/00003_patient_search.sql); the candidates come from leakproof
// equality lookups instead: the words of the vocabulary that answer each
// word typed, then the patients holding those words (see
// migrations/00022_forgiving_name_search.sql for the keys and the scores),
// and the exact external id, which scores more than any name can so it
// always comes first.
func (b *sqlBuilder) found(tenant string, f Filter) string {
	var sources []string
	if f.Name != nil {
		sources = append(sources, nameScores(tenant, b.arg(*f.Name), plainWords(*f.Name)))
	}
	if f.ExternalID != nil {
		e := b.arg(*f.ExternalID)
		// The non-empty test lets the partial unique index answer.
		sources = append(sources, "select x.id, "+externalIDScore+", x.family_name, x.given_name from patients x where x.tenant_id = "+tenant+
			" and x.external_id = "+e+" and x.external_id <> ''")
	}
	return "found (patient_id, score, family_name, given_name) as (" +
		"select patient_id, sum(score)::real, min(family_name), min(given_name) from (" +
		strings.Join(sources, " union all ") + ") s (patient_id, score, family_name, given_name) group by patient_id)"
}

// externalIDScore outranks any name: four points for each of at most
// maxQuery words typed.
const externalIDScore = "1000"

// nameScores scores the patients whose names answer query, with their
// names as the keys carry them: for each word typed, the best score among
// the patient's words (a nickname counts 3 and only as itself), summed
// over the words typed. A word that only sounds like the one typed counts
// only when nothing closer was found for it: "maria" would otherwise read
// every Mary too, thousands of rows at 100,000 patients. The keys are computed
// before the lookups (materialized), so the lookups compare columns with
// plain text equality, which row-level security lets an index serve.
//
// A word of the vocabulary that is the word typed or begins with it scores
// without calling patient_word_score (the same 4 and 3 it would give): a
// prefix such as "ma" finds hundreds of words, and the call is most of
// their cost. words is how many words patient_search_terms reads in the
// query when that is known (see plainWords), else 0: when known, a
// patient's score is one aggregate, the best of their words for each word
// typed added up, instead of a best per patient and word typed and then a
// sum per patient (half the work for a search finding thousands).
func nameScores(tenant, query string, words int) string {
	terms := `with terms as materialized (
			select i, term, nickname, prefix,
			       case when nickname then array['p' || term] else patient_word_search_keys(term, prefix) end as keys
			  from patient_search_terms(` + query + `)),
		words as (
			select t.i, v.word, max(case when t.nickname then 3 * (v.word = t.term)::int
			                             when v.word = t.term then 4
			                             when t.prefix and length(t.term) >= 2 and left(v.word, length(t.term)) = t.term then 3
			                             else patient_word_score(t.term, v.word, t.prefix) end) as score
			  from terms t join patient_name_vocab v on v.tenant_id = ` + tenant + ` and v.key = any(t.keys)
			 group by t.i, v.word),
		kept as (
			select * from words w
			 where w.score >= 2 or w.score = 1 and not exists (select 1 from words c where c.i = w.i and c.score >= 2))
		`
	if words > 0 {
		score := "max(w.score)"
		if words > 1 {
			bests := make([]string, words)
			for i := range bests {
				bests[i] = "coalesce(max(w.score) filter (where w.i = " + strconv.Itoa(i+1) + "), 0)"
			}
			score = strings.Join(bests, " + ")
		}
		return terms + `select k.patient_id, ` + score + `, min(k.family_name), min(k.given_name)
			  from kept w join patient_name_keys k on k.tenant_id = ` + tenant + ` and k.key = w.word
			 group by k.patient_id`
	}
	return terms + `select patient_id, sum(score), min(family_name), min(given_name) from (
			select k.patient_id, w.i, max(w.score) as score, min(k.family_name) family_name, min(k.given_name) given_name
			  from kept w join patient_name_keys k on k.tenant_id = ` + tenant + ` and k.key = w.word
			 group by k.patient_id, w.i) best
		 group by patient_id`
}

// maxPlainWords bounds plainWords: more words typed are scored the
// general way.
const maxPlainWords = 6

// plainWords is how many words patient_search_terms reads in q, numbered
// 1 to n, when q is words of ASCII letters between spaces (folding and
// splitting then only lower the case and drop repeats), and 0 for anything
// else (accents, hyphens, apostrophes), or more than maxPlainWords words.
func plainWords(q string) int {
	seen := map[string]bool{}
	for _, w := range strings.Fields(q) {
		for _, c := range w {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return 0
			}
		}
		seen[strings.ToLower(w)] = true
	}
	if len(seen) > maxPlainWords {
		return 0
	}
	return len(seen)
}

// A cursor is the last listed patient's id in URL-safe base64: opaque and
// short.
func encodeCursor(id string) string {
	raw, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(s string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) != 16 {
		return "", false
	}
	h := hex.EncodeToString(raw)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], true
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ListForm is the patient list's filter bar as submitted (a GET form, so a
// list can be bookmarked and paged).
type ListForm struct {
	// Q is free text: a name, a date of birth or an MRN / member id.
	Q string
	// Coordinator is a user id, EveryCoordinator, or "" for my caseload.
	Coordinator string
	Status      string
	Risk        string
	// After is the cursor of a "next page" link.
	After string
}

// ParseListForm reads the filter bar from a URL's query.
func ParseListForm(v url.Values) ListForm {
	return ListForm{
		Q:           strings.Join(strings.Fields(v.Get("q")), " "),
		Coordinator: strings.TrimSpace(v.Get("coordinator")),
		Status:      strings.TrimSpace(v.Get("status")),
		Risk:        strings.TrimSpace(v.Get("risk")),
		After:       strings.TrimSpace(v.Get("after")),
	}
}

// Values is the form as a URL query, empty fields left out.
func (f ListForm) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "coordinator": f.Coordinator, "status": f.Status, "risk": f.Risk, "after": f.After} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Searching reports whether anything beyond the default list was asked for.
func (f ListForm) Searching() bool {
	return f.Q != "" || f.Coordinator != "" || f.Status != "" || f.Risk != ""
}

// Validate turns the form into a Filter for the user me, whose caseload is
// the default; coordinators holds the ids the coordinator filter accepts.
// A value that cannot be used gets a message and is dropped: the form
// returned is the one actually applied, so links built from it stay valid.
// The cursor is checked by List.
func (f ListForm) Validate(me string, coordinators map[string]bool) (Filter, ListForm, Errors) {
	errs := Errors{}
	var flt Filter
	flt.Coordinator = &me
	switch c := f.Coordinator; {
	case c == EveryCoordinator:
		flt.Coordinator = nil
	case c != "" && uuidPattern.MatchString(c) && coordinators[strings.ToLower(c)]:
		f.Coordinator = strings.ToLower(c)
		flt.Coordinator = &f.Coordinator
	case c != "":
		errs.Add("coordinator", "Choose a coordinator from the list. Showing your caseload instead.")
		f.Coordinator = ""
	}
	if f.Status != "" {
		if s := Status(f.Status); Statuses.Has(s) {
			flt.Status = &s
		} else {
			errs.Add("status", "Choose a status from the list. Showing every status instead.")
			f.Status = ""
		}
	}
	if f.Risk != "" {
		if t := RiskTier(f.Risk); RiskTiers.Has(t) {
			flt.Risk = &t
		} else {
			errs.Add("risk", "Choose a risk level from the list. Showing every level instead.")
			f.Risk = ""
		}
	}
	if f.After != "" {
		flt.After = &f.After
	}
	if !f.query(&flt, errs) {
		f.Q = ""
	}
	return flt, f, errs
}

// maxQuery bounds the search box: longer than any name or id.
const maxQuery = 100

var (
	isoDateShape = regexp.MustCompile(`^\d{4}-\d{1,2}-\d{1,2}$`)
	usDateShape  = regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{4}$`)
)

// query reads the search box into flt: a date searches by date of birth,
// something with a digit and no space is also tried as an exact MRN or
// member id, anything else is a name. It reports whether Q could be used.
func (f ListForm) query(flt *Filter, errs Errors) bool {
	q := f.Q
	switch {
	case q == "":
		return true
	case utf8.RuneCountInString(q) > maxQuery:
		errs.Add("q", "Search for at most "+strconv.Itoa(maxQuery)+" characters: a name, a date of birth or an MRN.")
		return false
	case isoDateShape.MatchString(q) || usDateShape.MatchString(q):
		d, err := time.Parse(calendar.LooseDate, q)
		if err != nil {
			d, err = time.Parse(calendar.USDate, q)
		}
		if err != nil {
			errs.Add("q", "That date does not exist. Write it as 1948-03-21 or 03/21/1948.")
			return false
		}
		flt.DOB = &d
		return true
	case utf8.RuneCountInString(q) < 2:
		errs.Add("q", "Type at least two letters of the name.")
		return false
	}
	flt.Name = &q
	if strings.ContainsFunc(q, unicode.IsDigit) && !strings.Contains(q, " ") {
		flt.ExternalID = &q
	}
	return true
}
