package referrals_test

import (
	"testing"

	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Seed{Name: "demo", Load: demo.Load})
}
