package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
)

// --- Geometry --------------------------------------------------------------

func TestNiceTicks_AreRoundAndCoverTheData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		top    float64
		target int
		whole  bool
		want   []float64
	}{
		{"caseload of 45", 45, 5, true, []float64{0, 10, 20, 30, 40, 50}},
		{"caseload of 24", 24, 5, true, []float64{0, 5, 10, 15, 20, 25}},
		{"contacts up to 87", 87, 4, true, []float64{0, 25, 50, 75, 100}},
		{"a handful", 3, 5, true, []float64{0, 1, 2, 3}},
		{"a single one", 1, 4, true, []float64{0, 1}},
		{"nothing yet", 0, 4, true, []float64{0, 1}},
		{"thousands", 3200, 4, true, []float64{0, 1000, 2000, 3000, 4000}},
		{"days with halves", 6.5, 2, false, []float64{0, 5, 10}},
		{"small fractions", 0.3, 3, false, []float64{0, 0.1, 0.2, 0.3}},
		{"exact top", 100, 4, true, []float64{0, 25, 50, 75, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := niceTicks(tt.top, tt.target, tt.whole)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("niceTicks(%v, %d) (-want +got):\n%s", tt.top, tt.target, diff)
			}
		})
	}
}

func TestNiceTicks_NeverFractionalForCounts(t *testing.T) {
	t.Parallel()
	for top := 1; top <= 500; top++ {
		ticks := niceTicks(float64(top), 5, true)
		last := ticks[len(ticks)-1]
		if last < float64(top) {
			t.Fatalf("top %d: scale ends at %v", top, last)
		}
		if len(ticks) > 11 {
			t.Fatalf("top %d: %d ticks crowd the axis", top, len(ticks))
		}
		for _, tick := range ticks {
			if tick != float64(int(tick)) {
				t.Fatalf("top %d: fractional tick %v in %v", top, tick, ticks)
			}
		}
	}
}

func TestTruncateToWidth_CutsLongNamesOnRunes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		cut      bool
	}{
		{"short name fits", "Sam Okafor", false},
		{"long name is cut", "Maria Fernández-Oyelaran Whitcombe", true},
		{"accents are never split", "Zoë Ångström-Ødegaard Ñúñez-Çelik", true},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, cut := truncateToWidth(tt.in, 150, 13)
			if cut != tt.cut {
				t.Fatalf("truncateToWidth(%q) cut = %v, want %v (got %q)", tt.in, cut, tt.cut, got)
			}
			if !utf8.ValidString(got) {
				t.Errorf("%q is not valid UTF-8", got)
			}
			if textWidth(got, 13) > 150 {
				t.Errorf("%q is wider than 150", got)
			}
			if !cut && got != tt.in {
				t.Errorf("uncut %q changed to %q", tt.in, got)
			}
			if cut && (!strings.HasSuffix(got, "…") || !strings.HasPrefix(tt.in, strings.TrimSuffix(got, "…"))) {
				t.Errorf("cut %q to %q, want a prefix and an ellipsis", tt.in, got)
			}
		})
	}
}

func TestLabelThinning_KeepsTheLatest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		n            int
		slot, widest float64
		want         string // one character per label: x drawn, . skipped
	}{
		{"room for all", 6, 50, 30, "xxxxxx"},
		{"every other", 6, 25, 30, ".x.x.x"},
		{"every third", 7, 14, 30, "x..x..x"},
		{"no slot", 3, 0, 30, "xxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			step := labelStep(tt.slot, tt.widest)
			var got strings.Builder
			for i := range tt.n {
				if shownLabel(i, tt.n, step) {
					got.WriteByte('x')
				} else {
					got.WriteByte('.')
				}
			}
			if got.String() != tt.want {
				t.Errorf("labels %s, want %s", got.String(), tt.want)
			}
		})
	}
}

func TestStackedBars_SegmentsAddUpToTheTotal(t *testing.T) {
	t.Parallel()
	l := caseloadChart().layout()
	if diff := cmp.Diff([]int{16, 35, 66}, l.Totals); diff != "" {
		t.Errorf("series totals (-want +got):\n%s", diff)
	}
	scaleTop, _ := strconv.ParseFloat(l.Ticks[len(l.Ticks)-1].Text, 64)
	if scaleTop != 50 {
		t.Fatalf("scale ends at %v, want 50 for a largest bar of 45", scaleTop)
	}
	perUnit := (l.Right - l.Left) / scaleTop
	for _, row := range l.Rows {
		x := l.Left
		for _, s := range row.Segments {
			if !near(s.X, x) || !near(s.W, float64(s.Value)*perUnit) {
				t.Errorf("%s %s: segment at %v width %v, want %v width %v", row.Full, s.Series, s.X, s.W, x, float64(s.Value)*perUnit)
			}
			x += s.W
		}
		if !near(x, l.Left+float64(row.Total)*perUnit) {
			t.Errorf("%s: bar ends at %v, want the total %d at %v", row.Full, x, row.Total, l.Left+float64(row.Total)*perUnit)
		}
		if row.TotalX <= x {
			t.Errorf("%s: total written at %v, inside the bar ending at %v", row.Full, row.TotalX, x)
		}
	}
	var sam []string
	for _, s := range l.Rows[1].Segments {
		sam = append(sam, s.Series+"="+itoa(s.Value))
	}
	if got := strings.Join(sam, " "); got != "High=4 Moderate=11 Low=30" {
		t.Errorf("Sam's segments %s", got)
	}
}

func TestStackedBars_ZeroShortAndNegativeValuesDrawNothing(t *testing.T) {
	t.Parallel()
	c := StackedBarChart{ID: "odd", Series: riskTiers, Bars: []StackedBar{
		{Label: "Short", Values: []int{3}},
		{Label: "Negative", Values: []int{-2, 5, 0}},
	}}
	l := c.layout()
	if got := len(l.Rows[0].Segments); got != 1 || l.Rows[0].Total != 3 {
		t.Errorf("short values: %d segments, total %d; want 1 and 3", got, l.Rows[0].Total)
	}
	if got := len(l.Rows[1].Segments); got != 1 || l.Rows[1].Total != 5 {
		t.Errorf("negative value: %d segments, total %d; want 1 and 5", got, l.Rows[1].Total)
	}
}

func TestStackedBars_HeightGrowsWithRows(t *testing.T) {
	t.Parallel()
	chart := func(n int) StackedBarChart {
		c := StackedBarChart{ID: "n", Series: riskTiers}
		for i := range n {
			c.Bars = append(c.Bars, StackedBar{Label: "Coordinator " + itoa(i), Values: []int{i, 1, 2}})
		}
		return c
	}
	five, forty := chart(5).layout(), chart(40).layout()
	if got := forty.Height - five.Height; !near(got, 35*barPitch) {
		t.Errorf("40 rows are %v taller than 5, want %v", got, 35*barPitch)
	}
	last := forty.Rows[39]
	if last.Y+barThickness > forty.Bottom || forty.Bottom+18 > forty.Height {
		t.Errorf("last bar (%v) or the axis labels spill out of height %v", last.Y, forty.Height)
	}
}

func TestStackedBars_ValuesOnlyWhereThereIsRoom(t *testing.T) {
	t.Parallel()
	c := StackedBarChart{ID: "room", Series: riskTiers, Bars: []StackedBar{{Label: "A", Values: []int{1, 120, 2}}}}
	l := c.layout()
	var shown []bool
	for _, s := range l.Rows[0].Segments {
		shown = append(shown, s.ShowValue)
	}
	if diff := cmp.Diff([]bool{false, true, false}, shown); diff != "" {
		t.Errorf("values shown (-want +got):\n%s", diff)
	}
}

func TestColumns_HeightsFollowTheScale(t *testing.T) {
	t.Parallel()
	c := contactsChart()
	l := c.layout()
	scaleTop, _ := strconv.ParseFloat(l.Ticks[len(l.Ticks)-1].Text, 64)
	if scaleTop != 60 {
		t.Errorf("scale ends at %v, want 60 for a week of 53", scaleTop)
	}
	for i, b := range l.Bars {
		want := (l.Bottom - l.Top) * float64(c.Columns[i].Value) / scaleTop
		if !near(b.H, want) || !near(b.Y+b.H, l.Bottom) {
			t.Errorf("%s: height %v from %v, want %v standing on %v", b.Label, b.H, b.Y, want, l.Bottom)
		}
		if b.X < l.Left || b.X+b.W > l.Right {
			t.Errorf("%s: column %v…%v outside the plot", b.Label, b.X, b.X+b.W)
		}
	}
	if got := l.Bars[len(l.Bars)-1]; !got.Noted || !got.ShowLabel {
		t.Errorf("this week's column: noted %v, labelled %v; want both", got.Noted, got.ShowLabel)
	}
	if diff := cmp.Diff([]string{"this week, so far"}, l.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestColumns_CrowdedLabelsThinAndOnlyTheLatestValueStays(t *testing.T) {
	t.Parallel()
	c := ColumnChart{ID: "year"}
	for i := range 52 {
		c.Columns = append(c.Columns, Column{Label: "Week " + itoa(i+1), Value: 100 + i})
	}
	l := c.layout()
	labels, values := 0, 0
	for _, b := range l.Bars {
		if b.ShowLabel {
			labels++
		}
		if b.ShowValue {
			values++
		}
	}
	if labels < 4 || labels > 12 {
		t.Errorf("%d of 52 labels drawn, want a readable handful", labels)
	}
	if values != 1 {
		t.Errorf("%d of 52 values drawn, want only the latest when they don't all fit", values)
	}
	if last := l.Bars[51]; !last.ShowLabel || !last.ShowValue {
		t.Error("the latest week lost its label or value")
	}
}

func TestLineChart_GapsWhereValuesAreMissing(t *testing.T) {
	t.Parallel()
	c := LineChartView{ID: "gaps", Unit: "%", Max: 100, Points: []LinePoint{
		{"Jan", 50, false}, {"Feb", 60, false}, {"Mar", 0, true}, {"Apr", 70, false}, {"May", 0, true}, {"Jun", 80, false}, {"Jul", 90, false},
	}}
	l := c.layout()
	if len(l.Runs) != 2 {
		t.Fatalf("%d line runs, want 2 (Jan–Feb, Jun–Jul; April stands alone): %v", len(l.Runs), l.Runs)
	}
	if got := strings.Count(l.Runs[0], ","); got != 2 {
		t.Errorf("first run has %d points, want 2: %s", got, l.Runs[0])
	}
	if p := l.Points[2]; !p.Missing || p.Accessible != "no data" {
		t.Errorf("March: %+v, want missing with no data", p)
	}
	if p := l.Points[3]; !near(p.Y, l.Bottom-(l.Bottom-l.Top)*0.7) {
		t.Errorf("April's lone point at %v, want 70%% of the scale", p.Y)
	}
}

func TestLineChart_ScaleAndUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		c         LineChartView
		wantTicks []string
		wantUnit  string
		wantText  string // the first point as written on the chart
	}{
		{"percent with a fixed top", LineChartView{Unit: "%", Max: 100, Points: []LinePoint{{"Jan", 82.4, false}}},
			[]string{"0%", "50%", "100%"}, "", "82.4%"},
		{"days fitted to the data", LineChartView{Unit: " days", Points: []LinePoint{{"Jan", 6.5, false}, {"Feb", 3, false}}},
			[]string{"0", "5", "10"}, "days", "6.5"},
		{"a value above Max is drawn at the top", LineChartView{Unit: "%", Max: 100, Points: []LinePoint{{"Jan", 130, false}}},
			[]string{"0%", "50%", "100%"}, "", "130%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := tt.c.layout()
			var ticks []string
			for _, tick := range l.Ticks {
				ticks = append(ticks, tick.Text)
			}
			if diff := cmp.Diff(tt.wantTicks, ticks); diff != "" {
				t.Errorf("ticks (-want +got):\n%s", diff)
			}
			if l.UnitLabel != tt.wantUnit {
				t.Errorf("unit label %q, want %q", l.UnitLabel, tt.wantUnit)
			}
			if p := l.Points[0]; p.Text != tt.wantText || p.Y < l.Top || p.Y > l.Bottom || p.ValueY < 0 {
				t.Errorf("first point %+v, want %q inside %v…%v", p, tt.wantText, l.Top, l.Bottom)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 0.01 && b-a < 0.01 }

// --- Rendering -------------------------------------------------------------

func renderChart(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

var (
	idAttr         = regexp.MustCompile(`\bid="([^"]+)"`)
	labelledByAttr = regexp.MustCompile(`aria-labelledby="([^"]+)"`)
	urlRef         = regexp.MustCompile(`url\(#([^)]+)\)`)
)

// mustBeLabelled checks that the chart names its title and description and
// that both exist, so a screen reader reads them.
func mustBeLabelled(t *testing.T, html, title, desc string) {
	t.Helper()
	m := labelledByAttr.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no aria-labelledby:\n%s", html)
	}
	ids := strings.Fields(m[1])
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby=%q, want a title and a description", m[1])
	}
	for i, want := range []string{`<title id="` + ids[0] + `">` + title + `</title>`, `<desc id="` + ids[1] + `">` + desc + `</desc>`} {
		if !strings.Contains(html, want) {
			t.Errorf("aria-labelledby names %s, but the chart lacks %s", ids[i], want)
		}
	}
}

func mustContainAll(t *testing.T, html string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(html, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
}

func TestStackedBars_ReadsWithoutSeeingIt(t *testing.T) {
	t.Parallel()
	html := renderChart(t, StackedBars(caseloadChart()))
	mustBeLabelled(t, html, "Caseload by coordinator", "Active patients per coordinator, split by risk tier; Maria has the most high-risk patients.")
	mustContainAll(t, html,
		`<table class="visually-hidden"><caption>Caseload by coordinator</caption>`,
		`<th scope="col">High</th><th scope="col">Moderate</th><th scope="col">Low</th><th scope="col">Total</th>`,
		`<th scope="row">Sam Okafor</th><td>4</td><td>11</td><td>30</td><td>45</td>`,
		`<th scope="row">Unassigned</th><td>0</td><td>2</td><td>0</td><td>2</td>`,
		`<th scope="row">All</th><td>16</td><td>35</td><td>66</td><td>117</td>`,
		// Values and totals are written on the bars, the legend names the series.
		`>30</text>`, `>45</text>`, `>High</text>`, `>Moderate</text>`, `>Low</text>`,
	)
}

func TestStackedBars_RowLabelsLinkAndStayReachable(t *testing.T) {
	t.Parallel()
	html := renderChart(t, StackedBars(caseloadChart()))
	mustContainAll(t, html,
		`role="group"`,
		`<a class="chart-link" href="/t/northside/caseload/sam" aria-label="Sam Okafor: 45 (High 4, Moderate 11, Low 30)">`,
		// The unlinked row is still named for screen readers.
		`aria-label="Unassigned: 2 (High 0, Moderate 2, Low 0)"`,
	)
	if got := strings.Count(html, `<a class="chart-link"`); got != 4 {
		t.Errorf("%d links, want 4 (Unassigned has none)", got)
	}

	unlinked := caseloadChart()
	for i := range unlinked.Bars {
		unlinked.Bars[i].Href = ""
	}
	html = renderChart(t, StackedBars(unlinked))
	if !strings.Contains(html, `role="img"`) || strings.Contains(html, "<a ") {
		t.Error("a chart without links isn't a plain picture")
	}
}

func TestStackedBars_LongNamesAreCutWithTheFullNameKept(t *testing.T) {
	t.Parallel()
	html := renderChart(t, StackedBars(caseloadChart()))
	mustContainAll(t, html,
		`<title>Maria Fernández-Oyelaran Whitcombe</title>`,
		`<th scope="row">Maria Fernández-Oyelaran Whitcombe</th>`,
	)
	if !regexp.MustCompile(`class="chart-row-label"[^>]*>Maria Fern[^<]*…</text>`).MatchString(html) {
		t.Errorf("the long name isn't cut with an ellipsis on the chart:\n%s", html)
	}
}

func TestCharts_EscapeLabels(t *testing.T) {
	t.Parallel()
	bars := renderChart(t, StackedBars(caseloadChart()))
	cols := renderChart(t, Columns(ColumnChart{ID: "x", Title: "<b>Weeks</b>", Columns: []Column{{Label: "<script>", Value: 1, Note: `"quoted" & more`}}}))
	line := renderChart(t, LineChart(LineChartView{ID: "y", Title: "A & B", Points: []LinePoint{{Label: "<i>Jan</i>", Value: 1}}}))
	for name, html := range map[string]string{"bars": bars, "columns": cols, "line": line} {
		for _, raw := range []string{"<Lee>", "<script>", "<b>", "<i>"} {
			if strings.Contains(html, raw) {
				t.Errorf("%s: %s is not escaped", name, raw)
			}
		}
	}
	mustContainAll(t, bars, `Jo &lt;Lee&gt; &amp; Co`)
	mustContainAll(t, cols, `&lt;script&gt;`, `&#34;quoted&#34; &amp; more`)
	mustContainAll(t, line, `<title id="chart-y-title">A &amp; B</title>`)
}

func TestCharts_PatternIDsAreUniquePerChart(t *testing.T) {
	t.Parallel()
	first := caseloadChart()
	second := caseloadChart()
	second.ID = "caseload-last-month"
	second.Series = []ChartSeries{{"High", "solid"}, {"Moderate", "hatch"}, {"Low", "dots"}}
	cols := contactsChart()
	page := renderChart(t, StackedBars(first)) + renderChart(t, StackedBars(second)) + renderChart(t, Columns(cols))

	seen := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(page, -1) {
		if seen[m[1]] {
			t.Errorf("id %q appears twice on the page", m[1])
		}
		seen[m[1]] = true
	}
	for _, m := range urlRef.FindAllStringSubmatch(page, -1) {
		if !seen[m[1]] {
			t.Errorf("fill refers to #%s, which isn't defined", m[1])
		}
	}
	for _, want := range []string{"chart-caseload-hatch", "chart-caseload-last-month-hatch", "chart-caseload-last-month-dots", "chart-contacts-hatch"} {
		if !seen[want] {
			t.Errorf("no pattern %s", want)
		}
	}
	if seen["chart-caseload-dots"] {
		t.Error("a chart defines a pattern none of its series uses")
	}
}

func TestColumns_ReadsWithoutSeeingIt(t *testing.T) {
	t.Parallel()
	html := renderChart(t, Columns(contactsChart()))
	mustBeLabelled(t, html, "Successful contacts per week", "Successful contacts in each of the last 12 weeks, between 29 and 53 a week.")
	mustContainAll(t, html,
		`role="img"`,
		`<th scope="col">Period</th><th scope="col">Contacts</th><th scope="col">Note</th>`,
		`<th scope="row">6 Jul</th><td>38</td><td></td>`,
		`<th scope="row">21 Sep</th><td>17</td><td>this week, so far</td>`,
		`<title>21 Sep: 17 contacts (this week, so far)</title>`,
		`>this week, so far</text>`,
	)
	for _, v := range []int{38, 42, 35, 47, 51, 44, 29, 40, 53, 49, 46, 17} {
		if !strings.Contains(html, ">"+itoa(v)+"</text>") {
			t.Errorf("value %d isn't written on the chart", v)
		}
	}
	if got := strings.Count(html, "<tr>"); got != 13 {
		t.Errorf("%d table rows, want a header and 12 weeks", got)
	}
	plain := contactsChart()
	plain.Desc = ""
	mustBeLabelled(t, renderChart(t, Columns(plain)), "Successful contacts per week",
		"Successful contacts per week: 6 Jul 38, 13 Jul 42, 20 Jul 35, 27 Jul 47, 3 Aug 51, 10 Aug 44, 17 Aug 29, 24 Aug 40, 31 Aug 53, 7 Sep 49, 14 Sep 46, 21 Sep 17.")
}

func TestLineChart_ReadsWithoutSeeingIt(t *testing.T) {
	t.Parallel()
	cadence := measureCharts()[1]
	html := renderChart(t, LineChart(cadence))
	mustBeLabelled(t, html, "Contacted within cadence", "Contacted within cadence: Apr 64%, May 61%, Jun no data, Jul 70%, Aug 73%, Sep 100%.")
	mustContainAll(t, html,
		`role="img"`,
		`<th scope="row">Jun</th><td>no data</td>`,
		`<th scope="row">Sep</th><td>100%</td>`,
		`<title>Aug: 73%</title>`,
		`>73%</text>`,
	)
	if got := strings.Count(html, "<polyline"); got != 2 {
		t.Errorf("%d line pieces, want 2 around June's gap", got)
	}
	if got := strings.Count(html, `class="chart-marker"`); got != 5 {
		t.Errorf("%d markers, want 5 (June is missing)", got)
	}
}

func TestCharts_EmptyDataSaysSo(t *testing.T) {
	t.Parallel()
	charts := map[string]templ.Component{
		"bars without rows":   StackedBars(StackedBarChart{ID: "a", Title: "Caseload", Series: riskTiers}),
		"bars without series": StackedBars(StackedBarChart{ID: "b", Title: "Caseload", Bars: []StackedBar{{Label: "A"}}}),
		"no columns":          Columns(ColumnChart{ID: "c", Title: "Contacts"}),
		"no points":           LineChart(LineChartView{ID: "d", Title: "Plans"}),
		"all points missing":  LineChart(LineChartView{ID: "e", Title: "Plans", Points: []LinePoint{{"Jan", 0, true}}}),
	}
	for name, c := range charts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			html := renderChart(t, c)
			mustContainAll(t, html, ">No data yet</text>", "No data yet.</desc>")
			for _, bad := range []string{"NaN", "Inf", "<table"} {
				if strings.Contains(html, bad) {
					t.Errorf("empty chart contains %s:\n%s", bad, html)
				}
			}
		})
	}
}

// TestCharts_StayInsideTheViewBox checks every coordinate of awkward data
// lands on the drawing: zeros, a single value, one huge value, gaps.
func TestCharts_StayInsideTheViewBox(t *testing.T) {
	t.Parallel()
	crowded := ColumnChart{ID: "crowded"}
	for i := range 60 {
		crowded.Columns = append(crowded.Columns, Column{Label: "W" + itoa(i), Value: i * 1000})
	}
	charts := map[string]templ.Component{
		"caseload":        StackedBars(caseloadChart()),
		"all zero bars":   StackedBars(StackedBarChart{ID: "z", Series: riskTiers, Bars: []StackedBar{{Label: "A", Values: []int{0, 0, 0}}}}),
		"one huge bar":    StackedBars(StackedBarChart{ID: "h", Series: riskTiers, Bars: []StackedBar{{Label: "A", Values: []int{9999, 1, 1}}, {Label: "B", Values: []int{1}}}}),
		"contacts":        Columns(contactsChart()),
		"all zero weeks":  Columns(ColumnChart{ID: "zc", Columns: []Column{{Label: "A"}, {Label: "B"}}}),
		"sixty weeks":     Columns(crowded),
		"one point":       LineChart(LineChartView{ID: "one", Points: []LinePoint{{"Jan", 5, false}}}),
		"zero points":     LineChart(LineChartView{ID: "zero", Unit: "%", Points: []LinePoint{{"Jan", 0, false}, {"Feb", 0, false}}}),
		"measures, gaps":  LineChart(measureCharts()[1]),
		"days":            LineChart(measureCharts()[2]),
		"top of the line": LineChart(LineChartView{ID: "top", Unit: "%", Max: 100, Points: []LinePoint{{"Jan", 100, false}, {"Feb", 100, false}}}),
	}
	coord := regexp.MustCompile(`\b(c?x[12]?|c?y[12]?|width|height|points)="([^"]*)"`)
	viewBox := regexp.MustCompile(`viewBox="0 0 ([\d.]+) ([\d.]+)"`)
	for name, c := range charts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			html := renderChart(t, c)
			box := viewBox.FindStringSubmatch(html)
			w, _ := strconv.ParseFloat(box[1], 64)
			h, _ := strconv.ParseFloat(box[2], 64)
			svg := html[strings.Index(html, "<svg"):strings.Index(html, "</svg>")]
			// Pattern tiles have coordinates of their own.
			svg = regexp.MustCompile(`(?s)<defs>.*</defs>`).ReplaceAllString(svg, "")
			for _, m := range coord.FindAllStringSubmatch(svg, -1) {
				for _, pair := range strings.Fields(m[2]) {
					for i, s := range strings.Split(pair, ",") {
						f, err := strconv.ParseFloat(s, 64)
						if err != nil {
							t.Fatalf("%s=%q: %v", m[1], m[2], err)
						}
						limit := h
						if strings.Contains(m[1], "x") || m[1] == "width" || (m[1] == "points" && i == 0) {
							limit = w
						}
						if f < 0 || f > limit {
							t.Errorf("%s=%s outside 0…%v", m[1], s, limit)
						}
					}
				}
			}
		})
	}
}

// TestCharts_NeedNoInlineStyleOrScript keeps the charts within the content
// security policy (style-src 'self', no scripts) and free of outside assets.
func TestCharts_NeedNoInlineStyleOrScript(t *testing.T) {
	t.Parallel()
	html := renderChart(t, StackedBars(caseloadChart())) + renderChart(t, Columns(contactsChart()))
	for _, m := range measureCharts() {
		html += renderChart(t, LineChart(m))
	}
	for _, banned := range []string{"style=", "<script", "<style", "http:", "https:", "<image", "onclick"} {
		if strings.Contains(html, banned) {
			t.Errorf("charts contain %s", banned)
		}
	}
}
