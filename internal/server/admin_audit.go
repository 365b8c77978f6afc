package server

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// The tenant's audit log for its admin: filters by who, action, patient
// and dates, pages of auditPageSize newest first, and a CSV export of
// everything the filters select. Patients appear by id only.

const auditPageSize = 50

// auditQuery is the log's filters as typed in the URL, and what they mean.
type auditQuery struct {
	typed   url.Values
	filter  audit.Filter
	errs    tenants.Errors
	users   []web.SelectOption
	actions []web.SelectOption
}

// filtering reports whether any filter was applied.
func (q auditQuery) filtering() bool {
	f := q.filter
	return f.ActorID != nil || f.PatientID != nil || f.Action != nil || f.From != nil || f.To != nil
}

// applied is the query string of the filters that were applied, for
// links that keep them.
func (q auditQuery) applied() url.Values {
	out := url.Values{}
	for _, k := range []string{"user", "action", "patient", "from", "to"} {
		if v := q.typed.Get(k); v != "" && q.errs[k] == "" {
			out.Set(k, v)
		}
	}
	return out
}

// parseAuditQuery reads the filters; one that cannot be used is dropped
// with a message beside it, and the log still shows.
func (s *Server) parseAuditQuery(r *http.Request, tx pgx.Tx) (auditQuery, error) {
	ctx := r.Context()
	m, _ := currentMembership(r)
	get := func(k string) string { return strings.TrimSpace(r.URL.Query().Get(k)) }
	q := auditQuery{typed: r.URL.Query(), errs: tenants.Errors{}}
	members, err := tenants.Members(ctx, tx, m.Tenant.ID)
	if err != nil {
		return q, err
	}
	for _, mb := range members {
		q.users = append(q.users, web.SelectOption{Value: mb.UserID, Label: mb.Name})
	}
	actions, err := audit.Actions(ctx, tx, m.Tenant.ID)
	if err != nil {
		return q, err
	}
	for _, a := range actions {
		q.actions = append(q.actions, web.SelectOption{Value: a, Label: audit.Label(a)})
	}
	if v := get("user"); v != "" {
		if idsOf(q.users)[v] {
			q.filter.ActorID = &v
		} else {
			q.errs["user"] = "Choose someone from the list."
		}
	}
	if v := get("action"); v != "" {
		if slices.Contains(actions, v) {
			q.filter.Action = &v
		} else {
			q.errs["action"] = "Choose an action from the list."
		}
	}
	if v := get("patient"); v != "" {
		id := strings.ToLower(v)
		if !db.ValidUUID(id) {
			id, err = patients.IDByExternalID(ctx, tx, m.Tenant.ID, v)
		}
		switch {
		case errors.Is(err, db.ErrNotFound):
			q.errs["patient"] = "No patient has this ID or MRN."
		case err != nil:
			return q, err
		default:
			q.filter.PatientID = &id
		}
	}
	q.filter.From = s.auditDate(q, "from", 0)
	q.filter.To = s.auditDate(q, "to", 1)
	if f, t := q.filter.From, q.filter.To; f != nil && t != nil && !f.Before(*t) {
		q.errs["to"] = "The end date is before the start date."
		q.filter.To = nil
	}
	if v := get("after"); v != "" {
		if c, ok := audit.ParseCursor(v); ok {
			q.filter.After = &c
		}
	}
	return q, nil
}

// auditDate reads a date filter as the local midnight that starts it, or
// with plusDays 1 the midnight that ends it.
func (s *Server) auditDate(q auditQuery, key string, plusDays int) *time.Time {
	v := strings.TrimSpace(q.typed.Get(key))
	if v == "" {
		return nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, time.Local)
	if err != nil {
		q.errs[key] = "Enter a date like 2026-03-31."
		return nil
	}
	d = d.AddDate(0, 0, plusDays)
	return &d
}

// auditLog shows one page of the log.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	base := tenantPath(r, "/admin/audit")
	var (
		q       auditQuery
		entries []audit.Entry
	)
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		if q, err = s.parseAuditQuery(r, tx); err != nil {
			return err
		}
		entries, err = audit.List(r.Context(), tx, m.Tenant.ID, q.filter, auditPageSize+1)
		return err
	})
	if err != nil {
		return err
	}
	applied := q.applied()
	v := web.AuditView{
		Shell: s.shell(r), Action: base, CSVHref: tenantPath(r, "/admin/audit.csv") + query(applied),
		User: q.typed.Get("user"), Users: q.users, Act: q.typed.Get("action"), Actions: q.actions,
		Patient: q.typed.Get("patient"), From: q.typed.Get("from"), To: q.typed.Get("to"),
		Errors: web.FieldErrors(q.errs), Filtering: q.filtering(),
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		last := entries[len(entries)-1]
		next := applied
		next.Set("after", audit.Cursor{At: last.At, ID: last.ID}.String())
		v.NextHref = base + query(next)
	}
	if q.filter.After != nil {
		v.FirstHref = base + query(applied)
	}
	for _, e := range entries {
		v.Rows = append(v.Rows, auditRow(e, base, applied))
	}
	return render(w, r, http.StatusOK, web.AuditPage(v))
}

func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func auditRow(e audit.Entry, base string, applied url.Values) web.AuditRow {
	row := web.AuditRow{
		When: e.At.Local().Format("2 Jan 2006, 15:04:05"), Who: orText(e.ActorName, "CareCoord"), WhoEmail: e.ActorEmail,
		Action: audit.Label(e.Action), Code: e.Action, IP: e.IP, Account: e.Source == audit.SourceAccount,
	}
	if !row.Account && e.EntityType != "" {
		row.Subject = strings.TrimSpace(e.EntityType + " " + shortID(e.EntityID))
	}
	row.Detail = readableDetail(e.Detail)
	if e.PatientID != "" {
		row.Patient = shortID(e.PatientID)
		only := url.Values{}
		for k, vs := range applied {
			only[k] = vs
		}
		only.Set("patient", e.PatientID)
		row.PatientHref = base + query(only)
	}
	return row
}

// readableDetail shows an event's detail as "key: value" pairs by key; the
// CSV keeps the JSON.
func readableDetail(raw string) string {
	var m map[string]any
	if json.Unmarshal([]byte(raw), &m) != nil {
		return raw
	}
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + detailValue(m[k])
	}
	return strings.Join(parts, " · ")
}

func detailValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = detailValue(x)
		}
		return strings.Join(out, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// shortID is enough of an id to tell records apart on screen.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// auditCSV exports every entry the filters select, newest first. The
// export itself is recorded first, in its own transaction, so that it is
// in the log even if the download is cut short.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	var q auditQuery
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		if q, err = s.parseAuditQuery(r, tx); err != nil || len(q.errs) > 0 {
			return err
		}
		filters := map[string]any{}
		for k, v := range q.applied() {
			filters[k] = v[0]
		}
		return s.audit(r, tx, audited{action: "audit.exported", entityType: "tenant", entityID: m.Tenant.ID, detail: map[string]any{"filters": filters}})
	})
	if err != nil {
		return err
	}
	if len(q.errs) > 0 {
		return redirect(w, r, tenantPath(r, "/admin/audit")+"?"+r.URL.RawQuery)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+m.Tenant.Slug+"-"+s.now().Format("2006-01-02")+`.csv"`)
	cw := csv.NewWriter(w)
	if err := cw.Write(audit.CSVHeader); err != nil {
		return err
	}
	err = s.inTenant(r, func(tx pgx.Tx) error {
		return audit.Each(r.Context(), tx, m.Tenant.ID, q.filter, func(e audit.Entry) error {
			return cw.Write(audit.CSVRecord(e))
		})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status line is sent; all that can be done is to log it.
		s.log.ErrorContext(r.Context(), "audit export cut short", "err", err)
	}
	return nil
}
