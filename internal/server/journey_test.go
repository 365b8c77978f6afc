package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carecoord/internal/demo"

	"github.com/chromedp/chromedp"
)

// browser starts Debian's headless Chromium for one test. Without Chromium
// the test is skipped, unless CARECOORD_REQUIRE_BROWSER is set (make test
// installs Chromium and sets it, so CI cannot skip silently).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CARECOORD_REQUIRE_BROWSER") != "" {
			t.Fatal("Chromium is required but not installed: run .ci/chromium.sh")
		}
		t.Skip("Chromium not installed (make test installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// screenshot saves the page when CARECOORD_SCREENSHOTS names a directory, for
// a person to look at. Quality 100 makes a PNG.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	dir := os.Getenv("CARECOORD_SCREENSHOTS")
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if dir == "" {
			return nil
		}
		png, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// text reads the text of the element sel into *dst.
func text(sel chromedp.CSS, dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		*dst, err = chromedp.Text(sel)(ctx, t)
		return err
	})
}

func TestJourney_CoordinatorSignsInAndSeesTheWorklist(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := browser(t)
	var heading, tenant, nav, problem string
	err := chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		screenshot("login"),
		// A wrong password first: the message appears and the email stays.
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "coord1@northside.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "wrong password"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-problem]`)),
		text(`[data-testid=form-problem]`, &problem),
		screenshot("login-error"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist]`)),
		text(`h1`, &heading),
		text(`[data-testid=tenant-name]`, &tenant),
		text(`nav.sidenav`, &nav),
		screenshot("worklist"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(problem, "don't match") {
		t.Errorf("wrong-password message = %q", problem)
	}
	if heading != "Good to see you, Maya" || !strings.Contains(tenant, "Northside Health Partners") || !strings.Contains(nav, "Worklist") {
		t.Errorf("worklist shows heading %q, tenant %q, nav %q", heading, tenant, nav)
	}
}
