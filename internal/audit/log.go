package audit

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/forms"

	"github.com/jackc/pgx/v5"
)

// The tenant admin's audit log (issue 9): the tenant's own audit events
// and, beside them, the sign-in events of its members. Sign-ins are global
// (they happen before a tenant is chosen), so a member of two tenants has
// their sign-ins in both logs.

// Entry sources.
const (
	SourceTenant  = "tenant"
	SourceAccount = "account"
)

// Entry is one line of a tenant's audit log.
type Entry struct {
	Source     string
	ID         string
	At         time.Time
	ActorID    string
	ActorName  string
	ActorEmail string
	Action     string
	EntityType string
	EntityID   string
	PatientID  string
	IP         string
	RequestID  string
	// Detail is the event's detail as JSON text: identifiers and field
	// names, never patient data.
	Detail string
}

// Cursor is the position of an entry in the log, newest first.
type Cursor struct {
	At time.Time
	ID string
}

// String is the cursor as it travels in a URL: a time and an id, nothing
// about a patient.
func (c Cursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "_" + c.ID
}

// ParseCursor reads a cursor made by Cursor.String.
func ParseCursor(s string) (Cursor, bool) {
	micros, id, ok := strings.Cut(s, "_")
	n, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || !db.ValidUUID(id) {
		return Cursor{}, false
	}
	return Cursor{At: time.UnixMicro(n), ID: id}, true
}

// Filter narrows the log. Nil fields do not filter. To is exclusive.
type Filter struct {
	ActorID   *string
	PatientID *string
	Action    *string
	From, To  *time.Time
	// After continues the log after this entry (older entries).
	After *Cursor
}

// where builds the filter's conditions over the log's union, with args
// following the tenant id ($1).
func (f Filter) where() (string, []any) {
	var conds []string
	args := []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)+1)))
	}
	if f.ActorID != nil {
		add("x.actor_id = ?::uuid", *f.ActorID)
	}
	if f.PatientID != nil {
		add("x.patient_id = ?::uuid", *f.PatientID)
	}
	if f.Action != nil {
		add("x.action = ?", *f.Action)
	}
	if f.From != nil {
		add("x.at >= ?", *f.From)
	}
	if f.To != nil {
		add("x.at < ?", *f.To)
	}
	if f.After != nil {
		args = append(args, f.After.At, f.After.ID)
		n := len(args) + 1
		conds = append(conds, "(x.at, x.id) < ($"+strconv.Itoa(n-1)+", $"+strconv.Itoa(n)+"::uuid)")
	}
	if len(conds) == 0 {
		return "", args
	}
	return " where " + strings.Join(conds, " and "), args
}

// logSQL is the union of the tenant's events and its members' sign-ins.
// Conditions on x are pushed into both branches by the planner.
const logSQL = `
	select x.source, x.id, x.at, coalesce(x.actor_id::text, ''), coalesce(u.name, ''), coalesce(u.email, ''),
	       x.action, x.entity_type, coalesce(x.entity_id::text, ''), coalesce(x.patient_id::text, ''),
	       x.ip, x.request_id, x.detail
	  from (select 'tenant' as source, e.id, e.at, e.actor_id, e.action, e.entity_type, e.entity_id,
	               e.patient_id, e.ip, e.request_id, e.detail::text as detail
	          from audit_events e
	         where e.tenant_id = $1
	        union all
	        select 'account', a.id, a.at, a.user_id, a.action, 'user', a.user_id,
	               null, a.ip, '', '{}'
	          from auth_events a
	         where a.user_id in (select m.user_id from memberships m where m.tenant_id = $1)) x
	  left join users u on u.id = x.actor_id`

func scanEntry(row pgx.CollectableRow) (Entry, error) {
	var e Entry
	err := row.Scan(&e.Source, &e.ID, &e.At, &e.ActorID, &e.ActorName, &e.ActorEmail, &e.Action,
		&e.EntityType, &e.EntityID, &e.PatientID, &e.IP, &e.RequestID, &e.Detail)
	return e, err
}

// List returns up to limit entries of the tenant's log, newest first.
func List(ctx context.Context, q db.DBTX, tenantID string, f Filter, limit int) ([]Entry, error) {
	where, args := f.where()
	args = append([]any{tenantID}, args...)
	args = append(args, limit)
	rows, _ := q.Query(ctx, logSQL+where+" order by x.at desc, x.id desc limit $"+strconv.Itoa(len(args)), args...)
	return pgx.CollectRows(rows, scanEntry)
}

// Each calls fn for every entry of the tenant's log that f selects, newest
// first, without holding them all in memory (the CSV export).
func Each(ctx context.Context, q db.DBTX, tenantID string, f Filter, fn func(Entry) error) error {
	where, args := f.where()
	rows, _ := q.Query(ctx, logSQL+where+" order by x.at desc, x.id desc", append([]any{tenantID}, args...)...)
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Actions lists the actions that occur in the tenant's log, for its filter.
func Actions(ctx context.Context, q db.DBTX, tenantID string) ([]string, error) {
	rows, _ := q.Query(ctx, `
		select action from audit_events where tenant_id = $1
		union
		select action from auth_events where user_id in (select user_id from memberships where tenant_id = $1)
		order by 1`, tenantID)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// AccountActions are the sign-in events with their names in the log;
// other actions read from their code.
var AccountActions = forms.Choices[string]{
	{Value: SignIn, Label: "Signed in"},
	{Value: SignInFailed, Label: "Sign-in failed"},
	{Value: SignInLocked, Label: "Sign-in locked out"},
	{Value: SignOut, Label: "Signed out"},
	{Value: SignInRefused, Label: "Sign-in refused: no active organisation"},
	{Value: PasswordChanged, Label: "Password changed"},
	{Value: PasswordReset, Label: "Password reset"},
	{Value: MFAEnrolled, Label: "Authenticator app set up"},
	{Value: MFAVerified, Label: "Sign-in code accepted"},
	{Value: MFARecoveryUsed, Label: "Recovery code used"},
	{Value: MFAFailed, Label: "Sign-in code refused"},
	{Value: MFAReset, Label: "Two-step sign-in reset"},
}

// Label is how an action reads in the log: "patient.status_changed" reads
// "Patient status changed".
func Label(action string) string {
	if AccountActions.Has(action) {
		return AccountActions.Label(action)
	}
	s := strings.NewReplacer(".", " ", "_", " ").Replace(action)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ReadableDetail is the entry's detail as "key: value" pairs by key, as
// the log page shows it; the CSV keeps the JSON.
func (e Entry) ReadableDetail() string {
	var m map[string]any
	if json.Unmarshal([]byte(e.Detail), &m) != nil {
		return e.Detail
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

// SignInEvent is one of a user's own sign-in events.
type SignInEvent struct {
	At     time.Time
	Action string
	IP     string
}

// RecentSignIns lists the user's latest sign-in events, newest first.
func RecentSignIns(ctx context.Context, q db.DBTX, userID string, limit int) ([]SignInEvent, error) {
	rows, _ := q.Query(ctx, `
		select at, action, ip from auth_events where user_id = $1
		 order by at desc, id desc limit $2`, userID, limit)
	return pgx.CollectRows(rows, pgx.RowToStructByName[SignInEvent])
}

// CSVHeader is the first line of an exported log.
var CSVHeader = []string{"time", "source", "user_email", "user_name", "action", "entity_type", "entity_id", "patient_id", "ip", "request_id", "detail"}

// CSVRecord is e as a line of the exported log. Every cell is made safe
// to open in a spreadsheet.
func CSVRecord(e Entry) []string {
	rec := []string{e.At.UTC().Format(time.RFC3339), e.Source, e.ActorEmail, e.ActorName, e.Action,
		e.EntityType, e.EntityID, e.PatientID, e.IP, e.RequestID, e.Detail}
	for i, c := range rec {
		rec[i] = SafeCell(c)
	}
	return rec
}

// SafeCell keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a cell that starts with = + - @, a tab or a carriage return
// gets a leading apostrophe, which spreadsheets show as text.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Failed reports whether the attempt did not sign the person in.
func (e SignInEvent) Failed() bool {
	return e.Action == SignInFailed || e.Action == SignInLocked || e.Action == SignInRefused || e.Action == MFAFailed
}
