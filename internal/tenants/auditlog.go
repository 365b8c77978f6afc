package tenants

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// The tenant admin's audit log (issue 9): the tenant's events and its
// members' sign-ins, filtered by who, action, patient (id or MRN) and
// dates, newest first, and exported as CSV. Patients appear by id only.

// auditFilters are the filters' names in the page's address, in order.
var auditFilters = []string{"user", "action", "patient", "from", "to"}

// AuditQuery is the log's filters as typed in the page's address, by
// name, and the cursor ("after") of the page to continue from.
type AuditQuery struct {
	Typed url.Values
}

// ParseAuditQuery reads the filters of the log's address.
func ParseAuditQuery(v url.Values) AuditQuery {
	q := AuditQuery{Typed: url.Values{}}
	for _, k := range append(auditFilters, "after") {
		if s := strings.TrimSpace(v.Get(k)); s != "" {
			q.Typed.Set(k, s)
		}
	}
	return q
}

// AuditLog is a page of the log, or an export's selection, and what the
// filters offer.
type AuditLog struct {
	Query  AuditQuery
	Filter audit.Filter
	// Errors are the filters that could not be used, by name: each is set
	// aside with its message, and the log shows without it.
	Errors Errors
	// Members and Actions are what the who and action filters offer.
	Members []Member
	Actions []string
	Entries []audit.Entry
	// More reports whether older entries follow.
	More bool
}

// Applied is the query string of the filters that were applied, for links
// that keep them.
func (l AuditLog) Applied() url.Values {
	out := url.Values{}
	for _, k := range auditFilters {
		if v := l.Query.Typed.Get(k); v != "" && l.Errors[k] == "" {
			out.Set(k, v)
		}
	}
	return out
}

// Filtering reports whether any filter was applied.
func (l AuditLog) Filtering() bool {
	f := l.Filter
	return f.ActorID != nil || f.PatientID != nil || f.Action != nil || f.From != nil || f.To != nil
}

// AuditLog reads one page of a's tenant's log: up to size entries.
func (s *Service) AuditLog(ctx context.Context, a Actor, q AuditQuery, size int) (AuditLog, error) {
	var l AuditLog
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if l, err = s.auditFilter(ctx, tx, a, q); err != nil {
			return err
		}
		l.Entries, err = audit.List(ctx, tx, a.TenantID, l.Filter, size+1)
		if l.More = len(l.Entries) > size; l.More {
			l.Entries = l.Entries[:size]
		}
		return err
	})
	return l, err
}

// ExportAuditLog records the export of what q selects from a's tenant's
// log (audit.exported, with the filters), in its own transaction so that
// the export is in the log even if the download is cut short. With
// filters that can't be used it records nothing: the returned log has
// Errors.
func (s *Service) ExportAuditLog(ctx context.Context, a Actor, q AuditQuery) (AuditLog, error) {
	var l AuditLog
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if l, err = s.auditFilter(ctx, tx, a, q); err != nil || len(l.Errors) > 0 {
			return err
		}
		filters := map[string]any{}
		for k, v := range l.Applied() {
			filters[k] = v[0]
		}
		return a.Audit(ctx, tx, audit.Event{Action: "audit.exported", EntityType: "tenant", EntityID: a.TenantID,
			Detail: map[string]any{"filters": filters}})
	})
	return l, err
}

// EachAuditEntry calls fn for every entry of a's tenant's log that l
// selects, newest first, without holding them all in memory.
func (s *Service) EachAuditEntry(ctx context.Context, a Actor, l AuditLog, fn func(audit.Entry) error) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		return audit.Each(ctx, tx, a.TenantID, l.Filter, fn)
	})
}

// auditFilter reads the filters of q; one that cannot be used is set
// aside with a message.
func (s *Service) auditFilter(ctx context.Context, q db.DBTX, a Actor, aq AuditQuery) (AuditLog, error) {
	l := AuditLog{Query: aq, Errors: Errors{}}
	var err error
	if l.Members, err = Members(ctx, q, a.TenantID); err != nil {
		return l, err
	}
	if l.Actions, err = audit.Actions(ctx, q, a.TenantID); err != nil {
		return l, err
	}
	get := aq.Typed.Get
	if v := get("user"); v != "" {
		if slices.ContainsFunc(l.Members, func(m Member) bool { return m.UserID == v }) {
			l.Filter.ActorID = &v
		} else {
			l.Errors.Add("user", "Choose someone from the list.")
		}
	}
	if v := get("action"); v != "" {
		if slices.Contains(l.Actions, v) {
			l.Filter.Action = &v
		} else {
			l.Errors.Add("action", "Choose an action from the list.")
		}
	}
	if v := get("patient"); v != "" {
		id := strings.ToLower(v)
		if !db.ValidUUID(id) {
			id, err = s.patients.IDByExternalID(ctx, q, a.TenantID, v)
		}
		switch {
		case errors.Is(err, db.ErrNotFound):
			// An MRN nobody has lists nothing, exactly like the MRN of a
			// patient without events: the admin, who sees no patient
			// data, must not learn whether an MRN exists.
			id = noPatient
			l.Filter.PatientID = &id
		case err != nil:
			return l, err
		default:
			l.Filter.PatientID = &id
		}
	}
	l.Filter.From = auditDate(l.Errors, "from", get("from"), 0, a.At.Location())
	l.Filter.To = auditDate(l.Errors, "to", get("to"), 1, a.At.Location())
	if f, t := l.Filter.From, l.Filter.To; f != nil && t != nil && !f.Before(*t) {
		l.Errors.Add("to", "The end date is before the start date.")
		l.Filter.To = nil
	}
	if c, ok := audit.ParseCursor(get("after")); ok {
		l.Filter.After = &c
	}
	return l, nil
}

// noPatient is an id no patient has.
const noPatient = "00000000-0000-0000-0000-000000000000"

// auditDate reads a date filter as the midnight on loc's clock (the
// tenant's) that starts it, or with plusDays 1 the midnight that ends it.
func auditDate(errs Errors, key, v string, plusDays int, loc *time.Location) *time.Time {
	if v == "" {
		return nil
	}
	d, err := time.ParseInLocation(calendar.DateLayout, v, loc)
	if err != nil {
		errs.Add(key, "Enter a date like 2026-03-31.")
		return nil
	}
	d = d.AddDate(0, 0, plusDays)
	return &d
}
