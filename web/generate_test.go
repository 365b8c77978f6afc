package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates every component into a scratch
// directory with the pinned templ and compares it with the committed
// *_templ.go files: editing a .templ file without `make generate` fails here.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	t.Parallel()
	sources, err := filepath.Glob("*.templ")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no .templ files found: %v", err)
	}
	// templ names source files relative to where it runs, as web/x.templ
	// when run from the module root (make generate), so mirror that layout.
	root := t.TempDir()
	scratch := filepath.Join(root, "web")
	if err := os.Mkdir(scratch, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(scratch, src), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "tool", "templ", "generate", "-path", root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("templ generate: %v\n%s", err, out)
	}
	for _, src := range sources {
		gen := strings.TrimSuffix(src, ".templ") + "_templ.go"
		want, err := os.ReadFile(filepath.Join(scratch, gen))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(gen)
		if err != nil {
			t.Errorf("%s is missing: run `make generate`", gen)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s is stale: run `make generate` and commit the result", gen)
		}
	}
}
