package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/referrals"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The supervisor's caseload review (issue 8): the dashboard of every
// coordinator's counts, the patient lists behind them, reassignment, the
// team's measures and CSV exports. The counts and the lists come from the
// same conditions in internal/caseload, so a number and its list agree.

// caseloadRules are the tenant's rules as of this request.
func (s *Server) caseloadRules(r *http.Request) caseload.Rules {
	m, _ := currentMembership(r)
	return caseload.RulesAt(m.Settings, s.now())
}

// caseloadDashboard is the table of coordinators.
func (s *Server) caseloadDashboard(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.dashboardRows(r)
	if err != nil {
		return err
	}
	rows, total := snap.Value.Rows, snap.Value.Total
	v := web.CaseloadView{
		Shell: s.shell(r), Today: s.now().Format("Monday 2 January 2006"), AsOf: snap.At.Local().Format("15:04"),
		CSVHref: tenantPath(r, "/caseload.csv"), MeasuresHref: tenantPath(r, "/caseload/measures"),
	}
	for _, f := range caseload.Flags {
		v.Columns = append(v.Columns, web.CaseloadColumn{Key: string(f.Flag), Label: f.Label, Short: f.Short, Definition: f.Definition})
	}
	for _, row := range rows {
		v.Rows = append(v.Rows, caseloadRowView(r, row, coordinatorParam(row)))
		if !row.Active && row.CoordinatorID != "" {
			v.NeedsReassigning = append(v.NeedsReassigning, row.Name)
		}
	}
	v.Total = caseloadRowView(r, total, "")
	v.ByCoordinator, v.Contacts = caseloadChart(v.Rows), contactsChart(snap.Value.Weeks)
	return render(w, r, http.StatusOK, web.CaseloadPage(v))
}

// dashboardRows is the tenant's dashboard from its snapshot (see
// caseload.Snapshots): at most a minute old, or computed now.
func (s *Server) dashboardRows(r *http.Request) (caseload.Computed[caseload.Snapshot], error) {
	m, _ := currentMembership(r)
	tenantID, settings := m.Tenant.ID, m.Settings
	return s.dashboards.Get(r.Context(), tenantID, s.now(), func(ctx context.Context) (caseload.Computed[caseload.Snapshot], error) {
		var snap caseload.Snapshot
		at := s.now()
		err := db.InTenant(ctx, s.pool, tenantID, func(tx pgx.Tx) (err error) {
			// The overdue tasks counted include those time has made due
			// (see referrals.RaiseDue).
			if _, err := referrals.RaiseDue(ctx, tx, tenantID, dateOnly(at), settings.AuthorizationWarningDays); err != nil {
				return err
			}
			snap.Rows, snap.Total, err = caseload.Dashboard(ctx, tx, tenantID, caseload.RulesAt(settings, at))
			if err != nil {
				return err
			}
			snap.Weeks, err = caseload.SuccessfulContactsByWeek(ctx, tx, tenantID, dateOnly(at), 12)
			return err
		})
		if err != nil {
			s.log.ErrorContext(ctx, "caseload dashboard", "err", err)
		}
		return caseload.Computed[caseload.Snapshot]{Value: snap, At: at}, err
	})
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
		cell := web.CaseloadCell{N: row.Counts[f.Flag], Href: href("flag", string(f.Flag))}
		if f.Flag == caseload.FlagOpenReferral && row.OldestReferralDays >= 0 {
			cell.Sub = "oldest " + strconv.Itoa(row.OldestReferralDays) + "\u00a0d"
		}
		out.Cells = append(out.Cells, cell)
	}
	return out
}

// caseloadCSV downloads the dashboard table.
func (s *Server) caseloadCSV(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.dashboardRows(r)
	if err != nil {
		return err
	}
	rows, total := snap.Value.Rows, snap.Value.Total
	header := []string{"Coordinator", "Still active", "High risk", "Moderate risk", "Low risk", "Active patients", "Referred"}
	for _, f := range caseload.Flags {
		header = append(header, f.Label)
	}
	header = append(header, "Oldest open referral (days)")
	records := [][]string{header}
	for _, row := range append(rows, total) {
		rec := []string{row.Name, yesNo(row.Active), strconv.Itoa(row.High), strconv.Itoa(row.Moderate), strconv.Itoa(row.Low),
			strconv.Itoa(row.Caseload()), strconv.Itoa(row.Referred)}
		for _, f := range caseload.Flags {
			rec = append(rec, strconv.Itoa(row.Counts[f.Flag]))
		}
		oldest := ""
		if row.OldestReferralDays >= 0 {
			oldest = strconv.Itoa(row.OldestReferralDays)
		}
		records = append(records, append(rec, oldest))
	}
	return s.writeCSV(w, r, "caseload", records, audited{action: "caseload.exported", entityType: "tenant"})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// writeCSV sends records as a download, every cell made safe for
// spreadsheets, after recording the export in the audit log.
func (s *Server) writeCSV(w http.ResponseWriter, r *http.Request, name string, records [][]string, a audited) error {
	m, _ := currentMembership(r)
	a.entityID = m.Tenant.ID
	if err := s.inTenant(r, func(tx pgx.Tx) error { return s.audit(r, tx, a) }); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"-"+m.Tenant.Slug+"-"+s.now().Format("2006-01-02")+`.csv"`)
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

// caseloadFilter reads the patient list's filters from a query or form.
type caseloadFilter struct {
	caseload.Filter
	// param is the coordinator as in the URL: an id, "none" or "".
	param string
}

func parseCaseloadFilter(v url.Values) (caseloadFilter, error) {
	f := caseloadFilter{param: v.Get("coordinator")}
	switch f.param {
	case "":
	case "none":
		none := ""
		f.Coordinator = &none
	default:
		if !validUUID(f.param) {
			return f, errNotFound
		}
		id := f.param
		f.Coordinator = &id
	}
	f.Flag = caseload.Flag(v.Get("flag"))
	if f.Flag != "" && !f.Flag.Valid() {
		f.Flag = ""
	}
	f.Tier = patients.RiskTier(v.Get("tier"))
	if f.Tier != "" && f.Tier.Label() == string(f.Tier) {
		f.Tier = ""
	}
	f.Status = patients.Status(v.Get("status"))
	if f.Status != "" && f.Status.Label() == string(f.Status) {
		f.Status = ""
	}
	f.Sort = caseload.Sort(v.Get("sort"))
	if !f.Sort.Valid() {
		f.Sort = caseload.ByName
	}
	if after := v.Get("after"); validUUID(after) {
		f.After = after
	}
	return f, nil
}

// values is the filter as URL parameters, without the page cursor.
func (f caseloadFilter) values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"coordinator": f.param, "flag": string(f.Flag), "tier": string(f.Tier),
		"status": string(f.Status), "sort": string(f.Sort)} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// caseloadPageSize is how many patients a page of the list shows.
const caseloadPageSize = 50

// caseloadPatients is the list behind a number.
func (s *Server) caseloadPatients(w http.ResponseWriter, r *http.Request) error {
	f, err := parseCaseloadFilter(r.URL.Query())
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
// forms offer; checked keeps the boxes a failed reassignment had ticked.
func (s *Server) caseloadPatientsView(r *http.Request, f caseloadFilter, form web.ReassignForm, checked map[string]bool) (web.CaseloadPatientsView, error) {
	m, _ := currentMembership(r)
	rules := s.caseloadRules(r)
	base := tenantPath(r, "/caseload/patients")
	v := web.CaseloadPatientsView{
		Shell: s.shell(r), Back: tenantPath(r, "/caseload"), FilterAction: base,
		Coordinator: f.param, Flag: string(f.Flag), Tier: string(f.Tier), Sort: string(f.Sort),
		CSVHref: tenantPath(r, "/caseload/patients.csv") + query(f.values()), ShowCoordinator: f.Coordinator == nil,
	}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		page := f.Filter
		page.Limit = caseloadPageSize
		found, err := caseload.Patients(r.Context(), tx, m.Tenant.ID, rules, page)
		if err != nil {
			return err
		}
		list, next := found.Rows, found.Next
		if err := s.caseloadChoices(r, tx, f, &v, &form); err != nil {
			return err
		}
		for _, p := range list {
			v.Rows = append(v.Rows, caseloadPatientRow(r, p, checked[p.ID]))
		}
		if next != "" {
			q := f.values()
			q.Set("after", next)
			v.NextHref = base + query(q)
		}
		if f.After != "" {
			v.FirstHref = base + query(f.values())
		}
		form.Matching = found.Matching
		return s.audit(r, tx, audited{action: "caseload.patients_listed", entityType: "tenant", entityID: m.Tenant.ID,
			detail: map[string]any{"coordinator": f.param, "flag": string(f.Flag), "shown": len(list)}})
	})
	form.Action, form.Hidden = tenantPath(r, "/caseload/reassign"), map[string]string{}
	for k, val := range f.values() {
		form.Hidden[k] = val[0]
	}
	v.Reassign = form
	v.Title = caseloadTitle(v, f)
	if info, ok := flagInfo(f.Flag); ok {
		v.FlagDefinition = info.Definition
	}
	return v, err
}

func flagInfo(f caseload.Flag) (caseload.FlagInfo, bool) {
	for _, i := range caseload.Flags {
		if i.Flag == f {
			return i, true
		}
	}
	return caseload.FlagInfo{}, false
}

// caseloadChoices fills the filters' choices and the people patients may
// move to.
func (s *Server) caseloadChoices(r *http.Request, tx pgx.Tx, f caseloadFilter, v *web.CaseloadPatientsView, form *web.ReassignForm) error {
	people, err := s.coordinatorOptions(r, tx)
	if err != nil {
		return err
	}
	v.Coordinators = append([]web.SelectOption{{Value: "", Label: "Whole team"}, {Value: "none", Label: "Not assigned"}}, people...)
	if f.Coordinator != nil && *f.Coordinator != "" && !idsOf(people)[*f.Coordinator] {
		// A former colleague is not offered as a destination but must stay
		// selectable as the list being shown.
		name, err := userName(r, tx, *f.Coordinator)
		if err != nil {
			return err
		}
		v.Coordinators = append(v.Coordinators, web.SelectOption{Value: *f.Coordinator, Label: name + " (no longer active)"})
	}
	form.Options = people
	for _, fl := range caseload.Flags {
		v.Flags = append(v.Flags, web.SelectOption{Value: string(fl.Flag), Label: fl.Label})
	}
	for _, t := range patients.RiskTiers.Values() {
		v.Tiers = append(v.Tiers, web.SelectOption{Value: string(t), Label: t.Label()})
	}
	for _, o := range caseload.Sorts {
		v.Sorts = append(v.Sorts, web.SelectOption{Value: string(o.Sort), Label: o.Label})
	}
	return nil
}

// userName names a member of the request's tenant, former members
// included. Users are global, so the membership is what keeps another
// organisation's people out: anyone else is not found.
func userName(r *http.Request, tx pgx.Tx, id string) (string, error) {
	m, _ := currentMembership(r)
	var name string
	err := tx.QueryRow(r.Context(), `
		select u.name from users u join memberships m on m.user_id = u.id
		 where m.tenant_id = $1 and u.id = $2`, m.Tenant.ID, id).Scan(&name)
	return name, db.NotFound(err)
}

func caseloadTitle(v web.CaseloadPatientsView, f caseloadFilter) string {
	who := "Whole team"
	for _, o := range v.Coordinators {
		if o.Value == f.param {
			who = o.Label
		}
	}
	if info, ok := flagInfo(f.Flag); ok {
		return who + ": " + info.Label
	}
	return who + ": open patients"
}

var flagTone = map[caseload.Flag]string{
	caseload.FlagOverdueTasks: "danger", caseload.FlagPastCadence: "warn", caseload.FlagHighRiskNoContact: "danger",
	caseload.FlagReassessOverdue: "warn", caseload.FlagAwaitingApproval: "info", caseload.FlagUnreachable: "danger",
	caseload.FlagDischargeNoFollow: "danger", caseload.FlagOpenReferral: "info",
}

func caseloadPatientRow(r *http.Request, p caseload.PatientRow, checked bool) web.CaseloadPatientRow {
	row := web.CaseloadPatientRow{ID: p.ID, Name: p.Name, Href: patientPath(r, p.ID), Coordinator: orText(p.CoordinatorName, "Not assigned"),
		Status: web.ChartBadge{Label: p.Status.Label(), Tone: statusTone[p.Status]},
		Tier:   web.ChartBadge{Label: p.Tier.Label(), Tone: riskTone[p.Tier]}, LastReached: "Never", Checked: checked}
	if p.LastReached != nil {
		row.LastReached = longDate(p.LastReached.Local())
	}
	for _, f := range caseload.Flags {
		if p.Has(f.Flag) {
			label := f.Label
			if f.Flag == caseload.FlagOverdueTasks {
				label = strconv.Itoa(p.OverdueTasks) + " overdue"
			}
			row.Flags = append(row.Flags, web.ChartBadge{Label: label, Tone: flagTone[f.Flag]})
		}
	}
	return row
}

// caseloadPatientsCSV downloads every patient matching the filters.
func (s *Server) caseloadPatientsCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := parseCaseloadFilter(r.URL.Query())
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	f.After = ""
	var list []caseload.PatientRow
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		found, err := caseload.Patients(r.Context(), tx, m.Tenant.ID, s.caseloadRules(r), f.Filter)
		list = found.Rows
		return err
	})
	if err != nil {
		return err
	}
	header := []string{"Patient", "Coordinator", "Status", "Risk", "Last reached", "Unsuccessful attempts"}
	for _, fl := range caseload.Flags {
		header = append(header, fl.Label)
	}
	records := [][]string{header}
	for _, p := range list {
		last := ""
		if p.LastReached != nil {
			last = p.LastReached.Local().Format("2006-01-02")
		}
		rec := []string{p.Name, orText(p.CoordinatorName, "Not assigned"), p.Status.Label(), p.Tier.Label(), last, strconv.Itoa(p.Attempts)}
		for _, fl := range caseload.Flags {
			cell := ""
			if p.Has(fl.Flag) {
				cell = "yes"
			}
			if fl.Flag == caseload.FlagOverdueTasks && p.OverdueTasks > 0 {
				cell = strconv.Itoa(p.OverdueTasks)
			}
			rec = append(rec, cell)
		}
		records = append(records, rec)
	}
	return s.writeCSV(w, r, "patients", records, audited{action: "caseload.patients_exported", entityType: "tenant",
		detail: map[string]any{"coordinator": f.param, "flag": string(f.Flag), "rows": len(list)}})
}

// reassignRequest is a reassignment form as posted.
type reassignRequest struct {
	filter  caseloadFilter
	move    caseload.Move
	all     bool
	checked map[string]bool
}

func parseReassign(r *http.Request) (reassignRequest, error) {
	if err := r.ParseForm(); err != nil {
		return reassignRequest{}, formError(err)
	}
	f, err := parseCaseloadFilter(r.PostForm)
	if err != nil {
		return reassignRequest{}, err
	}
	if f.Coordinator == nil {
		return reassignRequest{}, errBadRequest // the whole team's list offers no move: patients have different coordinators
	}
	req := reassignRequest{filter: f, all: r.PostForm.Get("all") == "yes", checked: map[string]bool{},
		move: caseload.Move{From: *f.Coordinator, To: r.PostForm.Get("to"), Reason: r.PostForm.Get("reason")}}
	for _, id := range r.PostForm["patient_id"] {
		if !validUUID(id) {
			return req, errNotFound
		}
		req.checked[id] = true
		req.move.PatientIDs = append(req.move.PatientIDs, id)
	}
	return req, nil
}

// reassignPatients moves the ticked patients, or all matching the
// filters, from the list's coordinator to another.
func (s *Server) reassignPatients(w http.ResponseWriter, r *http.Request) error {
	req, err := parseReassign(r)
	if err != nil {
		return err
	}
	var moved caseload.Moved
	var errs map[string]string
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		moved, errs, err = s.reassign(r, tx, &req)
		return err
	})
	if err == errChartRedisplay {
		form := web.ReassignForm{To: req.move.To, Reason: req.move.Reason, All: req.all, Errors: web.FieldErrors(errs),
			Problem: "Nobody was moved. Check the form below."}
		v, err := s.caseloadPatientsView(r, req.filter, form, req.checked)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusUnprocessableEntity, web.CaseloadPatientsPage(v))
	}
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	s.dashboards.Forget(m.Tenant.ID)
	s.flash(r, movedMessage(moved, req.move.ToName))
	return redirect(w, r, tenantPath(r, "/caseload/patients")+query(req.filter.values()))
}

// reassign validates the move in the tenant transaction (who may take
// patients over, which patients "all matching" means now), names the two
// coordinators for the timeline, moves the patients and audits each move.
// Invalid input returns errChartRedisplay with the messages.
func (s *Server) reassign(r *http.Request, tx pgx.Tx, req *reassignRequest) (caseload.Moved, map[string]string, error) {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	people, err := s.coordinatorOptions(r, tx)
	if err != nil {
		return caseload.Moved{}, nil, err
	}
	if req.all {
		every := req.filter.Filter
		every.After = ""
		found, err := caseload.Patients(r.Context(), tx, m.Tenant.ID, s.caseloadRules(r), every)
		if err != nil {
			return caseload.Moved{}, nil, err
		}
		req.move.PatientIDs = nil
		for _, p := range found.Rows {
			req.move.PatientIDs = append(req.move.PatientIDs, p.ID)
		}
	}
	if errs := caseload.ValidateMove(req.move, idsOf(people)); len(errs) > 0 {
		return caseload.Moved{}, errs, errChartRedisplay
	}
	if req.move.ToName, err = userName(r, tx, req.move.To); err != nil {
		return caseload.Moved{}, nil, err
	}
	if req.move.From != "" {
		if req.move.FromName, err = userName(r, tx, req.move.From); err != nil {
			return caseload.Moved{}, nil, err
		}
	}
	moved, err := caseload.Reassign(r.Context(), tx, m.Tenant.ID, u.ID, req.move)
	if err != nil {
		return moved, nil, err
	}
	return moved, nil, audit.RecordForPatients(r.Context(), tx, s.auditEvent(r, audited{action: "patient.reassigned",
		detail: map[string]any{"from": req.move.From, "to": req.move.To, "tasks": moved.Tasks}}), moved.PatientIDs)
}

func movedMessage(m caseload.Moved, to string) string {
	msg := plural(len(m.PatientIDs), "patient", "patients") + " moved to " + to
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
// days unless chosen).
func (s *Server) caseloadMeasures(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	day := dateOnly(s.now())
	period := caseload.Period{From: day.AddDate(0, 0, -29), To: day}
	v := web.MeasuresView{Shell: s.shell(r), Action: tenantPath(r, "/caseload/measures"), Back: tenantPath(r, "/caseload"),
		Errors: web.FieldErrors{}}
	q := r.URL.Query()
	v.From, v.To = orText(q.Get("from"), period.From.Format("2006-01-02")), orText(q.Get("to"), period.To.Format("2006-01-02"))
	period, v.Errors = parsePeriod(v.From, v.To, day)
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
		period = caseload.Period{From: day.AddDate(0, 0, -29), To: day}
	}
	cadence := map[string]int{"high": m.Settings.CadenceHighDays, "moderate": m.Settings.CadenceModerateDays, "low": m.Settings.CadenceLowDays}
	var ms []caseload.Measure
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		ms, err = caseload.Measures(r.Context(), tx, m.Tenant.ID, period, cadence)
		return err
	})
	if err != nil {
		return err
	}
	trend, err := s.measureTrend(r, day, cadence)
	if err != nil {
		return err
	}
	for _, x := range ms {
		mv := measureView(x)
		mv.Trend = trend[x.Key]
		v.Measures = append(v.Measures, mv)
	}
	return render(w, r, status, web.MeasuresPage(v))
}

// parsePeriod checks a chosen period: real dates, in order, not in the
// future, at most two years long.
func parsePeriod(from, to string, today time.Time) (caseload.Period, web.FieldErrors) {
	errs := web.FieldErrors{}
	f, err1 := calendar.ParseDate(from)
	t, err2 := calendar.ParseDate(to)
	switch {
	case err1 != nil:
		errs["from"] = "Enter a real date, for example 2026-10-01."
	case err2 != nil:
		errs["to"] = "Enter a real date, for example 2026-10-31."
	case t.After(today):
		errs["to"] = "The period can't end in the future."
	case f.After(t):
		errs["from"] = "The start must be on or before the end."
	case t.Sub(f) > 731*24*time.Hour:
		errs["from"] = "Choose a period of two years or less."
	}
	return caseload.Period{From: f, To: t}, errs
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
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
		col := web.Column{Label: w.Week.Format("2 Jan"), Value: w.Count}
		if i == len(weeks)-1 {
			col.Note = "this week, so far"
		}
		c.Columns = append(c.Columns, col)
	}
	return c
}

// trendMonths is how many months the measures' trend charts show.
const trendMonths = 6

// measureTrend computes every measure for each of the last months (this
// month so far last), one line chart per measure. Computing them reads
// the tenant's patients several times over (seconds at 100,000), and they
// change slowly, so they are kept for ten minutes per tenant and settings.
func (s *Server) measureTrend(r *http.Request, today time.Time, cadence map[string]int) (map[string]web.LineChartView, error) {
	m, _ := currentMembership(r)
	tenantID := m.Tenant.ID
	key := tenantID + "/" + today.Format("2006-01-02") + "/" + strconv.Itoa(cadence["high"]) + "-" +
		strconv.Itoa(cadence["moderate"]) + "-" + strconv.Itoa(cadence["low"])
	c, err := s.trends.Get(r.Context(), key, s.now(), func(ctx context.Context) (caseload.Computed[map[string]web.LineChartView], error) {
		at := s.now()
		out, err := monthlyMeasures(ctx, s.pool, tenantID, today, cadence)
		return caseload.Computed[map[string]web.LineChartView]{Value: out, At: at}, err
	})
	return c.Value, err
}

func monthlyMeasures(ctx context.Context, pool *pgxpool.Pool, tenantID string, today time.Time, cadence map[string]int) (map[string]web.LineChartView, error) {
	out := map[string]web.LineChartView{}
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	err := db.InTenant(ctx, pool, tenantID, func(tx pgx.Tx) error {
		for i := trendMonths - 1; i >= 0; i-- {
			from := first.AddDate(0, -i, 0)
			to := from.AddDate(0, 1, -1)
			if to.After(today) {
				to = today
			}
			ms, err := caseload.Measures(ctx, tx, tenantID, caseload.Period{From: from, To: to}, cadence)
			if err != nil {
				return err
			}
			for _, x := range ms {
				c := out[x.Key]
				c.ID, c.Title, c.Unit = "trend-"+x.Key, x.Label+" by month", x.Unit
				if x.Unit == "%" {
					c.Max = 100
				}
				c.Points = append(c.Points, web.LinePoint{Label: from.Format("Jan"), Value: x.Value, Missing: !x.Known})
				out[x.Key] = c
			}
		}
		return nil
	})
	return out, err
}
