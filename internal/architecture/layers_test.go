// Package architecture_test keeps the shape docs/architecture.md describes:
// dependencies that point one way, an HTTP layer that only parses, calls a
// use case and renders, and the small things done one way each. A change
// that bends the shape fails here with the place to look.
package architecture_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// root is the module's root, two levels up from this package.
const root = "../.."

// layers ranks CareCoord's packages: a package may import only packages of
// a lower rank. The order is the one docs/architecture.md draws.
var layers = map[string]int{
	"internal/fail": 0, "internal/calendar": 0, "internal/forms": 1, "internal/db": 1, "internal/config": 1,
	"internal/db/dbtest": 2, "migrations": 0,
	"internal/audit": 2, "internal/mail": 2, "internal/once": 2,
	"internal/auth":        3,
	"internal/tenants":     4,
	"internal/patients":    5,
	"internal/tasks":       6,
	"internal/assessments": 7,
	"internal/careplans":   8,
	"internal/contacts":    9,
	"internal/referrals":   10, "internal/risk": 10,
	"internal/worklist": 11, "internal/caseload": 11, "internal/chart": 11,
	"internal/schedule": 12, "internal/demo": 12,
	"web":             13,
	"internal/server": 14, "internal/yardstick": 14,
	"cmd/carecoord": 15, "cmd/carecoord-load": 15,
}

// goFiles parses the Go files of dir (tests too when withTests).
func goFiles(t *testing.T, dir string, withTests bool) map[string]*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, n := range names {
		if !withTests && strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(n)] = f
	}
	return files
}

func packageDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "static") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	out := dirs[:0]
	for i, d := range dirs {
		if (i == 0 || d != dirs[i-1]) && d != "internal/architecture" {
			out = append(out, d)
		}
	}
	return out
}

func TestLayers_DependenciesPointOneWay(t *testing.T) {
	t.Parallel()
	for _, dir := range packageDirs(t) {
		rank, ok := layers[dir]
		if !ok {
			t.Errorf("%s has no place in the layers: add it to the list here and to docs/architecture.md", dir)
			continue
		}
		for name, f := range goFiles(t, dir, false) {
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				dep, ok := strings.CutPrefix(path, "carecoord/")
				if !ok {
					if path == "net/http" && rank < layers["web"] {
						t.Errorf("%s/%s imports net/http: only internal/server knows HTTP", dir, name)
					}
					continue
				}
				if r, known := layers[dep]; known && r >= rank && dep != dir {
					t.Errorf("%s/%s imports %s, which is not below it", dir, name, dep)
				}
			}
		}
	}
}
