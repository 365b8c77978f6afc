package patients_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// typoCrowd is how many scale-seed names surround the people searched for,
// so that ranking matters: common family names come dozens of times.
const typoCrowd = 3000

// loadNames adds patients named names to the tenant in one statement and
// returns their ids in order. Each has a birth date and a phone of its own,
// as the scale seed's patients do: with one shared, every pair of the crowd
// would be a possible duplicate, and the trigger that keeps those
// (migration 00023) compared each new record with all before it. The
// search reads names only.
func loadNames(t *testing.T, d dbtest.DB, tenantID string, names []demo.ScaleName) []string {
	t.Helper()
	pool := d.Pool
	given, family := make([]string, len(names)), make([]string, len(names))
	for i, n := range names {
		given[i], family[i] = n.Given, n.Family
	}
	var ids []string
	err := db.InTenant(context.Background(), pool, tenantID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(context.Background(), `
			insert into patients (tenant_id, given_name, family_name, date_of_birth, phone)
			select $1, g, f, date '1930-01-01' + n::int, '555-' || lpad(n::text, 7, '0')
			  from unnest($2::text[], $3::text[]) with ordinality x(g, f, n)
			order by n
			returning id::text`, tenantID, given, family)
		var err error
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Statistics, as the scale seed leaves them: autovacuum may be off.
	owner, err := pgx.Connect(context.Background(), d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	if _, err := owner.Exec(context.Background(), "analyze patients, patient_name_keys, patient_name_vocab"); err != nil {
		t.Fatal(err)
	}
	return ids
}

func nm(given, family string) demo.ScaleName { return demo.ScaleName{Given: given, Family: family} }

// top5 is the first five of a name search, best first.
func top5(ctx context.Context, pool *pgxpool.Pool, tenantID, q string) ([]patients.Listed, error) {
	var page patients.ListPage
	err := db.InTenant(ctx, pool, tenantID, func(tx pgx.Tx) error {
		var err error
		page, err = patients.List(ctx, tx, tenantID, patients.Filter{Name: &q, Limit: 5})
		return err
	})
	return page.Patients, err
}

func TestList_NameSearchForgivesTypos(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	people := []demo.ScaleName{
		nm("Ramón", "Rodríguez"), nm("Ramon", "Rodrigues"), nm("Ramona", "Rodríguez"), nm("Rodrigo", "Ramírez"),
		nm("Jose", "Martinez"), nm("Josefa", "Martín"),
		nm("Mai", "Le"), nm("Mai", "Li"), nm("May", "Lee"), nm("Mia", "Le"), nm("Amira", "Le"), nm("Mei", "Lu"),
		nm("Minh", "Ngo"), nm("Minh", "Nguyen"), nm("Min", "Ngo"), nm("Linh", "Ngo"),
		nm("Amira", "Darwish"), nm("Amir", "Darwin"), nm("Hodan", "Hirsi"), nm("Hodan", "Hirsch"),
		nm("Lucía", "García"), nm("Lucia", "Garza"), nm("Luis", "García"),
		nm("Seán", "Murphy-Byrne"), nm("Sean", "Murphy"), nm("Anne-Marie", "Dubois"), nm("Anne", "Dubois"),
		nm("Robert", "Smith"), nm("Roberta", "Smith"), nm("Elizabeth", "Warren"), nm("Eliza", "Warner"),
		nm("Margaret", "Jonson"), nm("Margarita", "Johnson"), nm("William", "Okafor"), nm("Willa", "Okafor"),
		nm("Zoë", "Kowalski"), nm("Zoe", "Kowalska"), nm("Søren", "Johansson"), nm("Jean-Luc", "Lefèvre"),
		nm("Siobhán", "O'Brien"), nm("Katarzyna", "Wiśniewska"), nm("Thảo", "Nguyễn"),
	}
	loadNames(t, lt.d, lt.id, append(people, demo.ScaleNames(7, typoCrowd)...))
	tests := []struct {
		kind, q string
		// want is the full name among the first five, or only the family
		// name when a family name alone is typed (it then has namesakes).
		want string
		// first: an exact or prefix match, which must come first.
		first bool
	}{
		{"exact", "Mai Le", "Mai Le", true},
		{"exact", "Ramon Rodrigues", "Ramon Rodrigues", true},
		{"prefix", "Ramó Rodríg", "Ramón Rodríguez", false},
		{"prefix", "Katarz", "Katarzyna Wiśniewska", false},
		{"prefix", "Wiśniews", "Katarzyna Wiśniewska", true},
		{"no accents", "Ramon Rodriguez", "Ramón Rodríguez", true},
		{"no accents", "Zoe Kowalski", "Zoë Kowalski", true},
		{"no accents", "Soren Johansson", "Søren Johansson", true},
		{"no accents", "Thao Nguyen", "Thảo Nguyễn", true},
		{"no accents", "Katarzyna Wisniewska", "Katarzyna Wiśniewska", true},
		{"accents added", "José Martínez", "Jose Martinez", true},
		{"case", "RAMÓN RODRÍGUEZ", "Ramón Rodríguez", true},
		{"swap, short", "aMi Le", "Mai Le", false},
		{"swap, short", "Mnih Ngo", "Minh Ngo", false},
		{"swap", "Ramon Rodirguez", "Ramón Rodríguez", false},
		{"drop", "Amira Darwsh", "Amira Darwish", false},
		{"drop, short", "Mai L Le", "Mai Le", false},
		{"double", "Minhh Ngo", "Minh Ngo", false},
		{"double", "Lucia Garrcia", "Lucía García", false},
		{"wrong letter", "Hodan Hirso", "Hodan Hirsi", false},
		{"wrong letter, short", "Mai Lr", "Mai Le", false},
		{"family alone, drop", "Dawish", "Darwish", false},
		{"family alone, drop", "Hiri", "Hirsi", false},
		{"family alone, drop", "Gacía", "García", false},
		{"hyphen as space", "Sean Murphy Byrne", "Seán Murphy-Byrne", true},
		{"space as hyphen", "Anne-Marie Dubois", "Anne-Marie Dubois", true},
		{"hyphen left out", "Annemarie Dubois", "Anne-Marie Dubois", true},
		{"hyphen left out", "Jean Luc Lefevre", "Jean-Luc Lefèvre", true},
		{"either order", "Rodriguez Ramon", "Ramón Rodríguez", true},
		{"either order", "Le Mai", "Mai Le", true},
		{"either order, typo", "Ngo Mnih", "Minh Ngo", false},
		{"apostrophe", "Siobhan OBrien", "Siobhán O'Brien", true},
		{"apostrophe as space", "Siobhan O Brien", "Siobhán O'Brien", false},
		{"nickname", "Bob Smith", "Robert Smith", true},
		{"nickname", "Liz Warren", "Elizabeth Warren", true},
		{"nickname", "Peggy Jonson", "Margaret Jonson", true},
		{"nickname", "Bill Okafor", "William Okafor", true},
		{"nickname and typo", "Bill Okafr", "William Okafor", false},
	}
	ctx := context.Background()
	for _, tt := range tests {
		found, err := top5(ctx, lt.d.Pool, lt.id, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		got := names(patients.ListPage{Patients: found})
		want := fold(tt.want)
		at := slices.IndexFunc(got, func(n string) bool { return fold(n) == want || strings.HasSuffix(fold(n), " "+want) })
		switch {
		case at < 0:
			t.Errorf("%s: %q found %q, want %q among them", tt.kind, tt.q, got, tt.want)
		case tt.first && at != 0:
			t.Errorf("%s: %q found %q, want %q first", tt.kind, tt.q, got, tt.want)
		}
	}
}

// A mistake is one way of mistyping a name; ok is false when the name
// offers no chance of it (no accent to leave out).
type mistake struct {
	kind string
	// familyOnly: only the family name is typed, so any namesake counts.
	familyOnly bool
	make       func(r *rand.Rand, n demo.ScaleName) (q string, ok bool)
}

var mistakes = []mistake{
	{"as written", false, func(_ *rand.Rand, n demo.ScaleName) (string, bool) { return n.Given + " " + n.Family, true }},
	{"no accents", false, func(_ *rand.Rand, n demo.ScaleName) (string, bool) {
		q := stripAccents(n.Given + " " + n.Family)
		return q, q != n.Given+" "+n.Family
	}},
	{"family given", false, func(_ *rand.Rand, n demo.ScaleName) (string, bool) { return n.Family + " " + n.Given, true }},
	{"hyphen as space", false, func(_ *rand.Rand, n demo.ScaleName) (string, bool) {
		q := strings.ReplaceAll(n.Given+" "+n.Family, "-", " ")
		return q, strings.Contains(n.Given+n.Family, "-")
	}},
	{"dropped letter", false, typed(dropLetter)},
	{"doubled letter", false, typed(doubleLetter)},
	{"swapped letters", false, typed(swapLetters)},
	{"wrong letter", false, typed(wrongLetter)},
	{"family alone, dropped letter", true, func(r *rand.Rand, n demo.ScaleName) (string, bool) {
		return dropLetter(r, []rune(n.Family))
	}},
}

// typed applies a one-letter mistake to one word of the full name, chosen
// at random.
func typed(mis func(r *rand.Rand, w []rune) (string, bool)) func(*rand.Rand, demo.ScaleName) (string, bool) {
	return func(r *rand.Rand, n demo.ScaleName) (string, bool) {
		words := strings.Fields(n.Given + " " + n.Family)
		i := r.IntN(len(words))
		w, ok := mis(r, []rune(words[i]))
		words[i] = w
		return strings.Join(words, " "), ok
	}
}

// letterAt picks a random letter's index in w, and whether w has one.
func letterAt(r *rand.Rand, w []rune, ok func(i int) bool) (int, bool) {
	var at []int
	for i, c := range w {
		if unicode.IsLetter(c) && ok(i) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return 0, false
	}
	return at[r.IntN(len(at))], true
}

// dropLetter leaves a letter out of a word of three letters or more (two
// letters less one is not a name anyone would search by).
func dropLetter(r *rand.Rand, w []rune) (string, bool) {
	i, ok := letterAt(r, w, func(int) bool { return utf8.RuneCountInString(string(w)) >= 3 })
	if !ok {
		return string(w), false
	}
	return string(slices.Delete(slices.Clone(w), i, i+1)), true
}

func doubleLetter(r *rand.Rand, w []rune) (string, bool) {
	i, ok := letterAt(r, w, func(int) bool { return true })
	if !ok {
		return string(w), false
	}
	return string(slices.Insert(slices.Clone(w), i, w[i])), true
}

func swapLetters(r *rand.Rand, w []rune) (string, bool) {
	i, ok := letterAt(r, w, func(i int) bool {
		return i+1 < len(w) && unicode.IsLetter(w[i+1]) && unicode.ToLower(w[i]) != unicode.ToLower(w[i+1])
	})
	if !ok {
		return string(w), false
	}
	s := slices.Clone(w)
	s[i], s[i+1] = s[i+1], s[i]
	return string(s), true
}

func wrongLetter(r *rand.Rand, w []rune) (string, bool) {
	i, ok := letterAt(r, w, func(int) bool { return true })
	if !ok {
		return string(w), false
	}
	s := slices.Clone(w)
	for s[i] == w[i] || unicode.ToLower(s[i]) == unicode.ToLower(w[i]) {
		s[i] = rune('a' + r.IntN(26))
	}
	return string(s), true
}

// stripAccents writes a name as a US keyboard would, for the letters of
// the scale names.
var stripAccents = func() func(string) string {
	pairs := map[string]string{"a": "àáâãäåāąă", "c": "çćč", "d": "ďđ", "e": "èéêëēęěẹ", "g": "ğ", "i": "ìíîïīı", "l": "ł",
		"n": "ñńň", "o": "òóôõöøōőơ", "r": "ř", "s": "śšş", "t": "ťţ", "u": "ùúûüūůűư", "y": "ýÿỳ", "z": "źżž"}
	var args []string
	for plain, accented := range pairs {
		for _, c := range accented {
			args = append(args, string(c), plain, strings.ToUpper(string(c)), strings.ToUpper(plain))
		}
	}
	r := strings.NewReplacer(args...)
	return func(s string) string {
		// Vietnamese stacks marks (ễ): what is left after the table keeps
		// its base letter when Unicode knows it as a Latin one.
		out := []rune(r.Replace(s))
		for i, c := range out {
			if c > unicode.MaxASCII && unicode.IsLetter(c) {
				out[i] = baseLetter(c)
			}
		}
		return string(out)
	}
}()

// baseLetter maps the Vietnamese and other stacked vowels to their base.
func baseLetter(c rune) rune {
	for base, set := range map[rune]string{'a': "ạảấầẩẫậắằẳẵặ", 'e': "ẻẽếềểễệ", 'i': "ỉị", 'o': "ọỏốồổỗộớờởỡợ",
		'u': "ụủứừửữự", 'y': "ỵỷỹ", 'A': "ẠẢẤẦẨẪẬẮẰẲẴẶ", 'E': "ẺẼẾỀỂỄỆ", 'O': "ỌỎỐỒỔỖỘỚỜỞỠỢ", 'U': "ỤỦỨỪỬỮỰ"} {
		if strings.ContainsRune(set, c) {
			return base
		}
	}
	return c
}

func fold(s string) string { return strings.ToLower(stripAccents(s)) }

// recallResult is how often one kind of mistake found its patient.
type recallResult struct {
	kind         string
	tried, found int
	took         []time.Duration // each search's time
}

// searchTarget is a patient to look for.
type searchTarget struct {
	id   string
	name demo.ScaleName
}

// measureRecall types each target's name with each kind of mistake and
// counts the searches that put the patient among the first five. A
// namesake (the same name, folded) counts as found: a name cannot tell two
// Maria Garcías apart, the date of birth beside it does. It also returns
// how long each search took.
func measureRecall(t *testing.T, pool *pgxpool.Pool, tenantID string, targets []searchTarget) ([]recallResult, []time.Duration) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	var out []recallResult
	var took []time.Duration
	for _, m := range mistakes {
		res := recallResult{kind: m.kind}
		var missed []string
		for _, tg := range targets {
			q, ok := m.make(r, tg.name)
			if !ok {
				continue
			}
			start := time.Now()
			found, err := top5(ctx, pool, tenantID, q)
			took = append(took, time.Since(start))
			res.took = append(res.took, took[len(took)-1])
			if err != nil {
				t.Fatal(err)
			}
			res.tried++
			if slices.ContainsFunc(found, func(p patients.Listed) bool { return sameAs(p, tg, m.familyOnly) }) {
				res.found++
			} else if len(missed) < 5 {
				missed = append(missed, fmt.Sprintf("%q for %s %s", q, tg.name.Given, tg.name.Family))
			}
		}
		if len(missed) > 0 {
			t.Logf("%s: missed %s", m.kind, strings.Join(missed, ", "))
		}
		out = append(out, res)
	}
	return out, took
}

func sameAs(p patients.Listed, tg searchTarget, familyOnly bool) bool {
	sameFamily := fold(p.FamilyName) == fold(tg.name.Family)
	return p.ID == tg.id || sameFamily && (familyOnly || fold(p.GivenName) == fold(tg.name.Given))
}

// logRecall prints the recall table and the search times.
func logRecall(t *testing.T, results []recallResult, took []time.Duration) {
	t.Helper()
	var b strings.Builder
	at := func(took []time.Duration, p float64) time.Duration {
		if len(took) == 0 {
			return 0
		}
		took = slices.Clone(took)
		slices.Sort(took)
		return took[int(p*float64(len(took)-1))].Round(10 * time.Microsecond)
	}
	fmt.Fprintf(&b, "%-30s %6s %6s %7s %10s %10s %10s\n", "mistake", "tried", "found", "top 5", "p50", "p95", "max")
	tried, found := 0, 0
	for _, r := range results {
		fmt.Fprintf(&b, "%-30s %6d %6d %6.1f%% %10v %10v %10v\n", r.kind, r.tried, r.found, 100*float64(r.found)/float64(r.tried),
			at(r.took, 0.5), at(r.took, 0.95), at(r.took, 1))
		tried, found = tried+r.tried, found+r.found
	}
	fmt.Fprintf(&b, "%-30s %6d %6d %6.1f%%\n", "all", tried, found, 100*float64(found)/float64(tried))
	fmt.Fprintf(&b, "search time over %d searches: p50 %v, p95 %v, p99 %v, max %v", len(took), at(took, 0.5), at(took, 0.95), at(took, 0.99), at(took, 1))
	t.Log("\n" + b.String())
}

// recallTargets is how many of the crowd are searched for, each with every
// kind of mistake (about nine searches each).
const recallTargets = 100

// minRecall is the share of mistyped searches that must find their
// patient among the first five, for every kind of mistake of a full name.
// A family name alone with a letter dropped is held to less: it is often
// another real name typed exactly (Vargas → Varga, Pagani → Pagan) or the
// start of several (Rodrigue), whose holders rightly come first.
const minRecall, minRecallFamilyAlone = 0.97, 0.80

func TestList_NameSearchRecall(t *testing.T) {
	t.Parallel()
	lt := newListTenant(t, dbtest.New(t, ""), "riverside")
	crowd := demo.ScaleNames(11, typoCrowd)
	ids := loadNames(t, lt.d, lt.id, crowd)
	var targets []searchTarget
	for i := 0; i < len(crowd) && len(targets) < recallTargets; i += len(crowd) / recallTargets {
		targets = append(targets, searchTarget{ids[i], crowd[i]})
	}
	results, took := measureRecall(t, lt.d.Pool, lt.id, targets)
	logRecall(t, results, took)
	for i, r := range results {
		want := minRecall
		if mistakes[i].familyOnly {
			want = minRecallFamilyAlone
		}
		if float64(r.found) < want*float64(r.tried) {
			t.Errorf("%s: %d of %d found in the first five, want at least %.0f%%", r.kind, r.found, r.tried, 100*want)
		}
	}
}

// TestList_NameSearchAtScale measures recall and time on a loaded scale
// tenant (read only): CARECOORD_SEARCH_URL is the app role's URL of a
// database where `carecoord seed scale` made bigcare and migrations are up.
//
//	CARECOORD_SEARCH_URL=postgres://carecoord_app:…/carecoord_search go test ./internal/patients/ -run AtScale -v
func TestList_NameSearchAtScale(t *testing.T) {
	url := os.Getenv("CARECOORD_SEARCH_URL")
	if url == "" {
		t.Skip("set CARECOORD_SEARCH_URL to a database with the bigcare scale tenant")
	}
	ctx := context.Background()
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var tenantID string
	if err := pool.QueryRow(ctx, "select id::text from tenants where slug = 'bigcare'").Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	var targets []searchTarget
	err = db.InTenant(ctx, pool, tenantID, func(tx pgx.Tx) error {
		// Every 500th patient in id order: 200 of 100,000, the same each run.
		rows, _ := tx.Query(ctx, `select id::text, given_name, family_name from (
			select p.*, row_number() over (order by id) n from patients p where tenant_id = $1) x where n % 500 = 0`, tenantID)
		targets, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (searchTarget, error) {
			var tg searchTarget
			return tg, row.Scan(&tg.id, &tg.name.Given, &tg.name.Family)
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	results, took := measureRecall(t, pool, tenantID, targets)
	logRecall(t, results, took)
}
