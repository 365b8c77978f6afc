package server

import (
	"context"
	"testing"

	"carecoord/internal/demo"

	"github.com/chromedp/chromedp"
)

// enrolInBrowser sets up an authenticator app on the open enrolment page
// as a person would: the key read off the page into "the phone", its code
// typed, the recovery codes acknowledged.
func enrolInBrowser(app *testApp, email string) chromedp.Action[chromedp.Void] {
	var secret string
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=mfa-secret]`)),
		text(`[data-testid=mfa-secret]`, &secret),
		screenshot("mfa-enrol"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			app.mfa.set(email, secret)
			_, err := chromedp.SendKeys(chromedp.CSS(`[data-testid=mfa-enrol] input[name=code]`), app.mfa.code(app, email))(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`[data-testid=mfa-enrol] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=recovery-codes]`)),
		screenshot("mfa-recovery-codes"),
		chromedp.Click(chromedp.CSS(`a.button-primary`)),
	)
}

// answerCodeInBrowser enters the app's code on the open code page.
func answerCodeInBrowser(app *testApp, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=mfa-code]`)),
		screenshot("mfa-code"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.SendKeys(chromedp.CSS(`[data-testid=mfa-code] input[name=code]`), app.mfa.code(app, email))(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`[data-testid=mfa-code] button[type=submit]`)),
	)
}

// TestJourney_PlatformAdminSetsUpTwoStepSignIn: the platform admin's first
// sign-in sets up the authenticator app before any page; the next asks
// for its code.
func TestJourney_PlatformAdminSetsUpTwoStepSignIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		signInAndWait(app, demo.PlatformAdminEmail, demo.Password, `[data-testid=mfa-enrol]`),
		enrolInBrowser(app, demo.PlatformAdminEmail),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tenants]`)),
		signOutInBrowser(),
		signInAndWait(app, demo.PlatformAdminEmail, demo.Password, `[data-testid=mfa-code]`),
		answerCodeInBrowser(app, demo.PlatformAdminEmail),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tenants]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
}
