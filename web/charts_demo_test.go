package web

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// Sample charts shared by the render tests and the demo page: the shapes the
// supervisor's dashboard draws.

var riskTiers = []ChartSeries{{"High", "solid"}, {"Moderate", "hatch"}, {"Low", "light"}}

func caseloadChart() StackedBarChart {
	return StackedBarChart{
		ID:     "caseload",
		Title:  "Caseload by coordinator",
		Desc:   "Active patients per coordinator, split by risk tier; Maria has the most high-risk patients.",
		Series: riskTiers,
		Bars: []StackedBar{
			{"Maria Fernández-Oyelaran Whitcombe", "/t/northside/caseload/maria", []int{9, 14, 21}},
			{"Sam Okafor", "/t/northside/caseload/sam", []int{4, 11, 30}},
			{"Priya Raman", "/t/northside/caseload/priya", []int{2, 8, 12}},
			{"Jo <Lee> & Co", "/t/northside/caseload/jo", []int{1, 0, 3}},
			{"Unassigned", "", []int{0, 2, 0}},
		},
	}
}

func contactsChart() ColumnChart {
	weeks := []string{"6 Jul", "13 Jul", "20 Jul", "27 Jul", "3 Aug", "10 Aug", "17 Aug", "24 Aug", "31 Aug", "7 Sep", "14 Sep", "21 Sep"}
	values := []int{38, 42, 35, 47, 51, 44, 29, 40, 53, 49, 46, 17}
	c := ColumnChart{
		ID: "contacts", Title: "Successful contacts per week", Unit: "contacts",
		Desc: "Successful contacts in each of the last 12 weeks, between 29 and 53 a week.",
	}
	for i, w := range weeks {
		c.Columns = append(c.Columns, Column{Label: w, Value: values[i]})
	}
	c.Columns[len(c.Columns)-1].Note = "this week, so far"
	return c
}

func measureCharts() []LineChartView {
	months := []string{"Apr", "May", "Jun", "Jul", "Aug", "Sep"}
	line := func(id, title, unit string, top float64, values ...float64) LineChartView {
		c := LineChartView{ID: id, Title: title, Unit: unit, Max: top}
		for i, v := range values {
			c.Points = append(c.Points, LinePoint{Label: months[i], Value: v, Missing: v < 0})
		}
		return c
	}
	return []LineChartView{
		line("plans", "Active approved care plan", "%", 100, 71, 74, 78, 77, 82, 85),
		line("cadence", "Contacted within cadence", "%", 100, 64, 61, -1, 70, 73, 100),
		line("referral", "Referral to first contact", " days", 0, 6.5, 5, 4.5, 5.5, 3, 2.5),
		{ID: "screened", Title: "Screened for social needs", Unit: "%", Max: 100},
	}
}

// TestCharts_WritesDemo writes the sample charts as a page styled by
// app.css, and a screenshot of it when Chromium is installed, for a person
// to look at: set CARECOORD_SCREENSHOTS to a directory.
func TestCharts_WritesDemo(t *testing.T) {
	dir := os.Getenv("CARECOORD_SCREENSHOTS")
	if dir == "" {
		t.Skip("set CARECOORD_SCREENSHOTS=/tmp/dir to write charts.html and charts.png")
	}
	css, err := fs.ReadFile(Static(), "app.css")
	if err != nil {
		t.Fatal(err)
	}
	var crowded ColumnChart
	crowded.ID, crowded.Title, crowded.Unit = "crowded", "Contacts per week, a year", "contacts"
	for i := range 52 {
		crowded.Columns = append(crowded.Columns, Column{Label: "W" + itoa(i+1), Value: 20 + (i*37)%45})
	}
	team := StackedBarChart{ID: "team", Title: "Caseload, thirty coordinators",
		Series: append(riskTiers[:3:3], ChartSeries{"Not rated", "dots"})}
	for i := range 30 {
		team.Bars = append(team.Bars, StackedBar{Label: "Coordinator number " + itoa(i+1), Href: "/c/" + itoa(i),
			Values: []int{2 + i%7, 10 + (i*5)%13, 40 + (i*11)%37, i % 4 * 3}})
	}
	var page strings.Builder
	page.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Charts</title><style>` + string(css) + `</style></head>` +
		`<body><div class="frame"><main><h1>Charts</h1>`)
	card := func(heading string, c templ.Component) {
		page.WriteString(`<section class="card"><h2>` + heading + `</h2>`)
		if err := c.Render(context.Background(), &page); err != nil {
			t.Fatal(err)
		}
		page.WriteString(`</section>`)
	}
	card("Caseload by coordinator", StackedBars(caseloadChart()))
	card("Successful contacts per week", Columns(contactsChart()))
	page.WriteString(`<section class="card"><h2>Measures</h2><div class="grid grid-3">`)
	for _, m := range measureCharts() {
		page.WriteString(`<div><h3>` + m.Title + `</h3>`)
		if err := LineChart(m).Render(context.Background(), &page); err != nil {
			t.Fatal(err)
		}
		page.WriteString(`</div>`)
	}
	page.WriteString(`</div></section>`)
	card("Crowded", Columns(crowded))
	card("Thirty coordinators", StackedBars(team))
	card("Empty bars", StackedBars(StackedBarChart{ID: "none", Title: "Caseload by coordinator", Series: riskTiers}))
	card("Empty columns", Columns(ColumnChart{ID: "none-c", Title: "Contacts"}))
	page.WriteString(`</main></div></body></html>`)

	html := filepath.Join(dir, "charts.html")
	if err := os.WriteFile(html, []byte(page.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Logf("wrote %s; no Chromium for a screenshot", html)
		return
	}
	png, _ := filepath.Abs(filepath.Join(dir, "charts.png"))
	out, err := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--window-size=1180,3800", "--screenshot="+png, "file://"+html).CombinedOutput()
	if err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
}
