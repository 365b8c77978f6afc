package patients

// The patient list at scale: a tenant with 100,000 patients (and a smaller
// neighbour, so every plan has to pick its tenant out). Loading takes a few
// seconds, so nothing here runs in a plain `go test ./...`:
//
//	go test ./internal/patients/ -run '^$' -bench BenchmarkList -benchtime 200x
//	CARECOORD_EXPLAIN=1 go test ./internal/patients/ -run TestListPlans -v
//
// The first times each kind of filter through List (transaction included);
// the second prints EXPLAIN (ANALYZE, BUFFERS) of each query shape.

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"

	"github.com/jackc/pgx/v5"
)

// bigTenant is the loaded database: the 100,000-patient tenant, its
// coordinators, and a patient to search for.
type bigTenant struct {
	db           dbtest.DB
	tenantID     string
	coordinators []string
	// deep is a cursor 2,000 patients into the first coordinator's caseload.
	deep string
	// deepSearch is a cursor on the second page of the name search.
	deepSearch string
}

const (
	bigPatients   = 100_000
	smallPatients = 10_000
	bigCoords     = 8
)

var (
	benchGiven = strings.Fields(`Margaret Mary Patricia Linda Barbara Elizabeth Jennifer Maria Susan Dorothy Lisa Nancy
		Karen Betty Helen Sandra Donna Carol Ruth Sharon Michelle Laura Sarah Kimberly Deborah Jessica Shirley Cynthia
		Angela Melissa Brenda Amy Anna Rebecca Virginia Kathleen Pamela Martha Debra Amanda Stephanie Carolyn Christine
		Marie Janet Catherine Frances Ann Joyce Diane Alice Julie Heather Teresa Doris Gloria Evelyn Jean Cheryl Mildred
		James John Robert Michael William David Richard Charles Joseph Thomas Christopher Daniel Paul Mark Donald George
		Kenneth Steven Edward Brian Ronald Anthony Kevin Jason Matthew Gary Timothy Jose Larry Jeffrey Frank Scott Eric
		Stephen Andrew Raymond Gregory Joshua Jerry Dennis Walter Patrick Peter Harold Douglas Henry Carl Arthur Ryan
		Roger Joe Juan Jack Albert Jonathan Justin Terry Gerald Keith Samuel Willie Ralph Lawrence Nicholas Roy Benjamin
		Aisha Fatima Mohammed Wei Mei Hiroshi Yuki Priya Arjun Oluwaseun Chinedu Nguyen Thi Minh Olga Dmitri Ingrid Lars
		Siobhan Aoife Rosa Guadalupe Xiomara Tomas Mateo Sofia Camila Valentina Lucia Diego Alejandro Kwame Ama Kofi`)
	benchFamily = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
		Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
		Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
		Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes
		Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos
		Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
		Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson
		Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace
		Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens
		Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns
		Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer
		Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
		Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters
		Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray
		Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Okafor
		Adeyemi Nakamura Tanaka Yamamoto Kowalski Novak Horvat Ivanova Petrov Lindqvist Johansson Byrne OBrien Murphy`)
)

// loadBigTenant fills a fresh database with the two tenants. The insert is
// one `insert … select generate_series` per tenant, with a fixed seed so
// every run sees the same names.
func loadBigTenant(tb testing.TB) bigTenant {
	tb.Helper()
	ctx := context.Background()
	d := dbtest.New(tb, "")
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer owner.Close(ctx)
	big := bigTenant{db: d}
	big.tenantID, big.coordinators = loadTenant(tb, owner, "big", bigPatients, bigCoords)
	loadTenant(tb, owner, "neighbour", smallPatients, 2)
	// Statistics and the visibility map, as autovacuum would leave them.
	if _, err := owner.Exec(ctx, "vacuum analyze patients"); err != nil {
		tb.Fatal(err)
	}
	big.deep = cursorAt(tb, d, big.tenantID, Filter{Coordinator: &big.coordinators[0]}, 2000)
	name := "margret johnson"
	big.deepSearch = cursorAt(tb, d, big.tenantID, Filter{Name: &name}, ListPageSize)
	return big
}

// loadTenant adds a tenant with n patients spread over coordinators users
// (one in twenty unassigned) and returns its id and theirs.
func loadTenant(tb testing.TB, conn *pgx.Conn, slug string, n, coordinators int) (string, []string) {
	tb.Helper()
	ctx := context.Background()
	var tenantID string
	var coords []string
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&tenantID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			insert into users (email, name, password_hash)
			select $1 || '-coord' || i || '@example.test', 'Coordinator ' || i, 'x' from generate_series(1, $2) i
			returning id::text`, slug, coordinators)
		var err error
		if coords, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true), setseed(0.42)", tenantID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			insert into patients (tenant_id, given_name, family_name, preferred_name, date_of_birth, phone,
				external_id, status, risk_tier, assigned_coordinator_id)
			select $1, g, f, case when random() < 0.1 then g2 else '' end,
			       date '1930-01-01' + (random() * 29000)::int,
			       '555-' || lpad((i % 10000)::text, 4, '0'),
			       'MRN' || lpad(i::text, 7, '0'),
			       case when s < 0.15 then 'referred' when s < 0.65 then 'active' when s < 0.75 then 'on_hold' else 'discharged' end,
			       case when r < 0.4 then 'low' when r < 0.8 then 'moderate' else 'high' end,
			       case when random() < 0.05 then null else ($5::uuid[])[1 + (random() * 1000)::int % cardinality($5)] end
			  from (select i, random() s, random() r,
			               ($3::text[])[1 + (random() * 1000)::int % cardinality($3)] g,
			               ($3::text[])[1 + (random() * 1000)::int % cardinality($3)] g2,
			               ($4::text[])[1 + (random() * 10000)::int % cardinality($4)] f
			          from generate_series(1, $2) i) x`,
			tenantID, n, benchGiven, benchFamily, coords)
		return err
	})
	if err != nil {
		tb.Fatalf("load %s: %v", slug, err)
	}
	return tenantID, coords
}

// cursorAt is the cursor after the first n patients of f's list.
func cursorAt(tb testing.TB, d dbtest.DB, tenantID string, f Filter, n int) string {
	tb.Helper()
	f.Limit = n
	var next string
	err := db.InTenant(context.Background(), d.Pool, tenantID, func(tx pgx.Tx) error {
		page, err := List(context.Background(), tx, tenantID, f)
		next = page.Next
		return err
	})
	if err != nil || next == "" {
		tb.Fatalf("cursor after %d: %q, %v", n, next, err)
	}
	return next
}

// listShape is one kind of list a coordinator asks for.
type listShape struct {
	name   string
	filter func(big bigTenant) Filter
}

func ptr[T any](v T) *T { return &v }

var listShapes = []listShape{
	{"my caseload", func(b bigTenant) Filter { return Filter{Coordinator: &b.coordinators[0]} }},
	{"my caseload, page 81", func(b bigTenant) Filter { return Filter{Coordinator: &b.coordinators[0], After: &b.deep} }},
	{"my caseload, on hold", func(b bigTenant) Filter { return Filter{Coordinator: &b.coordinators[0], Status: ptr(OnHold)} }},
	{"my caseload, high risk", func(b bigTenant) Filter { return Filter{Coordinator: &b.coordinators[0], Risk: ptr(High)} }},
	{"my caseload, active, high risk", func(b bigTenant) Filter {
		return Filter{Coordinator: &b.coordinators[0], Status: ptr(Active), Risk: ptr(High)}
	}},
	{"everyone", func(b bigTenant) Filter { return Filter{} }},
	{"everyone, on hold", func(b bigTenant) Filter { return Filter{Status: ptr(OnHold)} }},
	{"everyone, high risk", func(b bigTenant) Filter { return Filter{Risk: ptr(High)} }},
	{"everyone, on hold, high risk", func(b bigTenant) Filter { return Filter{Status: ptr(OnHold), Risk: ptr(High)} }},
	{"name, misspelled", func(b bigTenant) Filter { return Filter{Name: ptr("margret johnson")} }},
	{"name, misspelled, page 2", func(b bigTenant) Filter { return Filter{Name: ptr("margret johnson"), After: &b.deepSearch} }},
	{"name, family only", func(b bigTenant) Filter { return Filter{Name: ptr("okafr")} }},
	{"name, two letters", func(b bigTenant) Filter { return Filter{Name: ptr("li")} }},
	{"name, in my caseload", func(b bigTenant) Filter {
		return Filter{Coordinator: &b.coordinators[0], Name: ptr("margret johnson")}
	}},
	{"date of birth", func(b bigTenant) Filter { return Filter{DOB: ptr(time.Date(1948, 3, 21, 0, 0, 0, 0, time.UTC))} }},
	{"external id (and name)", func(b bigTenant) Filter { return Filter{Name: ptr("MRN0054321"), ExternalID: ptr("MRN0054321")} }},
}

func BenchmarkList(b *testing.B) {
	big := loadBigTenant(b)
	ctx := context.Background()
	for _, s := range listShapes {
		b.Run(s.name, func(b *testing.B) {
			f := s.filter(big)
			for b.Loop() {
				err := db.InTenant(ctx, big.db.Pool, big.tenantID, func(tx pgx.Tx) error {
					_, err := List(ctx, tx, big.tenantID, f)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestListPlans prints the plan of every list shape on the big tenant, and
// fails if one reads the whole table.
func TestListPlans(t *testing.T) {
	if os.Getenv("CARECOORD_EXPLAIN") == "" {
		t.Skip("set CARECOORD_EXPLAIN=1 to load 100,000 patients and print the list's query plans")
	}
	big := loadBigTenant(t)
	ctx := context.Background()
	for _, s := range listShapes {
		f := s.filter(big)
		err := db.InTenant(ctx, big.db.Pool, big.tenantID, func(tx pgx.Tx) error {
			plan, err := explainList(ctx, tx, big.tenantID, f)
			if err != nil {
				return err
			}
			t.Logf("%s:\n%s", s.name, plan)
			if strings.Contains(plan, "Seq Scan on patients") {
				t.Errorf("%s reads the whole patients table", s.name)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
}

// explainList runs List's query for f under EXPLAIN, as List would: the
// same cursor lookup and statement.
func explainList(ctx context.Context, tx pgx.Tx, tenantID string, f Filter) (string, error) {
	var after *sortKey
	if f.After != nil {
		k, err := cursorKey(ctx, tx, tenantID, f)
		if err != nil {
			return "", err
		}
		after = &k
	}
	sql, args := listSQL(tenantID, f, after, ListPageSize+1)
	rows, _ := tx.Query(ctx, "explain (analyze, buffers) "+sql, args...)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}

// searchKinds are the kinds of search people type, as tried on the scale
// tenant's names (internal/demo/scalenames.go) by TestSearchKindsAtScale.
var searchKinds = []struct {
	kind    string
	queries []string
}{
	{"full name", []string{"maria garcia", "john smith", "james wilson", "linda nguyen", "david lee", "sofia rossi"}},
	{"family alone", []string{"garcia", "smith", "johnson", "nguyen", "kowalski", "fitzgerald"}},
	{"prefix", []string{"mar", "gar", "smi", "jo", "wil", "ma", "rod", "ander"}},
	{"prefix with family", []string{"mar garcia", "jo smith", "wil johnson", "dav lee"}},
	{"misspelled full name", []string{"mraia garcia", "jonh smith", "james wilsno", "maria garica", "jhon smit", "lnda nguyen"}},
	{"misspelled family", []string{"garica", "smiht", "rodriguz", "jonson", "hernadez", "wiliams"}},
	{"accents dropped", []string{"jose gomez", "muller", "francois", "nguyen van", "gonzalez maria", "sigurdsson"}},
	{"nickname", []string{"bob smith", "bill jones", "liz brown", "pepe garcia", "kate johnson", "mike davis"}},
}

// TestSearchKindsAtScale times each kind of search through List, inside the
// tenant transaction as the app runs it, on a loaded scale tenant (read
// only), and with CARECOORD_EXPLAIN prints each query's plan:
//
//	CARECOORD_SEARCH_URL=postgres://carecoord_app:…/carecoord_bench go test ./internal/patients/ -run SearchKindsAtScale -v
func TestSearchKindsAtScale(t *testing.T) {
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
	const rounds = 7
	var all []time.Duration
	for _, k := range searchKinds {
		var took []time.Duration
		for _, q := range k.queries {
			f := Filter{Name: &q}
			var mine []time.Duration
			for range rounds {
				start := time.Now()
				var n int
				err := db.InTenant(ctx, pool, tenantID, func(tx pgx.Tx) error {
					page, err := List(ctx, tx, tenantID, f)
					n = len(page.Patients)
					return err
				})
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				mine = append(mine, time.Since(start))
				if n == 0 {
					t.Errorf("%q found nobody", q)
				}
			}
			took = append(took, mine...)
			slices.Sort(mine)
			line := fmt.Sprintf("  %-22q min %8v median %8v", q, mine[0].Round(10*time.Microsecond), mine[len(mine)/2].Round(10*time.Microsecond))
			if os.Getenv("CARECOORD_EXPLAIN") != "" {
				err := db.InTenant(ctx, pool, tenantID, func(tx pgx.Tx) error {
					plan, err := explainList(ctx, tx, tenantID, f)
					line += "\n" + plan
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			t.Log(line)
		}
		all = append(all, took...)
		t.Logf("%-22s %s", k.kind, percentiles(took))
	}
	t.Logf("%-22s %s", "all", percentiles(all))
}

// percentiles is "p50 … p95 … max …" of took, by nearest rank.
func percentiles(took []time.Duration) string {
	took = slices.Clone(took)
	slices.Sort(took)
	at := func(p int) time.Duration {
		return took[max(0, (len(took)*p+99)/100-1)].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("%3d searches: p50 %8v  p95 %8v  max %8v", len(took), at(50), at(95), at(100))
}
