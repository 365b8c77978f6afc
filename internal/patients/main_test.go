package patients_test

import (
	"testing"

	"carecoord/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
