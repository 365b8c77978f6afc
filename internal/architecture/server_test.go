package architecture_test

import (
	"go/ast"
	"go/token"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// maxHandlerLines is the longest a handler may be, from func to its closing
// brace: parse, call one use case, render.
const maxHandlerLines = 40

// isHandler reports whether fn takes (http.ResponseWriter, *http.Request).
func isHandler(fn *ast.FuncDecl) bool {
	p := fn.Type.Params.List
	if len(p) != 2 && !(len(p) == 1 && len(p[0].Names) == 2) {
		return false
	}
	se, ok := p[0].Type.(*ast.SelectorExpr)
	return ok && se.Sel.Name == "ResponseWriter"
}

func TestServer_HandlersAreShort(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	for name, f := range parseDir(t, fset, "internal/server") {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !isHandler(fn) {
				continue
			}
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxHandlerLines {
				t.Errorf("%s: handler %s is %d lines; at most %d: parse, call one use case, render", name, fn.Name.Name, n, maxHandlerLines)
			}
		}
	}
}

// queryMethods are the calls that send SQL.
var queryMethods = map[string]bool{"Exec": true, "Query": true, "QueryRow": true, "SendBatch": true, "CopyFrom": true}

var sqlText = regexp.MustCompile(`(?is)^\s*(select\s.+\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|with\s+\w+\s+as)\b`)

func TestServer_HoldsNoSQL(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	for name, f := range parseDir(t, fset, "internal/server") {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if se, ok := n.Fun.(*ast.SelectorExpr); ok && queryMethods[se.Sel.Name] && !isURL(se.X) {
					t.Errorf("%s: %s calls %s: queries belong to the package that owns the table", name, fset.Position(n.Pos()), se.Sel.Name)
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && sqlText.MatchString(strings.Trim(n.Value, "`\"")) {
					t.Errorf("%s: %s holds SQL", name, fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
}

// isURL reports whether x is a URL (r.URL.Query() reads a query string).
func isURL(x ast.Expr) bool {
	se, ok := x.(*ast.SelectorExpr)
	return ok && se.Sel.Name == "URL"
}

// failureExceptions are the places besides errors.go that may tell
// failures apart, each with its reason in a comment there.
var failureExceptions = map[string]string{
	// A spent invitation or reset link answers 410 Gone, which no kind of
	// failure maps to.
	"internal/server/links.go": "spentLink",
}

// TestServer_MapsFailuresOnce: errors.go turns every kind of failure into
// its status and page; nowhere else in the server tests an error's identity.
func TestServer_MapsFailuresOnce(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	var sites []string
	for name, f := range parseDir(t, fset, "internal/server") {
		if strings.HasSuffix(name, "/errors.go") {
			continue
		}
		if fn, ok := failureExceptions[name]; ok {
			f = withoutFunc(f, fn)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := se.X.(*ast.Ident); ok && id.Name == "errors" && (se.Sel.Name == "Is" || se.Sel.Name == "As") {
					sites = append(sites, fset.Position(se.Pos()).String())
				}
			}
			return true
		})
	}
	sort.Strings(sites)
	if len(failureExceptions) > 3 {
		t.Errorf("%d exceptions: the issue allows a handful at most", len(failureExceptions))
	}
	for _, s := range sites {
		t.Errorf("%s: errors.Is/As outside errors.go: return the error, or use showAgain or flashFailure", s)
	}
}

// withoutFunc is f without the function named name.
func withoutFunc(f *ast.File, name string) *ast.File {
	c := *f
	c.Decls = nil
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == name {
			continue
		}
		c.Decls = append(c.Decls, d)
	}
	return &c
}
