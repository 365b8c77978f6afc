package web

import (
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
)

// TrendView is one instrument's totals over time for one patient, drawn as a
// line chart. Points are in date order; entered-in-error assessments are
// left out by the caller.
type TrendView struct {
	Title    string // the instrument's short name, e.g. "PHQ-9"
	Min, Max int    // the lowest and highest total the instrument allows
	Points   []TrendPoint
	Bands    []TrendBand
	// Width and Height are the drawing's size in SVG units; zero means
	// 640 by 260. The chart scales to its container.
	Width, Height int
}

// TrendPoint is one completed assessment.
type TrendPoint struct {
	Date  time.Time
	Score int
	Label string // the band the score fell in, e.g. "Moderate"
}

// TrendBand is a severity band; From is its lowest total. Each band but the
// lowest is drawn as a line at its lower limit.
type TrendBand struct {
	From  int
	Label string
}

// Room around the plot for the axis labels (left, bottom), the values above
// the markers (top) and the band names (right).
const (
	trendMarginLeft   = 44
	trendMarginRight  = 150
	trendMarginTop    = 26
	trendMarginBottom = 40
	trendInset        = 20 // keeps the first and last markers off the axes
)

func (v TrendView) width() int {
	if v.Width <= 0 {
		return 640
	}
	return v.Width
}

func (v TrendView) height() int {
	if v.Height <= 0 {
		return 260
	}
	return v.Height
}

func (v TrendView) viewBox() string {
	return "0 0 " + itoa(v.width()) + " " + itoa(v.height())
}

func (v TrendView) left() float64   { return trendMarginLeft }
func (v TrendView) right() float64  { return float64(v.width() - trendMarginRight) }
func (v TrendView) top() float64    { return trendMarginTop }
func (v TrendView) bottom() float64 { return float64(v.height() - trendMarginBottom) }

// x places a date between the first and the last point; a single point, or
// several on one day, sit in the middle.
func (v TrendView) x(d time.Time) float64 {
	from, to := v.left()+trendInset, v.right()-trendInset
	if len(v.Points) == 0 {
		return (from + to) / 2
	}
	first, last := v.Points[0].Date, v.Points[len(v.Points)-1].Date
	span := last.Sub(first)
	if span <= 0 {
		return (from + to) / 2
	}
	return from + (to-from)*float64(d.Sub(first))/float64(span)
}

// y places a score between Min (bottom) and Max (top); a score outside the
// instrument's range is drawn at the nearer edge rather than off the chart.
func (v TrendView) y(score int) float64 {
	lo, hi := v.Min, v.Max
	if hi <= lo {
		hi = lo + 1
	}
	score = max(lo, min(hi, score))
	return v.bottom() - (v.bottom()-v.top())*float64(score-lo)/float64(hi-lo)
}

// valueY places a point's value above its marker, or below it when the
// marker is at the top of the chart.
func (v TrendView) valueY(score int) float64 {
	y := v.y(score)
	if y-10 < v.top() {
		return y + 20
	}
	return y - 10
}

func (v TrendView) linePoints() string {
	parts := make([]string, len(v.Points))
	for i, p := range v.Points {
		parts[i] = num(v.x(p.Date)) + "," + num(v.y(p.Score))
	}
	return strings.Join(parts, " ")
}

// bandLines are the bands whose lower limit falls inside the chart; the
// lowest band starts at the floor and needs no line.
func (v TrendView) bandLines() []TrendBand {
	var lines []TrendBand
	for _, b := range v.Bands {
		if b.From > v.Min && b.From <= v.Max {
			lines = append(lines, b)
		}
	}
	return lines
}

// trendDate is a date label on the x axis.
type trendDate struct {
	X    float64
	Text string
}

func (v TrendView) dateLabels() []trendDate {
	if len(v.Points) == 0 {
		return nil
	}
	first, last := v.Points[0].Date, v.Points[len(v.Points)-1].Date
	labels := []trendDate{{v.x(first), trendDay(first)}}
	if trendDay(last) != trendDay(first) {
		labels = append(labels, trendDate{v.x(last), trendDay(last)})
	}
	return labels
}

// summary says in words what the chart shows, for screen readers.
func (v TrendView) summary() string {
	n := len(v.Points)
	if n == 0 {
		return "No " + v.Title + " scores yet."
	}
	first, last := v.Points[0], v.Points[n-1]
	if n == 1 {
		return v.Title + " score on " + trendDay(first.Date) + ": " + itoa(first.Score)
	}
	scores := make([]string, n)
	for i, p := range v.Points {
		scores[i] = itoa(p.Score)
	}
	return v.Title + " scores from " + trendDay(first.Date) + " to " + trendDay(last.Date) + ": " + strings.Join(scores, ", ")
}

// id makes element ids from the title, so that two charts on one page (a
// PHQ-9 and a GAD-7) don't share them.
func (v TrendView) id(suffix string) string {
	var b strings.Builder
	b.WriteString("trend-")
	for _, r := range strings.ToLower(v.Title) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String() + "-" + suffix
}

func trendDay(t time.Time) string { return t.Format(calendar.Day) }

// num writes a coordinate with one decimal, enough for a crisp line.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
