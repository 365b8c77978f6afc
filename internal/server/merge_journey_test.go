package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 16's "done when": a supervisor finds a duplicate from the caseload,
// compares the two records, keeps the second record's phone, merges, and
// the old record's address lands on the survivor.
func TestJourney_SupervisorFindsAndMergesADuplicate(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var original string
	chartRow(t, app, `select id from patients where external_id <> '' and phone <> '' order by id limit 1`, nil, &original)
	dup := addDuplicate(t, app, original)
	ctx := browser(t)
	var compare, survivorAddr, flash, landed, timeline string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/caseload"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=duplicates-link]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=duplicates-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=duplicates]`)),
		screenshot("duplicates-list"),
		evalString(`document.querySelector('[data-testid=duplicate-pair] [data-testid=compare]').getAttribute('href')`, &compare),
		chromedp.Click(chromedp.CSS(`[data-testid=duplicate-pair] [data-testid=compare]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=comparison]`)),
		screenshot("merge-comparison"),
		chromedp.Click(chromedp.CSS(`[data-testid=field-Phone] input[value=merged]`)),
		evalString(`document.querySelector('[data-testid=survivor]').getAttribute('href')`, &survivorAddr),
		chromedp.Click(chromedp.CSS(`[data-testid=merge]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &flash),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "merged into this one") {
		t.Errorf("after merging: flash %q", flash)
	}
	// The comparison keeps the record with the smaller id; the other is
	// the one merged away.
	merged := dup
	if strings.Contains(compare, "/"+dup+"/merge/") {
		merged = original
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+"/t/northside/patients/"+merged),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		location(&landed),
		text(`main`, &timeline),
		screenshot("merged-old-link"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(landed, survivorAddr) || strings.Contains(landed, merged) {
		t.Errorf("the old address landed on %s, want the survivor %s", landed, survivorAddr)
	}
	mustContain(t, "survivor's chart", timeline, "Merged with the record of", "was merged into this one")
}
