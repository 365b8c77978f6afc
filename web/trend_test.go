package web

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func phq9Trend(points ...TrendPoint) TrendView {
	return TrendView{
		Title: "PHQ-9", Min: 0, Max: 27, Points: points,
		Bands: []TrendBand{
			{0, "Minimal"}, {5, "Mild"}, {10, "Moderate"}, {15, "Moderately severe"}, {20, "Severe"},
		},
	}
}

func dayOf(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func renderTrend(t *testing.T, v TrendView) string {
	t.Helper()
	var b strings.Builder
	if err := TrendChart(v).Render(context.Background(), &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

func threeScores(t *testing.T) TrendView {
	t.Helper()
	return phq9Trend(
		TrendPoint{dayOf(t, "2026-03-03"), 18, "Moderately severe"},
		TrendPoint{dayOf(t, "2026-06-10"), 14, "Moderate"},
		TrendPoint{dayOf(t, "2026-11-20"), 9, "Mild"},
	)
}

func TestTrendChart_SummarisesScoresForScreenReaders(t *testing.T) {
	t.Parallel()
	html := renderTrend(t, threeScores(t))
	for _, want := range []string{
		`role="img"`,
		`aria-labelledby="trend-phq-9-title trend-phq-9-desc"`,
		`<title id="trend-phq-9-title">PHQ-9 scores over time</title>`,
		`<desc id="trend-phq-9-desc">PHQ-9 scores from 3 Mar 2026 to 20 Nov 2026: 18, 14, 9</desc>`,
		`</svg><table class="visually-hidden">`,
		`<td>10 Jun 2026</td><td>14</td><td>Moderate</td>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("chart lacks %s\n%s", want, html)
		}
	}
}

func TestTrendChart_MarksAndLabelsEveryPoint(t *testing.T) {
	t.Parallel()
	html := renderTrend(t, threeScores(t))
	if got := strings.Count(html, `class="trend-marker"`); got != 3 {
		t.Errorf("%d markers, want 3", got)
	}
	values := regexp.MustCompile(`class="trend-value"[^>]*>(\d+)</text>`).FindAllStringSubmatch(html, -1)
	var got []string
	for _, m := range values {
		got = append(got, m[1])
	}
	if strings.Join(got, ",") != "18,14,9" {
		t.Errorf("value labels %v, want [18 14 9]", got)
	}
}

func TestTrendChart_DrawsBandLimitsWithNames(t *testing.T) {
	t.Parallel()
	html := renderTrend(t, threeScores(t))
	if got := strings.Count(html, `class="trend-band"`); got != 4 {
		t.Errorf("%d band lines, want 4 (the lowest band needs none)", got)
	}
	if !strings.Contains(html, `stroke-dasharray="4 4"`) {
		t.Error("band lines aren't dashed")
	}
	for _, want := range []string{">Mild 5<", ">Moderate 10<", ">Moderately severe 15<", ">Severe 20<"} {
		if !strings.Contains(html, want) {
			t.Errorf("no band label %s", want)
		}
	}
	if strings.Contains(html, ">Minimal 0<") {
		t.Error("the floor band is drawn as a line")
	}
}

func TestTrendChart_SinglePointIsCentred(t *testing.T) {
	t.Parallel()
	v := phq9Trend(TrendPoint{dayOf(t, "2026-03-03"), 12, "Moderate"})
	html := renderTrend(t, v)
	if strings.Contains(html, "NaN") || strings.Contains(html, "Inf") {
		t.Fatalf("single point divides by zero:\n%s", html)
	}
	want := num((v.left() + v.right()) / 2)
	if !strings.Contains(html, `cx="`+want+`"`) {
		t.Errorf("single marker not at the centre x=%s:\n%s", want, html)
	}
	if !strings.Contains(html, "<desc id=\"trend-phq-9-desc\">PHQ-9 score on 3 Mar 2026: 12</desc>") {
		t.Errorf("single point summary wrong:\n%s", html)
	}
	if strings.Contains(html, "<polyline") {
		t.Error("a single point draws a line")
	}
}

func TestTrendChart_StaysInsideViewBox(t *testing.T) {
	t.Parallel()
	d := dayOf(t, "2026-01-01")
	tests := []struct {
		name string
		v    TrendView
	}{
		{"floor and ceiling", phq9Trend(TrendPoint{d, 0, "Minimal"}, TrendPoint{d.AddDate(0, 1, 0), 27, "Severe"})},
		{"scores out of range", phq9Trend(TrendPoint{d, -5, ""}, TrendPoint{d.AddDate(1, 0, 0), 99, ""})},
		{"same day twice", phq9Trend(TrendPoint{d, 3, ""}, TrendPoint{d, 27, ""})},
		{"empty range", TrendView{Title: "X", Min: 4, Max: 4, Points: []TrendPoint{{d, 4, ""}}}},
		{"no points", phq9Trend()},
		{"small drawing", func() TrendView { v := phq9Trend(TrendPoint{d, 27, ""}); v.Width, v.Height = 320, 160; return v }()},
	}
	coord := regexp.MustCompile(`\b(c?x[12]?|c?y[12]?|points)="([^"]*)"`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			html := renderTrend(t, tt.v)
			w, h := float64(tt.v.width()), float64(tt.v.height())
			matches := coord.FindAllStringSubmatch(html, -1)
			if len(matches) < 4 {
				t.Fatalf("found %d coordinates, want the axes at least:\n%s", len(matches), html)
			}
			for _, m := range matches {
				for _, pair := range strings.Fields(m[2]) {
					xy := strings.Split(pair, ",")
					for i, s := range xy {
						f, err := strconv.ParseFloat(s, 64)
						if err != nil {
							t.Fatalf("%s=%q: %v", m[1], m[2], err)
						}
						limit := h
						if strings.Contains(m[1], "x") || (m[1] == "points" && i == 0) {
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

// TestTrendChart_NeedsNoInlineStyleOrScript keeps the chart within the
// content security policy (style-src 'self', no scripts).
func TestTrendChart_NeedsNoInlineStyleOrScript(t *testing.T) {
	t.Parallel()
	html := renderTrend(t, threeScores(t))
	for _, banned := range []string{"style=", "<script", "<style"} {
		if strings.Contains(html, banned) {
			t.Errorf("chart contains %s", banned)
		}
	}
}

// TestTrendChart_WritesSample writes a standalone SVG to look at when
// TREND_SAMPLE is set.
func TestTrendChart_WritesSample(t *testing.T) {
	if os.Getenv("TREND_SAMPLE") == "" {
		t.Skip("set TREND_SAMPLE=1 to write /tmp/trend-sample.svg")
	}
	html := renderTrend(t, threeScores(t))
	start, end := strings.Index(html, "<svg"), strings.Index(html, "</svg>")
	svg := strings.Replace(html[start:end+len("</svg>")], "<svg", `<svg xmlns="http://www.w3.org/2000/svg"`, 1)
	if err := os.WriteFile("/tmp/trend-sample.svg", []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
}
