package server

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carecoord/internal/demo"

	"github.com/chromedp/chromedp"
)

// browserSlot lets one Chromium run at a time: on a two-core machine two
// browsers beside the race-detecting server starve each other.
var browserSlot = make(chan struct{}, 1)

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
	browserSlot <- struct{}{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		<-browserSlot
	})
	return ctx
}

// signInInBrowser signs in through the sign-in form, as a person would, and
// waits for the worklist.
func signInInBrowser(app *testApp, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist]`)),
	)
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

// location reads the page's address into *dst.
func location(dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		*dst, err = chromedp.Location()(ctx, t)
		return err
	})
}

// value reads the value of the form control sel into *dst.
func value(sel chromedp.CSS, dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		*dst, err = chromedp.Value(sel)(ctx, t)
		return err
	})
}

// TestJourney_CoordinatorTakesInAPatientAndFindsThemAgain walks issue 4 as a
// coordinator would: a bad birth date fixed without retyping, a duplicate
// warning, the chart, a misspelled search, a care-team edit, the timeline.
func TestJourney_CoordinatorTakesInAPatientAndFindsThemAgain(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	existing := app.signedIn("coord1@northside.test").post("/t/northside/patients", url.Values{
		"given_name": {"Eleanor"}, "family_name": {"Whitaker"}, "date_of_birth": {"1948-06-14"}, "phone": {"555-010-4411"}})
	if existing.status != http.StatusSeeOther {
		t.Fatalf("existing patient: %d", existing.status)
	}
	ctx := browser(t)
	var keptPreferred, dobError, chartURL, heading, results, timeline, team string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/patients/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=given_name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=given_name]`), "Eleanor"),
		chromedp.SendKeys(chromedp.CSS(`input[name=family_name]`), "Whittaker"),
		chromedp.SendKeys(chromedp.CSS(`input[name=preferred_name]`), "Nell"),
		chromedp.SetValue(chromedp.CSS(`input[name=date_of_birth]`), "2048-06-14"),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), "555-010-7788"),
		chromedp.SendKeys(chromedp.CSS(`input[name=referral_source]`), "Mercy Hospital discharge planner"),
		chromedp.Click(chromedp.CSS(`button.button-primary[type=submit]`)),
		// The typo'd year is marked beside the field; nothing typed is lost.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-date_of_birth]`)),
		text(`[data-testid=error-date_of_birth]`, &dobError),
		value(`input[name=preferred_name]`, &keptPreferred),
		screenshot("intake-error"),
		chromedp.SetValue(chromedp.CSS(`input[name=date_of_birth]`), "1948-06-14"),
		chromedp.Click(chromedp.CSS(`button.button-primary[type=submit]`)),
		// Same birthday, similar name: the coordinator is warned first.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=duplicates]`)),
		screenshot("intake-duplicates"),
		chromedp.Click(chromedp.CSS(`[data-testid=duplicates] button[name=confirmed_new]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)),
		text(`h1`, &heading),
		location(&chartURL),
		screenshot("intake-chart"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dobError, "future") || keptPreferred != "Nell" {
		t.Errorf("birth-date message %q, preferred name kept as %q", dobError, keptPreferred)
	}
	if !strings.Contains(heading, "Whittaker") {
		t.Fatalf("chart heading %q", heading)
	}
	chartPath := strings.TrimPrefix(chartURL, app.http.URL)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/patients"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=q]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "Elenor Whitacker"),
		chromedp.Click(chromedp.CSS(`[data-testid=patient-filters] button[type=submit]`)),
		// The list is on the page before the search too; the Clear link
		// appears only on the results, so waiting for it cannot match the
		// page that is going away.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=patient-filters] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=patient-list]`)),
		text(`[data-testid=patient-list]`, &results),
		screenshot("intake-search"),
		chromedp.Click(chromedp.CSS(`[data-testid=patient-list] a[href="`+chartPath+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=care-team]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=care-team] a[href$="/care-team/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "caregiver"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Ruth Whittaker"),
		chromedp.SendKeys(chromedp.CSS(`input[name=relationship]`), "Sister"),
		chromedp.Click(chromedp.CSS(`form button.button-primary[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=care-team]`, &team),
		text(`[data-testid=timeline]`, &timeline),
		screenshot("intake-care-team"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(results, "Whittaker") {
		t.Errorf("misspelled search results: %q", results)
	}
	if !strings.Contains(team, "Ruth Whittaker") {
		t.Errorf("care team shows %q", team)
	}
	for _, step := range []string{"Taken in by intake", "Added Ruth Whittaker"} {
		if !strings.Contains(timeline, step) {
			t.Errorf("timeline lacks %q:\n%s", step, timeline)
		}
	}
}
