package server

import (
	"time"

	"encoding/csv"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/tenants"
	"carecoord/web"
)

// The tenant's audit log for its admin: filters by who, action, patient
// and dates, pages of auditPageSize newest first, and a CSV export of
// everything the filters select. Patients appear by id only.

const auditPageSize = 50

// auditLog shows one page of the log.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	l, err := s.tenants.AuditLog(r.Context(), s.actor(r), tenants.ParseAuditQuery(r.URL.Query()), auditPageSize)
	if err != nil {
		return err
	}
	base, applied, typed := tenantPath(r, "/admin/audit"), l.Applied(), l.Query.Typed
	v := web.AuditView{
		Shell: s.shell(r), Action: base, CSVHref: tenantPath(r, "/admin/audit.csv") + query(applied),
		User: typed.Get("user"), Act: typed.Get("action"), Patient: typed.Get("patient"), From: typed.Get("from"), To: typed.Get("to"),
		Errors: web.FieldErrors(l.Errors), Filtering: l.Filtering(),
	}
	for _, mb := range l.Members {
		v.Users = append(v.Users, web.SelectOption{Value: mb.UserID, Label: mb.Name})
	}
	for _, a := range l.Actions {
		v.Actions = append(v.Actions, web.SelectOption{Value: a, Label: audit.Label(a)})
	}
	if last := len(l.Entries) - 1; l.More {
		next := l.Applied()
		next.Set("after", audit.Cursor{At: l.Entries[last].At, ID: l.Entries[last].ID}.String())
		v.NextHref = base + query(next)
	}
	if l.Filter.After != nil {
		v.FirstHref = base + query(applied)
	}
	for _, e := range l.Entries {
		v.Rows = append(v.Rows, auditRow(e, base, applied, zone(r)))
	}
	return render(w, r, http.StatusOK, web.AuditPage(v))
}

func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func auditRow(e audit.Entry, base string, applied url.Values, loc *time.Location) web.AuditRow {
	row := web.AuditRow{
		When: e.At.In(loc).Format(calendar.DayTimeSeconds), Who: orText(e.ActorName, "CareCoord"), WhoEmail: e.ActorEmail,
		Action: audit.Label(e.Action), Code: e.Action, IP: e.IP, Account: e.Source == audit.SourceAccount,
	}
	if !row.Account && e.EntityType != "" {
		row.Subject = strings.TrimSpace(e.EntityType + " " + shortID(e.EntityID))
	}
	row.Detail = e.ReadableDetail()
	if e.PatientID != "" {
		row.Patient = shortID(e.PatientID)
		only := maps.Clone(applied)
		only.Set("patient", e.PatientID)
		row.PatientHref = base + query(only)
	}
	return row
}

// shortID is enough of an id to tell records apart on screen.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// auditCSV exports every entry the filters select, newest first; the
// export is recorded before the download starts. Filters that can't be
// used send the admin back to the log, which says why.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) error {
	a := s.actor(r)
	l, err := s.tenants.ExportAuditLog(r.Context(), a, tenants.ParseAuditQuery(r.URL.Query()))
	if err != nil {
		return err
	}
	if len(l.Errors) > 0 {
		return redirect(w, r, tenantPath(r, "/admin/audit")+"?"+r.URL.RawQuery)
	}
	m, _ := currentMembership(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+m.Tenant.Slug+"-"+a.At.Format(calendar.DateLayout)+`.csv"`)
	cw := csv.NewWriter(w)
	err = cw.Write(audit.CSVHeader)
	if err == nil {
		err = s.tenants.EachAuditEntry(r.Context(), a, l, func(e audit.Entry) error { return cw.Write(audit.CSVRecord(e)) })
	}
	if cw.Flush(); err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status line is sent; all that can be done is to log it.
		s.log.ErrorContext(r.Context(), "audit export cut short", "err", err)
	}
	return nil
}
