package server

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/caseload"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// The supervisor's caseload review (issue 8): the dashboard of every
// coordinator's counts, the patient lists behind them, reassignment, the
// team's measures and CSV exports. internal/caseload reads and moves;
// this file turns what it returns into pages.

// caseloadDashboard is the table of coordinators, as the scheduler last
// counted it.
func (s *Server) caseloadDashboard(w http.ResponseWriter, r *http.Request) error {
	a := s.actor(r)
	snap, err := s.caseload.Dashboard(r.Context(), a)
	if err != nil {
		return err
	}
	v := web.CaseloadView{
		Shell: s.shell(r), Today: a.At.Format(calendar.LongWeekday), AsOf: snap.At.In(a.At.Location()).Format(calendar.TimeOfDay),
		CSVHref: tenantPath(r, "/caseload.csv"), MeasuresHref: tenantPath(r, "/caseload/measures"),
		DuplicatesHref: tenantPath(r, "/duplicates"),
	}
	for _, f := range caseload.Flags {
		v.Columns = append(v.Columns, web.CaseloadColumn{Key: string(f.Value), Label: f.Label, Short: f.Value.Short(), Definition: f.Value.Definition()})
	}
	for _, row := range snap.Rows {
		v.Rows = append(v.Rows, caseloadRowView(r, row, coordinatorParam(row)))
		if !row.Active && row.CoordinatorID != "" {
			v.NeedsReassigning = append(v.NeedsReassigning, row.Name)
		}
	}
	v.Total = caseloadRowView(r, snap.Total, "")
	v.ByCoordinator, v.Contacts = caseloadChart(v.Rows), contactsChart(snap.Weeks)
	return render(w, r, http.StatusOK, web.CaseloadPage(v))
}

// coordinatorParam names a dashboard row in links: the coordinator's id,
// or "none" for the unassigned patients; the team total has none.
func coordinatorParam(row caseload.Row) string {
	if row.CoordinatorID == "" {
		return "none"
	}
	return row.CoordinatorID
}

// caseloadRowView links each number of a row to its list; coordinator is
// the row's coordinatorParam, or "" for the whole team.
func caseloadRowView(r *http.Request, row caseload.Row, coordinator string) web.CaseloadRow {
	href := func(kv ...string) string {
		q := url.Values{}
		if coordinator != "" {
			q.Set("coordinator", coordinator)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return tenantPath(r, "/caseload/patients") + query(q)
	}
	out := web.CaseloadRow{Name: row.Name, Inactive: !row.Active, Href: href(), Caseload: row.Caseload(),
		High:     web.CaseloadCell{N: row.High, Href: href("status", "active", "tier", "high")},
		Moderate: web.CaseloadCell{N: row.Moderate, Href: href("status", "active", "tier", "moderate")},
		Low:      web.CaseloadCell{N: row.Low, Href: href("status", "active", "tier", "low")},
		Referred: web.CaseloadCell{N: row.Referred, Href: href("status", "referred")},
	}
	if !row.Active {
		out.Note = "No longer active: reassign"
	}
	for _, f := range caseload.Flags {
		cell := web.CaseloadCell{N: row.Counts[f.Value], Href: href("flag", string(f.Value))}
		if f.Value == caseload.FlagOpenReferral && row.OldestReferralDays >= 0 {
			cell.Sub = "oldest " + strconv.Itoa(row.OldestReferralDays) + "\u00a0d"
		}
		out.Cells = append(out.Cells, cell)
	}
	return out
}

// caseloadCSV downloads the dashboard table.
func (s *Server) caseloadCSV(w http.ResponseWriter, r *http.Request) error {
	a := s.actor(r)
	records, err := s.caseload.ExportDashboard(r.Context(), a)
	if err != nil {
		return err
	}
	return writeCSV(w, r, a, "caseload", records)
}

// caseloadPatientsCSV downloads every patient matching the filters.
func (s *Server) caseloadPatientsCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := caseload.ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	a := s.actor(r)
	records, err := s.caseload.ExportPatients(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writeCSV(w, r, a, "patients", records)
}

// writeCSV sends records as a download named after the tenant and the
// day, every cell made safe for spreadsheets.
func writeCSV(w http.ResponseWriter, r *http.Request, a tenants.Actor, name string, records [][]string) error {
	m, _ := currentMembership(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"-"+m.Tenant.Slug+"-"+a.At.Format(calendar.DateLayout)+`.csv"`)
	cw := csv.NewWriter(w)
	for _, rec := range records {
		safe := make([]string, len(rec))
		for i, c := range rec {
			safe[i] = audit.SafeCell(c)
		}
		if err := cw.Write(safe); err != nil {
			return nil // the status line is sent; nothing more to tell the browser
		}
	}
	cw.Flush()
	return nil
}

// caseloadPatients is the list behind a number.
func (s *Server) caseloadPatients(w http.ResponseWriter, r *http.Request) error {
	f, err := caseload.ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	v, err := s.caseloadPatientsView(r, f, web.ReassignForm{Errors: web.FieldErrors{}}, nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.CaseloadPatientsPage(v))
}

// caseloadPatientsView reads one page of the list and what the page's
// forms offer; checked keeps the boxes a refused reassignment had ticked.
func (s *Server) caseloadPatientsView(r *http.Request, f caseload.Filter, form web.ReassignForm, checked map[string]bool) (web.CaseloadPatientsView, error) {
	list, err := s.caseload.PatientList(r.Context(), s.actor(r), f)
	if err != nil {
		return web.CaseloadPatientsView{}, err
	}
	base, values := tenantPath(r, "/caseload/patients"), f.Values()
	v := web.CaseloadPatientsView{
		Shell: s.shell(r), Back: tenantPath(r, "/caseload"), FilterAction: base,
		Coordinator: f.CoordinatorParam(), Flag: string(f.Flag), Tier: string(f.Tier), Sort: string(f.Sort),
		CSVHref: tenantPath(r, "/caseload/patients.csv") + query(values), ShowCoordinator: f.Coordinator == nil,
		FlagDefinition: f.Flag.Definition(),
	}
	caseloadChoices(&v, &form, list)
	for _, p := range list.Rows {
		v.Rows = append(v.Rows, caseloadPatientRow(r, p, checked[p.ID]))
	}
	if list.Next != "" {
		next := f.Values()
		next.Set("after", list.Next)
		v.NextHref = base + query(next)
	}
	if f.After != "" {
		v.FirstHref = base + query(values)
	}
	form.Matching, form.MatchingMore = list.Matching, list.MatchingMore
	form.Action, form.Hidden = tenantPath(r, "/caseload/reassign"), map[string]string{}
	for k, val := range values {
		form.Hidden[k] = val[0]
	}
	v.Reassign, v.Title = form, caseloadTitle(v, f)
	return v, nil
}

// caseloadChoices fills the filters' choices and the people patients may
// move to.
func caseloadChoices(v *web.CaseloadPatientsView, form *web.ReassignForm, list caseload.PatientList) {
	for _, p := range list.Assignable {
		form.Options = append(form.Options, web.SelectOption{Value: p.ID, Label: p.Name + " (" + p.Role.Label() + ")"})
	}
	v.Coordinators = append([]web.SelectOption{{Value: "", Label: "Whole team"}, {Value: "none", Label: "Not assigned"}}, form.Options...)
	if list.Former != "" {
		v.Coordinators = append(v.Coordinators, web.SelectOption{Value: v.Coordinator, Label: list.Former + " (no longer active)"})
	}
	for _, fl := range caseload.Flags {
		v.Flags = append(v.Flags, web.SelectOption{Value: string(fl.Value), Label: fl.Label})
	}
	for _, t := range patients.RiskTiers {
		v.Tiers = append(v.Tiers, web.SelectOption{Value: string(t.Value), Label: t.Label})
	}
	for _, o := range caseload.Sorts {
		v.Sorts = append(v.Sorts, web.SelectOption{Value: string(o.Value), Label: o.Label})
	}
}

func caseloadTitle(v web.CaseloadPatientsView, f caseload.Filter) string {
	who := "Whole team"
	for _, o := range v.Coordinators {
		if o.Value == v.Coordinator {
			who = o.Label
		}
	}
	if f.Flag != "" {
		return who + ": " + f.Flag.Label()
	}
	return who + ": open patients"
}

var flagTone = map[caseload.Flag]string{
	caseload.FlagOverdueTasks: "danger", caseload.FlagPastCadence: "warn", caseload.FlagHighRiskNoContact: "danger",
	caseload.FlagReassessOverdue: "warn", caseload.FlagAwaitingApproval: "info", caseload.FlagUnreachable: "danger",
	caseload.FlagDischargeNoFollow: "danger", caseload.FlagOpenReferral: "info",
}

func caseloadPatientRow(r *http.Request, p caseload.PatientRow, checked bool) web.CaseloadPatientRow {
	row := web.CaseloadPatientRow{ID: p.ID, Name: p.Name, Href: patientPath(r, p.ID), Coordinator: p.Assigned(),
		Status: web.ChartBadge{Label: p.Status.Label(), Tone: statusTone[p.Status]},
		Tier:   web.ChartBadge{Label: p.Tier.Label(), Tone: riskTone[p.Tier]}, LastReached: "Never", Checked: checked}
	if p.LastReached != nil {
		row.LastReached = longDate(p.LastReached.In(zone(r)))
	}
	for _, f := range caseload.Flags {
		if p.Has(f.Value) {
			label := f.Label
			if f.Value == caseload.FlagOverdueTasks {
				label = strconv.Itoa(p.OverdueTasks) + " overdue"
			}
			row.Flags = append(row.Flags, web.ChartBadge{Label: label, Tone: flagTone[f.Value]})
		}
	}
	return row
}

// reassignPatients moves the ticked patients, or all matching the
// filters, from the list's coordinator to another.
func (s *Server) reassignPatients(w http.ResponseWriter, r *http.Request) error {
	in, err := parseReassign(r)
	if err != nil {
		return err
	}
	moved, err := s.caseload.Reassign(r.Context(), s.actor(r), in)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.reassignProblem(r, in, e) })
	}
	return s.redirectWith(w, r, tenantPath(r, "/caseload/patients")+query(in.Filter.Values()), movedMessage(moved))
}

func parseReassign(r *http.Request) (caseload.ReassignForm, error) {
	in, err := caseload.ParseReassign(r.PostForm)
	if err == nil && in.Filter.Coordinator == nil {
		return in, errBadRequest // the whole team's list offers no move: patients have different coordinators
	}
	return in, err
}

// reassignProblem is the list again with a refused reassignment: what
// was typed and ticked kept, each message beside its field.
func (s *Server) reassignProblem(r *http.Request, in caseload.ReassignForm, e *fail.Error) (templ.Component, error) {
	form := web.ReassignForm{To: in.To, Reason: in.Reason, All: in.All, Errors: web.FieldErrors(e.Fields), Problem: e.Message}
	checked := map[string]bool{}
	for _, id := range in.PatientIDs {
		checked[id] = true
	}
	v, err := s.caseloadPatientsView(r, in.Filter, form, checked)
	return web.CaseloadPatientsPage(v), err
}

func movedMessage(m caseload.Moved) string {
	msg := plural(len(m.PatientIDs), "patient", "patients") + " moved to " + m.ToName
	if m.Tasks > 0 {
		msg += ", with " + plural(m.Tasks, "open task", "open tasks")
	}
	msg += "."
	if m.Skipped > 0 {
		msg += " " + plural(m.Skipped, "patient was", "patients were") + " already moved by someone else and left as they are."
	}
	return msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// caseloadMeasures shows the team's measures for a period (the last 30
// days unless chosen), each with its trend month by month.
func (s *Server) caseloadMeasures(w http.ResponseWriter, r *http.Request) error {
	a := s.actor(r)
	f := caseload.ParsePeriod(r.URL.Query(), a.Today())
	rep, err := s.caseload.Measures(r.Context(), a, f)
	if err != nil {
		return err
	}
	v := web.MeasuresView{Shell: s.shell(r), Action: tenantPath(r, "/caseload/measures"), Back: tenantPath(r, "/caseload"),
		From: f.From, To: f.To, Errors: web.FieldErrors(rep.Errors)}
	trend := trendCharts(rep.Trend)
	for _, x := range rep.Measures {
		mv := measureView(x)
		mv.Trend = trend[x.Key]
		v.Measures = append(v.Measures, mv)
	}
	status := http.StatusOK
	if len(rep.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return render(w, r, status, web.MeasuresPage(v))
}

func measureView(x caseload.Measure) web.MeasureView {
	v := web.MeasureView{Key: x.Key, Label: x.Label, Definition: x.Definition, Value: "No data"}
	if x.Known {
		v.Value = strconv.FormatFloat(x.Value, 'f', 0, 64) + x.Unit
		if x.Unit != "%" {
			v.Value = strconv.FormatFloat(x.Value, 'f', 1, 64) + x.Unit
		}
	}
	switch x.Key {
	case caseload.MeasureFirst:
		v.Basis = strconv.Itoa(x.Numerator) + " of " + plural(x.Denominator, "referral", "referrals") + " in the period reached so far"
	case caseload.MeasureDischarge:
		v.Basis = strconv.Itoa(x.Numerator) + " of " + plural(x.Denominator, "discharge", "discharges")
	default:
		v.Basis = strconv.Itoa(x.Numerator) + " of " + plural(x.Denominator, "active patient", "active patients")
	}
	return v
}

// trendCharts draws one line chart per measure, a point per month.
func trendCharts(months []caseload.TrendMonth) map[string]web.LineChartView {
	out := map[string]web.LineChartView{}
	for _, m := range months {
		for _, x := range m.Measures {
			c := out[x.Key]
			c.ID, c.Title, c.Unit = "trend-"+x.Key, x.Label+" by month", x.Unit
			if x.Unit == "%" {
				c.Max = 100
			}
			c.Points = append(c.Points, web.LinePoint{Label: m.Month.Format("Jan"), Value: x.Value, Missing: !x.Known})
			out[x.Key] = c
		}
	}
	return out
}

// caseloadChart draws each coordinator's active patients by risk tier,
// each bar linking to that coordinator's list.
func caseloadChart(rows []web.CaseloadRow) web.StackedBarChart {
	c := web.StackedBarChart{ID: "caseload", Title: "Active patients by coordinator and risk tier",
		Series: []web.ChartSeries{{Name: "High risk", Style: "solid"}, {Name: "Moderate risk", Style: "hatch"}, {Name: "Low risk", Style: "light"}}}
	for _, r := range rows {
		c.Bars = append(c.Bars, web.StackedBar{Label: r.Name, Href: r.Href, Values: []int{r.High.N, r.Moderate.N, r.Low.N}})
	}
	return c
}

// contactsChart draws the successful contacts of each of the last weeks.
func contactsChart(weeks []caseload.WeekCount) web.ColumnChart {
	c := web.ColumnChart{ID: "contacts", Title: "Successful contacts with patients per week", Unit: "contacts"}
	for i, w := range weeks {
		col := web.Column{Label: w.Week.Format(calendar.ShortDay), Value: w.Count}
		if i == len(weeks)-1 {
			col.Note = "this week, so far"
		}
		c.Columns = append(c.Columns, col)
	}
	return c
}
