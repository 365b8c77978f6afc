package architecture_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// parseDir parses the non-test Go files of dir, generated ones left out.
func parseDir(t *testing.T, fset *token.FileSet, dir string) map[string]*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*ast.File{}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") || strings.HasSuffix(n, "_templ.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join(dir, filepath.Base(n))] = f
	}
	return files
}

// eachFile calls fn for every non-test, non-generated Go file of the
// module's packages.
func eachFile(t *testing.T, fn func(fset *token.FileSet, dir, name string, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	for _, dir := range packageDirs(t) {
		for name, f := range parseDir(t, fset, dir) {
			fn(fset, dir, name, f)
		}
	}
}

func TestRows_AreReadByName(t *testing.T) {
	t.Parallel()
	eachFile(t, func(fset *token.FileSet, _, name string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok && strings.HasSuffix(se.Sel.Name, "ByPos") {
				t.Errorf("%s: %s maps a row by position; reordering a field would map the wrong column: use RowToStructByName or Scan",
					fset.Position(se.Pos()), se.Sel.Name)
			}
			return true
		})
	})
}

// clockOwners may read the real clock: the clock itself, and the places
// that hand it to everything else.
var clockOwners = map[string]bool{"internal/calendar": true, "cmd/carecoord": true, "cmd/carecoord-load": true}

// stopwatches time how long something takes, which no rule reads.
var stopwatches = map[string]bool{"internal/server/middleware.go": true}

func TestClock_IsInjected(t *testing.T) {
	t.Parallel()
	eachFile(t, func(fset *token.FileSet, dir, name string, f *ast.File) {
		if clockOwners[dir] || stopwatches[name] {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok && se.Sel.Name == "Now" {
				if id, ok := se.X.(*ast.Ident); ok && id.Name == "time" {
					t.Errorf("%s reads time.Now: take the actor's At or an injected calendar.Clock", fset.Position(se.Pos()))
				}
			}
			return true
		})
	})
}

func TestDates_AreWrittenWithTheCalendarsLayouts(t *testing.T) {
	t.Parallel()
	eachFile(t, func(fset *token.FileSet, dir, name string, f *ast.File) {
		if dir == "internal/calendar" {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if l, ok := n.(*ast.BasicLit); ok && l.Kind == token.STRING && (strings.Contains(l.Value, "2006") || strings.Contains(l.Value, "15:04")) {
				t.Errorf("%s: a date layout %s: use the layouts of internal/calendar", fset.Position(l.Pos()), l.Value)
			}
			return true
		})
	})
}
