package patients_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// dupTenant makes a tenant holding the named patients, all born on dob.
func dupTenant(t *testing.T, d dbtest.DB, slug string, dob string, names ...[2]string) string {
	t.Helper()
	ctx := context.Background()
	var id string
	if err := d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	err := db.InTenant(ctx, d.Pool, id, func(tx pgx.Tx) error {
		for _, n := range names {
			f := url.Values{"given_name": {n[0]}, "family_name": {n[1]}, "date_of_birth": {dob}, "phone": {"555-010-1000"}}
			np, errs := patients.ParseIntake(f).Validate(time.Now(), nil)
			if len(errs) > 0 {
				t.Fatalf("test patient %v: %v", n, errs)
			}
			if _, err := patients.Create(ctx, tx, id, "", np); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPossibleDuplicates_SameBirthDateAndSimilarName(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a := dupTenant(t, d, "tenant-a", "1956-04-02", [2]string{"Rosa", "Delgado"}, [2]string{"Walter", "Nguyen"})
	dupTenant(t, d, "tenant-b", "1956-04-02", [2]string{"Rosa", "Delgado"})
	dob := time.Date(1956, 4, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		given, family string
		want          []string
	}{
		{"Rosa", "Delgado", []string{"Rosa Delgado"}},
		{"Roza", "Delgato", []string{"Rosa Delgado"}},
		{"ROSA", "delgado", []string{"Rosa Delgado"}},
		{"Rosalind", "Delgado", []string{"Rosa Delgado"}},
		{"Maria", "Okafor", nil},
	}
	for _, tt := range tests {
		err := db.InTenant(context.Background(), d.Pool, a, func(tx pgx.Tx) error {
			got, err := patients.PossibleDuplicates(context.Background(), tx, a, dob, tt.given, tt.family)
			if err != nil {
				return err
			}
			var names []string
			for _, g := range got {
				names = append(names, g.GivenName+" "+g.FamilyName)
			}
			if len(names) != len(tt.want) || (len(names) > 0 && names[0] != tt.want[0]) {
				t.Errorf("%s %s: duplicates %v, want %v", tt.given, tt.family, names, tt.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Another birth date is never a duplicate, however alike the name.
	_ = db.InTenant(context.Background(), d.Pool, a, func(tx pgx.Tx) error {
		got, _ := patients.PossibleDuplicates(context.Background(), tx, a, dob.AddDate(0, 0, 1), "Rosa", "Delgado")
		if len(got) != 0 {
			t.Errorf("other birth date: %d duplicates", len(got))
		}
		return nil
	})
}
