package server

import (
	"context"
	"strings"
	"testing"

	"carecoord/internal/demo"

	"github.com/chromedp/chromedp"
)

// signInAndWait signs in through the sign-in form and waits for sel.
func signInAndWait(app *testApp, email, password, sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// acceptAsNewPerson fills an invitation's form as a new person would.
func acceptAsNewPerson(link, name, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=accept-new]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), name),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_password]`), password),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm_password]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid=accept-new] button[type=submit]`)),
	)
}

// freshBrowser is a new browser profile in the running Chromium: its own
// cookies, as on another person's computer.
func freshBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	fresh, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return fresh
}

// TestJourney_PlatformAdminStartsATenantThatItsAdminRuns walks issue 9's
// "done when": a new organisation, its first admin, a coordinator invited,
// promoted and deactivated, a setting changed, and all of it in the log.
func TestJourney_PlatformAdminStartsATenantThatItsAdminRuns(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := browser(t)
	var adminLink string
	err := chromedp.Do(ctx,
		signInAndWait(app, demo.PlatformAdminEmail, demo.Password, `[data-testid=mfa-enrol]`),
		enrolInBrowser(app, demo.PlatformAdminEmail),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tenants]`)),
		screenshot("admin-platform-tenants"),
		chromedp.Click(chromedp.CSS(`a[href="/platform/tenants/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-tenant]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Harbour Care Collective"),
		chromedp.SendKeys(chromedp.CSS(`input[name=slug]`), "harbour"),
		chromedp.SendKeys(chromedp.CSS(`input[name=admin_email]`), "lee@harbour.test"),
		screenshot("admin-new-tenant"),
		chromedp.Click(chromedp.CSS(`[data-testid=new-tenant] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=shown-link-url]`)),
		value(`[data-testid=shown-link-url]`, &adminLink),
		screenshot("admin-platform-tenant"),
	)
	if err != nil {
		t.Fatal(err)
	}

	// The new admin, in a browser of their own: a common password first.
	lee := freshBrowser(t, ctx)
	var passwordError, coordLink string
	err = chromedp.Do(lee,
		acceptAsNewPerson(adminLink, "Lee Morgan", "password1234"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-new_password]`)),
		text(`[data-testid=error-new_password]`, &passwordError),
		screenshot("admin-accept-error"),
		chromedp.SendKeys(chromedp.CSS(`input[name=new_password]`), goodPassword),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm_password]`), goodPassword),
		chromedp.Click(chromedp.CSS(`[data-testid=accept-new] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=users]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=invite] input[name=email]`), "ana@harbour.test"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=invite] select[name=role]`), "coordinator"),
		chromedp.Click(chromedp.CSS(`[data-testid=invite] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=shown-link-url]`)),
		value(`[data-testid=shown-link-url]`, &coordLink),
		screenshot("admin-users"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(passwordError, "commonly used") {
		t.Errorf("common password message: %q", passwordError)
	}

	// The coordinator accepts in a third browser and starts work.
	ana := freshBrowser(t, ctx)
	err = chromedp.Do(ana,
		acceptAsNewPerson(coordLink, "Ana Silva", "quiet river morning tea"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist]`)),
		screenshot("admin-coordinator-worklist"),
	)
	if err != nil {
		t.Fatal(err)
	}

	// The admin makes her a supervisor, then deactivates her.
	var roleFlash, stateFlash string
	err = chromedp.Do(lee,
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/admin/users"]`)),
		// The list is by name: Ana Silva comes before Lee Morgan.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=users] tbody tr:nth-child(2)`)),
		chromedp.Click(chromedp.CSS(`[data-testid=users] tbody tr:nth-child(1) a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=member-role]`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=member-role] select[name=role]`), "supervisor"),
		chromedp.Click(chromedp.CSS(`[data-testid=member-role] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &roleFlash),
		screenshot("admin-member"),
		chromedp.Click(chromedp.CSS(`[data-testid=member-access] button.button-danger`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=member-access] button.button-primary`)),
		text(`[data-testid=flash]`, &stateFlash),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(roleFlash, "Supervisor") || !strings.Contains(stateFlash, "Ana Silva is deactivated") {
		t.Errorf("flashes %q and %q", roleFlash, stateFlash)
	}

	// Her open session is refused on its next request.
	var anaURL string
	err = chromedp.Do(ana,
		chromedp.Navigate(app.http.URL+"/t/harbour/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		location(&anaURL),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(anaURL, "/login") {
		t.Errorf("deactivated coordinator's next page: %s", anaURL)
	}

	// The admin changes the contact cadence (a value out of bounds first),
	// then finds everything in the audit log.
	var boundError, log string
	err = chromedp.Do(lee,
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/admin/settings"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=settings]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=cadence_high_days]`), "45"),
		chromedp.Click(chromedp.CSS(`[data-testid=settings] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-cadence_high_days]`)),
		text(`[data-testid=error-cadence_high_days]`, &boundError),
		screenshot("admin-settings-error"),
		chromedp.SetValue(chromedp.CSS(`input[name=cadence_high_days]`), "5"),
		chromedp.Click(chromedp.CSS(`[data-testid=settings] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/admin/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit-log]`)),
		text(`[data-testid=audit-log]`, &log),
		screenshot("admin-audit"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(boundError, "from 1 to 30") {
		t.Errorf("cadence bound message: %q", boundError)
	}
	for _, want := range []string{"Tenant created", "Invitation created", "Invitation accepted", "Member role changed",
		"Member deactivated", "Settings changed", "cadence_high_days", "Signed in", "Ana Silva", "Lee Morgan", "Platform Administrator"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q", want)
		}
	}

	// Everyone has an account page with their recent sign-ins.
	var signIns string
	err = chromedp.Do(lee,
		chromedp.Click(chromedp.CSS(`a.who-account`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=change-password]`)),
		text(`[data-testid=sign-ins]`, &signIns),
		screenshot("admin-account"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(signIns, "Signed in") {
		t.Errorf("account page sign-ins: %q", signIns)
	}
}

func TestJourney_AdminClosesADayAndSetsTheTimeZone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := browser(t)
	var dayError, list string
	err := chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "admin@northside.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.sidenav a[href$="/admin/closures"]`)),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/admin/closures"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=closure-add]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Day after Thanksgiving"),
		chromedp.Click(chromedp.CSS(`[data-testid=closure-add] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-day]`)),
		text(`[data-testid=error-day]`, &dayError),
		screenshot("admin-closures-error"),
		chromedp.SetValue(chromedp.CSS(`input[name=day]`), "2026-11-27"),
		chromedp.Click(chromedp.CSS(`[data-testid=closure-add] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=closures]`, &list),
		screenshot("admin-closures"),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/admin/settings"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=settings]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=time_zone]`), "Pacific/Atlantis"),
		chromedp.Click(chromedp.CSS(`[data-testid=settings] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-time_zone]`)),
		screenshot("admin-settings-time-zone-error"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if dayError != "Choose a date." {
		t.Errorf("the missing day says %q", dayError)
	}
	if !strings.Contains(list, "Fri 27 Nov 2026") || !strings.Contains(list, "Day after Thanksgiving") {
		t.Errorf("closed days: %q", list)
	}
}
