package web

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/a-h/templ"
)

// Rendering the heaviest pages from large view structs: every list holds
// rows items, every string is a realistic length. The structs are filled
// by reflection, so a field added to a view is rendered here too.
//
//	go test ./web/ -run '^$' -bench Render -benchmem

const rows = 100

func BenchmarkRender_Chart(b *testing.B) {
	var v ChartView
	fill(reflect.ValueOf(&v).Elem(), rows/2, 0) // a busy chart: 50 of each
	bench(b, ChartPage(v))
}

func BenchmarkRender_Worklist(b *testing.B) {
	var v WorklistView
	fill(reflect.ValueOf(&v).Elem(), rows, 0)
	bench(b, WorklistPage(v))
}

func BenchmarkRender_CaseloadDashboard(b *testing.B) {
	var v CaseloadView
	fill(reflect.ValueOf(&v).Elem(), 30, 0) // a row per coordinator
	bench(b, CaseloadPage(v))
}

func BenchmarkRender_CaseloadPatients(b *testing.B) {
	var v CaseloadPatientsView
	fill(reflect.ValueOf(&v).Elem(), rows, 0)
	bench(b, CaseloadPatientsPage(v))
}

func bench(b *testing.B, c templ.Component) {
	b.Helper()
	n := &countingWriter{}
	if err := c.Render(context.Background(), n); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n.n)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Render(context.Background(), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// fill gives every field a value: n items per slice (fewer deeper down, so
// nested lists stay page-sized), strings of a name's or a sentence's
// length, counts, true flags.
func fill(v reflect.Value, n, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("Margaret O'Neill-García %d", depth))
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(7 + depth))
	case reflect.Float64, reflect.Float32:
		v.SetFloat(3.5)
	case reflect.Bool:
		v.SetBool(depth%2 == 1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fill(v.Field(i), n, depth+1)
			}
		}
	case reflect.Slice:
		k := n
		if depth > 2 {
			k = 3
		}
		s := reflect.MakeSlice(v.Type(), k, k)
		for i := range k {
			fill(s.Index(i), n, depth+1)
		}
		v.Set(s)
	case reflect.Pointer:
		if depth < 4 {
			p := reflect.New(v.Type().Elem())
			fill(p.Elem(), n, depth+1)
			v.Set(p)
		}
	}
}
