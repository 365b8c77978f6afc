package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// buildTempl builds the pinned templ once for both tests below. On a fresh
// build cache each `go tool templ` compiles it, and the two tests, running
// in parallel, compiled it twice at once (46 s each on two busy cores); the
// second now finds it in the cache.
var buildTempl = sync.OnceValues(func() ([]byte, error) {
	return exec.Command("go", "tool", "templ", "version").CombinedOutput()
})

// runTempl runs the pinned templ with args.
func runTempl(t *testing.T, args ...string) {
	t.Helper()
	if out, err := buildTempl(); err != nil {
		t.Fatalf("build templ: %v\n%s", err, out)
	}
	if out, err := exec.Command("go", append([]string{"tool", "templ"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("templ %s: %v\n%s", args[0], err, out)
	}
}

// TestGeneratedCodeIsCurrent regenerates every component into a scratch
// directory with the pinned templ and compares it with the committed
// *_templ.go files: editing a .templ file without `make generate` fails here.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	t.Parallel()
	sources, root, scratch := copyTemplates(t)
	runTempl(t, "generate", "-path", root)
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

// TestTemplatesAreFormatted formats a copy of every component with the
// pinned templ: a .templ file that `templ fmt` would change fails here.
func TestTemplatesAreFormatted(t *testing.T) {
	t.Parallel()
	sources, _, scratch := copyTemplates(t)
	runTempl(t, "fmt", scratch)
	for _, src := range sources {
		want, err := os.ReadFile(filepath.Join(scratch, src))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(src); string(got) != string(want) {
			t.Errorf("%s is not formatted: run `go tool templ fmt web` and commit the result", src)
		}
	}
}

// copyTemplates copies every .templ file into root/web, a scratch
// directory: templ names source files relative to where it runs, as
// web/x.templ when run from the module root (make generate), so the copy
// mirrors that layout.
func copyTemplates(t *testing.T) (sources []string, root, scratch string) {
	t.Helper()
	sources, err := filepath.Glob("*.templ")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no .templ files found: %v", err)
	}
	root = t.TempDir()
	scratch = filepath.Join(root, "web")
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
	return sources, root, scratch
}
