package web

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// The chart components (StackedBars, Columns, LineChart) draw server-side
// SVG that reads without colour: every value is written on the chart or
// follows in a visually hidden table, and series differ by pattern (solid,
// hatched, dotted, light) rather than by hue alone. Geometry lives here as
// plain Go so it can be tested without rendering.

// StackedBarChart is one horizontal bar per row (a coordinator, say), each
// split into series (risk tiers, say).
type StackedBarChart struct {
	ID     string // unique on the page; prefixes element and pattern ids
	Title  string // e.g. "Caseload by coordinator"
	Desc   string // one-sentence summary for screen readers
	Series []ChartSeries
	Bars   []StackedBar
}

// ChartSeries is one part of every stacked bar. Style is "solid", "hatch",
// "dots" or "light", so the series can be told apart without colour.
type ChartSeries struct {
	Name  string
	Style string
}

// StackedBar is one row; Values follow the chart's Series in order. When
// Href is set the row's label links to it.
type StackedBar struct {
	Label  string
	Href   string
	Values []int
}

// ColumnChart is vertical bars over time, e.g. contacts per week. Unit names
// what is counted ("contacts") for the table and the columns' titles.
type ColumnChart struct {
	ID, Title, Desc, Unit string
	Columns               []Column
}

// Column is one period. Note (e.g. "this week, so far") marks a column as
// unlike the others: it is drawn hatched and the note is read with it.
type Column struct {
	Label string
	Value int
	Note  string
}

// LineChartView is a small line chart of a measure over time, sized to sit
// beside others as small multiples. Unit is written after values ("%" or
// " days"); Max is the top of the scale, zero to fit the data.
type LineChartView struct {
	ID, Title, Desc, Unit string
	Max                   float64
	Points                []LinePoint
}

// LinePoint is one period's value; a Missing point leaves a gap in the line.
type LinePoint struct {
	Label   string
	Value   float64
	Missing bool
}

// chartID makes an element id unique to one chart, so that patterns and
// titles of two charts on a page never collide.
func chartID(id, title, suffix string) string {
	base := groupID(id)
	if base == "" {
		base = groupID(title)
	}
	return "chart-" + base + "-" + suffix
}

// Text is measured by estimate: the server has no fonts. The widths are
// generous averages for system sans-serif faces, so labels err on the side
// of fitting.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			w += 0.58
		case strings.ContainsRune("iljtfI.,:;'!|() ", r):
			w += 0.32
		case r >= 'A' && r <= 'Z', strings.ContainsRune("mwMW%", r):
			w += 0.72
		default:
			w += 0.56
		}
	}
	return w * size
}

// truncateToWidth shortens s to fit width, ending in an ellipsis. It cuts on
// runes, never inside a character.
func truncateToWidth(s string, width, size float64) (string, bool) {
	if textWidth(s, size) <= width {
		return s, false
	}
	runes := []rune(s)
	ellipsis := textWidth("…", size)
	for n := len(runes) - 1; n > 0; n-- {
		head := strings.TrimRight(string(runes[:n]), " ")
		if textWidth(head, size)+ellipsis <= width {
			return head + "…", true
		}
	}
	return "…", true
}

// niceTicks chooses round tick values from zero to at least top, about
// target intervals apart: steps of 1, 2, 2.5 or 5 times a power of ten,
// whole numbers only when whole is set. The last tick is the scale's top.
func niceTicks(top float64, target int, whole bool) []float64 {
	if !(top > 0) || math.IsInf(top, 0) {
		top = 1
	}
	if target < 1 {
		target = 1
	}
	best, bestCost := 0.0, math.Inf(1)
	mag := math.Floor(math.Log10(top / float64(target)))
	for e := mag - 1; e <= mag+1; e++ {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * math.Pow(10, e)
			if whole && step != math.Trunc(step) {
				continue
			}
			intervals := math.Ceil(top/step - 1e-9)
			// More than twice the target crowds the axis.
			if intervals > float64(2*target) {
				continue
			}
			cost := math.Abs(intervals-float64(target)) + (intervals*step-top)/top
			if cost < bestCost {
				best, bestCost = step, cost
			}
		}
	}
	if best == 0 {
		best = top
	}
	n := int(math.Ceil(top/best - 1e-9))
	ticks := make([]float64, n+1)
	for i := range ticks {
		ticks[i] = roundTick(float64(i) * best)
	}
	return ticks
}

// roundTick drops the float noise of multiplying steps like 0.1.
func roundTick(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// oneDecimal writes a value with at most one decimal: 82, 3.5.
func oneDecimal(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// labelStep is how many slots apart labels must be so that the widest fits
// in its run of slots with a little space to spare: 1 means every label.
func labelStep(slot, widest float64) int {
	if slot <= 0 {
		return 1
	}
	return max(1, int(math.Ceil((widest+8)/slot)))
}

// shownLabel says whether label i of n is drawn at the given step. Counting
// from the end keeps the latest period labelled.
func shownLabel(i, n, step int) bool { return (n-1-i)%step == 0 }

// plotArea is a chart's drawing size and, inside it, the plot's edges and
// the ticks of its value axis.
type plotArea struct {
	Width, Height            float64
	Left, Right, Top, Bottom float64
	Ticks                    []axisTick
}

// plotIn is a drawing of width by height with the given margins around its
// plot.
func plotIn(width, height, left, right, top, bottom float64) plotArea {
	return plotArea{Width: width, Height: height, Left: left, Right: width - right, Top: top, Bottom: height - bottom}
}

func (p plotArea) viewBox() string { return "0 0 " + num(p.Width) + " " + num(p.Height) }

// axisTick is a tick on a value axis: its position and its text.
type axisTick struct {
	Pos  float64
	Text string
}

// seriesFill is the paint of a series style: a colour or a pattern. The
// colours are the teal and warm greys of app.css.
func seriesFill(style, hatchID, dotsID string) string {
	switch seriesStyle(style) {
	case "hatch":
		return "url(#" + hatchID + ")"
	case "dots":
		return "url(#" + dotsID + ")"
	case "light":
		return chartSoft
	default:
		return chartPrimary
	}
}

// seriesStyle is a known style; anything else is drawn solid.
func seriesStyle(style string) string {
	switch style {
	case "hatch", "dots", "light":
		return style
	}
	return "solid"
}

// Colours repeat app.css tokens, as SVG attributes for renderings without
// the stylesheet; the stylesheet sets the same through classes.
const (
	chartPrimary = "#0e6b69" // --primary
	chartSoft    = "#e4f1ef" // --primary-soft
	chartGrid    = "#e2dfd8" // --border
	chartAxis    = "#8b877e" // --border-control
	chartMuted   = "#585e64" // --text-muted
	chartText    = "#1d2125" // --text
	chartWhite   = "#ffffff" // --surface
)

// --- Stacked bars ---------------------------------------------------------

const (
	barWidth      = 720.0
	barFont       = 13.0
	barLabelWidth = 168.0 // room for the row labels, left of the plot
	barRightRoom  = 48.0  // room for the totals, right of the plot
	barLegendRoom = 36.0  // the legend above the plot
	barAxisRoom   = 30.0  // the tick labels below the plot
	barPitch      = 30.0  // one row
	barThickness  = 20.0
)

// stackedLayout is a stacked bar chart placed on the page.
type stackedLayout struct {
	plotArea
	Legend   []legendItem
	Rows     []stackedRow
	Totals   []int // per series, for the table
	HasLinks bool
}

type legendItem struct {
	X     float64
	Name  string
	Fill  string
	Style string
}

type stackedRow struct {
	Y, Mid    float64 // the bar's top, and the middle of its row
	Label     string  // as drawn, maybe truncated
	Full      string
	Truncated bool
	Href      string
	Segments  []stackedSegment
	Total     int
	TotalX    float64
	Spoken    string // the row in words, for the link's accessible name
}

type stackedSegment struct {
	X, W      float64
	Value     int
	Series    string
	Style     string
	Fill      string
	ShowValue bool
	Title     string
}

func (c StackedBarChart) id(suffix string) string { return chartID(c.ID, c.Title, suffix) }

// value is bar b's value for series i; missing values count as zero.
func (b StackedBar) value(i int) int {
	if i < len(b.Values) && b.Values[i] > 0 {
		return b.Values[i]
	}
	return 0
}

func (b StackedBar) total(series int) int {
	t := 0
	for i := range series {
		t += b.value(i)
	}
	return t
}

func (c StackedBarChart) empty() bool { return len(c.Bars) == 0 || len(c.Series) == 0 }

func (c StackedBarChart) layout() stackedLayout {
	rows := max(len(c.Bars), 1)
	if c.empty() {
		rows = 2 // room for the "No data yet" line
	}
	height := barLegendRoom + float64(rows)*barPitch + barAxisRoom
	l := stackedLayout{plotArea: plotIn(barWidth, height, barLabelWidth, barRightRoom, barLegendRoom, barAxisRoom)}

	x := l.Left
	for _, s := range c.Series {
		l.Legend = append(l.Legend, legendItem{X: x, Name: s.Name, Style: seriesStyle(s.Style), Fill: c.fill(s.Style)})
		x += 14 + 6 + textWidth(s.Name, barFont) + 20
	}
	if c.empty() {
		return l
	}

	top := 0
	for _, b := range c.Bars {
		top = max(top, b.total(len(c.Series)))
	}
	ticks := niceTicks(float64(top), 5, true)
	scaleTop := ticks[len(ticks)-1]
	scale := func(v int) float64 { return (l.Right - l.Left) * float64(v) / scaleTop }
	for _, t := range ticks {
		l.Ticks = append(l.Ticks, axisTick{l.Left + scale(int(t)), oneDecimal(t)})
	}

	l.Totals = make([]int, len(c.Series))
	for i, b := range c.Bars {
		row := stackedRow{
			Y:     l.Top + float64(i)*barPitch + (barPitch-barThickness)/2,
			Mid:   l.Top + float64(i)*barPitch + barPitch/2,
			Full:  b.Label,
			Href:  b.Href,
			Total: b.total(len(c.Series)),
		}
		row.Label, row.Truncated = truncateToWidth(b.Label, barLabelWidth-16, barFont)
		x := l.Left
		var parts []string
		for si, s := range c.Series {
			v := b.value(si)
			l.Totals[si] += v
			parts = append(parts, s.Name+" "+itoa(v))
			if v == 0 {
				continue
			}
			w := scale(v)
			row.Segments = append(row.Segments, stackedSegment{
				X: x, W: w, Value: v, Series: s.Name, Style: seriesStyle(s.Style), Fill: c.fill(s.Style),
				ShowValue: textWidth(itoa(v), barFont)+14 <= w,
				Title:     b.Label + ", " + s.Name + ": " + itoa(v),
			})
			x += w
		}
		row.TotalX = x + 6
		row.Spoken = b.Label + ": " + itoa(row.Total) + " (" + strings.Join(parts, ", ") + ")"
		l.HasLinks = l.HasLinks || b.Href != ""
		l.Rows = append(l.Rows, row)
	}
	return l
}

func (c StackedBarChart) fill(style string) string {
	return seriesFill(style, c.id("hatch"), c.id("dots"))
}

// usesStyle says whether a pattern is needed, so unused ones aren't defined.
func (c StackedBarChart) usesStyle(style string) bool {
	for _, s := range c.Series {
		if s.Style == style {
			return true
		}
	}
	return false
}

func (c StackedBarChart) desc() string {
	if c.empty() {
		return "No data yet."
	}
	if c.Desc != "" {
		return c.Desc
	}
	total := 0
	for _, b := range c.Bars {
		total += b.total(len(c.Series))
	}
	return itoa(len(c.Bars)) + " bars, " + itoa(total) + " in all."
}

// role is "img" for a picture; a chart with links is a "group" instead, so
// that its links stay reachable by screen readers (an img hides its children).
func (l stackedLayout) role() string {
	if l.HasLinks {
		return "group"
	}
	return "img"
}

// --- Columns ---------------------------------------------------------------

const (
	colWidth   = 640.0
	colHeight  = 250.0
	colFont    = 13.0
	colLeft    = 48.0
	colRight   = 12.0
	colTop     = 40.0 // the values above the columns, and the note's legend
	colBottom  = 30.0
	colMaxBody = 44.0 // the widest a column gets when there are few
)

type columnLayout struct {
	plotArea
	Bars  []columnBar
	Notes []string // distinct notes, for the legend
}

type columnBar struct {
	X, W, Y, H float64
	Mid        float64
	Value      int
	Label      string
	ShowLabel  bool
	ShowValue  bool
	Noted      bool
	Title      string
}

func (c ColumnChart) id(suffix string) string { return chartID(c.ID, c.Title, suffix) }

func (c ColumnChart) layout() columnLayout {
	l := columnLayout{plotArea: plotIn(colWidth, colHeight, colLeft, colRight, colTop, colBottom)}
	n := len(c.Columns)
	if n == 0 {
		return l
	}
	top, widest, widestValue := 0, 0.0, 0.0
	for _, col := range c.Columns {
		top = max(top, col.Value)
		widest = max(widest, textWidth(col.Label, colFont))
		widestValue = max(widestValue, textWidth(itoa(col.Value), colFont))
		if col.Note != "" && !slices.Contains(l.Notes, col.Note) {
			l.Notes = append(l.Notes, col.Note)
		}
	}
	ticks := niceTicks(float64(top), 4, true)
	scaleTop := ticks[len(ticks)-1]
	y := func(v float64) float64 { return l.Bottom - (l.Bottom-l.Top)*v/scaleTop }
	for _, t := range ticks {
		l.Ticks = append(l.Ticks, axisTick{y(t), oneDecimal(t)})
	}
	slot := (l.Right - l.Left) / float64(n)
	body := min(slot*0.64, colMaxBody)
	step := labelStep(slot, widest)
	// Values thinned like labels would float over their taller neighbours,
	// so when not all fit only the latest is written; the table has the rest.
	allValues := labelStep(slot, widestValue) == 1
	for i, col := range c.Columns {
		v := max(col.Value, 0)
		mid := l.Left + slot*(float64(i)+0.5)
		title := col.Label + ": " + itoa(col.Value) + " " + c.Unit
		if col.Note != "" {
			title += " (" + col.Note + ")"
		}
		l.Bars = append(l.Bars, columnBar{
			X: mid - body/2, W: body, Y: y(float64(v)), H: l.Bottom - y(float64(v)), Mid: mid,
			Value: col.Value, Label: col.Label, ShowLabel: shownLabel(i, n, step),
			ShowValue: allValues || i == n-1,
			Noted:     col.Note != "", Title: strings.TrimSpace(title),
		})
	}
	return l
}

func (c ColumnChart) desc() string {
	if len(c.Columns) == 0 {
		return "No data yet."
	}
	if c.Desc != "" {
		return c.Desc
	}
	parts := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		parts[i] = col.Label + " " + itoa(col.Value)
	}
	return c.Title + ": " + strings.Join(parts, ", ") + "."
}

// valueHeading names the table's value column after the unit counted.
func (c ColumnChart) valueHeading() string {
	unit := []rune(chartOr(strings.TrimSpace(c.Unit), "value"))
	return strings.ToUpper(string(unit[:1])) + string(unit[1:])
}

// fill is a column's paint: hatched when it carries a note.
func (c ColumnChart) fill(b columnBar) string {
	if b.Noted {
		return "url(#" + c.id("hatch") + ")"
	}
	return chartPrimary
}

// --- Line chart --------------------------------------------------------------

const (
	lineWidth  = 300.0
	lineHeight = 170.0
	lineFont   = 12.0
	lineLeft   = 40.0
	lineRight  = 12.0
	lineTop    = 22.0
	lineBottom = 26.0
	lineInset  = 12.0 // keeps the first and last markers off the axes
)

type lineLayout struct {
	plotArea
	Points    []linePlaced
	Runs      []string // polyline points, one per unbroken run
	UnitLabel string   // a unit too long for the ticks, named above the axis
}

type linePlaced struct {
	X, Y       float64
	ValueY     float64 // where the value's text sits, above or below
	Text       string  // the value as written on the chart
	Label      string
	Missing    bool
	ShowValue  bool
	ShowLabel  bool
	Accessible string // the value with its unit, for titles and the table
}

func (c LineChartView) id(suffix string) string { return chartID(c.ID, c.Title, suffix) }

// hasData is false when there are no points or all are missing.
func (c LineChartView) hasData() bool {
	for _, p := range c.Points {
		if !p.Missing {
			return true
		}
	}
	return false
}

// valueText is a value with its unit: "82%", "3.5 days".
func (c LineChartView) valueText(v float64) string { return oneDecimal(v) + c.Unit }

// shortText is a value as written beside its marker: a one-character unit
// like "%" fits, a word like " days" is left to the axis.
func (c LineChartView) shortText(v float64) string {
	if len([]rune(strings.TrimSpace(c.Unit))) <= 1 {
		return c.valueText(v)
	}
	return oneDecimal(v)
}

func (c LineChartView) layout() lineLayout {
	l := lineLayout{plotArea: plotIn(lineWidth, lineHeight, lineLeft, lineRight, lineTop, lineBottom)}
	n := len(c.Points)
	if !c.hasData() {
		return l
	}
	top, widestLabel, widestValue := c.Max, 0.0, 0.0
	for _, p := range c.Points {
		widestLabel = max(widestLabel, textWidth(p.Label, lineFont))
		if !p.Missing {
			if c.Max <= 0 {
				top = max(top, p.Value)
			}
			widestValue = max(widestValue, textWidth(c.shortText(p.Value), lineFont))
		}
	}
	var ticks []float64
	if c.Max > 0 {
		ticks = []float64{0, roundTick(c.Max / 2), c.Max}
	} else {
		ticks = niceTicks(top, 2, false)
	}
	scaleTop := ticks[len(ticks)-1]
	y := func(v float64) float64 {
		v = max(0, min(scaleTop, v))
		return l.Bottom - (l.Bottom-l.Top)*v/scaleTop
	}
	for _, t := range ticks {
		l.Ticks = append(l.Ticks, axisTick{y(t), c.shortText(t)})
	}
	if c.shortText(1) == oneDecimal(1) {
		l.UnitLabel = strings.TrimSpace(c.Unit)
	}

	from, to := l.Left+lineInset, l.Right-lineInset
	slot := to - from
	if n > 1 {
		slot /= float64(n - 1)
	}
	labelEvery := labelStep(slot, widestLabel)
	valueEvery := labelStep(slot, widestValue)
	var run []string
	flush := func() {
		if len(run) > 1 {
			l.Runs = append(l.Runs, strings.Join(run, " "))
		}
		run = nil
	}
	for i, p := range c.Points {
		x := (from + to) / 2
		if n > 1 {
			x = from + slot*float64(i)
		}
		placed := linePlaced{X: x, Label: p.Label, Missing: p.Missing, ShowLabel: shownLabel(i, n, labelEvery)}
		if p.Missing {
			placed.Accessible = "no data"
			flush()
		} else {
			placed.Y = y(p.Value)
			placed.ValueY = placed.Y - 9
			if placed.ValueY-lineFont < 0 {
				placed.ValueY = placed.Y + 18
			}
			placed.Text = c.shortText(p.Value)
			placed.Accessible = c.valueText(p.Value)
			placed.ShowValue = shownLabel(i, n, valueEvery)
			run = append(run, num(x)+","+num(placed.Y))
		}
		l.Points = append(l.Points, placed)
	}
	flush()
	return l
}

func (c LineChartView) desc() string {
	if !c.hasData() {
		return "No data yet."
	}
	if c.Desc != "" {
		return c.Desc
	}
	var parts []string
	for _, p := range c.Points {
		v := "no data"
		if !p.Missing {
			v = c.valueText(p.Value)
		}
		parts = append(parts, p.Label+" "+v)
	}
	return c.Title + ": " + strings.Join(parts, ", ") + "."
}
