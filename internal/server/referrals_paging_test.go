package server

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 22: the open-referrals list is read one page at a time, longest
// waiting first; "Next page" continues after the last row shown, and the
// pages together list every open referral once.
func TestOpenReferrals_PagesThroughEveryOpenReferralOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	addOpenReferrals(app, 60)
	var want int
	if err := app.scanInTenant("northside", `select count(*) from referrals where status in ('draft', 'sent', 'accepted', 'in_progress')`,
		nil, &want); err != nil {
		t.Fatal(err)
	}
	if want <= 50 {
		t.Fatalf("%d open referrals, want more than a page", want)
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`)
	seen := map[string]bool{}
	page, pages := "/t/northside/referrals", 0
	for page != "" {
		res := grace.get(page)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", page, res.status)
		}
		pages++
		rows := strings.Count(res.body, `data-testid="open-referral"`)
		if rows > 50 {
			t.Errorf("%s shows %d rows, want at most 50", page, rows)
		}
		for _, m := range regexp.MustCompile(`/referrals/([0-9a-f-]{36})"`).FindAllStringSubmatch(res.body, -1) {
			if seen[m[1]] {
				t.Errorf("referral %s shown twice", m[1])
			}
			seen[m[1]] = true
		}
		if pages > 1 {
			mustContain(t, page, res.body, "First page")
		}
		page = ""
		if m := next.FindStringSubmatch(res.body); m != nil {
			page = html.UnescapeString(m[1])
		}
	}
	if len(seen) != want || pages != 2 {
		t.Errorf("%d referrals on %d pages, want %d on 2", len(seen), pages, want)
	}
	// The longest waiting comes first.
	first := grace.get("/t/northside/referrals")
	if i, j := strings.Index(first.body, "Paging Pantry 60"), strings.Index(first.body, "Paging Pantry 59"); i < 0 || j < 0 || i > j {
		t.Errorf("the oldest referral is not first (%d, %d)", i, j)
	}
	// A cursor that is not an id is the first page, not an error.
	if res := grace.get("/t/northside/referrals?after=nonsense"); res.status != http.StatusOK {
		t.Errorf("a bad cursor: status %d", res.status)
	}
}

// In the browser: a supervisor goes from the first page of open referrals
// to the next and back to the first.
func TestOpenReferralsJourney_SupervisorPagesForwardAndBack(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addOpenReferrals(app, 60)
	ctx := browser(t)
	var first, second string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Navigate(app.http.URL+"/t/northside/referrals"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=next-page]`)),
		screenshot("open-referrals-first-page"),
		text(`[data-testid=open-referral]`, &first),
		chromedp.Click(chromedp.CSS(`[data-testid=next-page]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.pagination`)),
		screenshot("open-referrals-next-page"),
		text(`[data-testid=open-referral]`, &second),
	)
	if err != nil {
		t.Fatal(err)
	}
	if first == second || !strings.Contains(first, "Paging Pantry 60") {
		t.Errorf("first rows %q and %q: want the oldest first, then other rows", first, second)
	}
}

// addOpenReferrals sends n referrals for one of northside's patients, the
// i-th sent i days ago and named "Paging Pantry i".
func addOpenReferrals(app *testApp, n int) {
	app.execInTenant("northside", `
		insert into referrals (tenant_id, patient_id, to_name, reason, status, sent_at, consent_checked_at)
		select p.tenant_id, p.id, 'Paging Pantry ' || n, 'Food', 'sent', now() - make_interval(days => n), now()
		  from (select tenant_id, id from patients order by id limit 1) p, generate_series(1, $1::int) n`, n)
}
