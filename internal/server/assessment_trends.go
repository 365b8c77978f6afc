package server

import (
	"slices"
	"time"

	"carecoord/internal/assessments"
	"carecoord/web"
)

// History and re-assessment on the chart (issue 5): each scored instrument
// the patient has taken is drawn as a trend, and the latest result of each
// says when the instrument is due again.

// trendCodes are the instruments with a total, in the order the chart
// draws them.
var trendCodes = []string{"PHQ-9", "GAD-7", "LACE"}

// trendsOf draws one trend for every instrument with a total that the
// patient has a counted result of.
func trendsOf(list []assessments.Assessment, loc *time.Location) []web.TrendView {
	var out []web.TrendView
	for _, code := range trendCodes {
		if v, ok := trendOf(code, list, loc); ok {
			out = append(out, v)
		}
	}
	return out
}

// trendOf is the trend of one instrument: the scores as stored with the
// version each was given under, against the current definition's bands.
func trendOf(code string, list []assessments.Assessment, loc *time.Location) (web.TrendView, bool) {
	in, ok := assessments.Current(code)
	if !ok {
		return web.TrendView{}, false
	}
	v := web.TrendView{Title: code, Max: in.MaxTotal()}
	for _, b := range in.Bands {
		if b.Min > v.Min {
			v.Bands = append(v.Bands, web.TrendBand{From: b.Min, Label: b.Label})
		}
	}
	for _, a := range assessments.Counted(list) {
		if a.Code == code && a.Total != nil {
			v.Points = append(v.Points, web.TrendPoint{Date: a.CompletedAt.In(loc), Score: *a.Total, Label: a.Band})
		}
	}
	slices.SortStableFunc(v.Points, func(x, y web.TrendPoint) int { return x.Date.Compare(y.Date) })
	return v, len(v.Points) > 0
}

// dueCodes are the instruments that can fall due, in badge order.
var dueCodes = []string{"PHQ-9", "GAD-7", "AHC-HRSN"}

// dueOf says which instruments are due again and when, by the tenant's
// rules, at now on the tenant's clock.
func dueOf(base string, list []assessments.Assessment, now time.Time, rules assessments.DueRules) web.ChartAssessmentsDue {
	latest := assessments.LatestResults(list)
	var v web.ChartAssessmentsDue
	for _, code := range dueCodes {
		last, ok := latest[code]
		if !ok {
			continue
		}
		due, ok := rules.DueDate(last)
		if !ok {
			continue
		}
		b := web.ChartBadge{Label: code + " due " + longDate(due.In(now.Location())), Tone: "info"}
		if rules.Overdue(last, now) {
			b = web.ChartBadge{Label: code + " overdue since " + longDate(due.In(now.Location())), Tone: "warn"}
		}
		v.Badges = append(v.Badges, b)
	}
	if _, ok := latest["AHC-HRSN"]; !ok {
		v.ScreenHref = base + "/assessments/new?instrument=AHC-HRSN"
	}
	return v
}
