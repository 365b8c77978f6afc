package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// postForm is the opening tag of a form that posts.
var postForm = regexp.MustCompile(`<form\b[^>]*\bmethod="post"[^>]*>`)

// TestEveryPostingFormCarriesAOneTimeToken: a form that posts without
// @Once() could be sent twice and take effect twice (issue 21).
func TestEveryPostingFormCarriesAOneTimeToken(t *testing.T) {
	t.Parallel()
	sources, err := filepath.Glob("*.templ")
	if err != nil {
		t.Fatal(err)
	}
	forms := 0
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, loc := range postForm.FindAllStringIndex(text, -1) {
			forms++
			if !strings.HasPrefix(strings.TrimSpace(text[loc[1]:]), "@Once()") {
				line := strings.Count(text[:loc[0]], "\n") + 1
				t.Errorf("%s:%d: a form that posts does not start with @Once()", src, line)
			}
		}
	}
	if forms == 0 {
		t.Fatal("no forms found: the pattern no longer matches the templates")
	}
}

// TestOnceIsFreshAtEachRender: two renders, two tokens.
func TestOnceIsFreshAtEachRender(t *testing.T) {
	t.Parallel()
	token := regexp.MustCompile(`<input type="hidden" name="` + OnceField + `" value="([A-Z2-7]{26})">`)
	var seen [2]string
	for i := range seen {
		var b strings.Builder
		if err := Once().Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		m := token.FindStringSubmatch(b.String())
		if m == nil {
			t.Fatalf("rendered %q", b.String())
		}
		seen[i] = m[1]
	}
	if seen[0] == seen[1] {
		t.Error("the same token rendered twice")
	}
}
