package tenants

import (
	"context"
	"net/url"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// Closure is a day the organisation is closed besides weekends and US
// federal holidays: business days skip it (calendar.Calendar).
type Closure struct {
	ID   string
	Day  time.Time
	Name string
}

// ErrClosureTaken is a closure on a day that already has one.
var ErrClosureTaken = fail.Invalid(Errors{"day": "This day is already closed. Remove it first to rename it."},
	"The closure needs another look; nothing was saved yet.")

// Closures lists the tenant's closure days, the earliest first.
func Closures(ctx context.Context, q db.DBTX, tenantID string) ([]Closure, error) {
	return ClosuresQuery(tenantID).All(ctx, q)
}

// ClosuresQuery reads the tenant's closure days, alone or in a page's batch.
func ClosuresQuery(tenantID string) db.Query[Closure] {
	return db.Query[Closure]{SQL: `select id, day, name from closure_days where tenant_id = $1 order by day`,
		Args: []any{tenantID}, Scan: pgx.RowToStructByName[Closure]}
}

// LoadCalendar is the tenant's calendar: weekends, federal holidays and its
// own closure days. A tenant closes a few days a year, so all are read.
func LoadCalendar(ctx context.Context, q db.DBTX, tenantID string) (calendar.Calendar, error) {
	list, err := Closures(ctx, q, tenantID)
	return CalendarOf(list), err
}

// CalendarOf is the calendar of a tenant with the closure days list.
func CalendarOf(list []Closure) calendar.Calendar {
	days := make(map[time.Time]string, len(list))
	for _, c := range list {
		days[calendar.DateOf(c.Day)] = c.Name
	}
	return calendar.NewCalendar(days)
}

// ClosureForm is a closure day as typed on the closures page.
type ClosureForm struct {
	Day, Name string
}

// ParseClosureForm reads the posted closure.
func ParseClosureForm(v url.Values) ClosureForm {
	return ClosureForm{Day: strings.TrimSpace(v.Get("day")), Name: strings.TrimSpace(v.Get("name"))}
}

// Validate checks the closure and returns it.
func (f ClosureForm) Validate() (Closure, Errors) {
	errs := Errors{}
	var c Closure
	if d := errs.Date("day", f.Day, true); d != nil {
		c.Day = *d
	}
	errs.Required("name", f.Name, "Say why the organisation is closed, such as Staff training day.")
	errs.MaxLen("name", f.Name, 200)
	c.Name = f.Name
	return c, errs
}

// ClosuresPage lists a's tenant's closure days.
func (s *Service) ClosuresPage(ctx context.Context, a Actor) ([]Closure, error) {
	var list []Closure
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		list, err = Closures(ctx, tx, a.TenantID)
		return err
	})
	return list, err
}

// AddClosure closes a's organisation on the day of f, with an audit event.
// Due dates already set stay as they are; those counted from now on skip
// the day.
func (s *Service) AddClosure(ctx context.Context, a Actor, f ClosureForm) (Closure, error) {
	c, errs := f.Validate()
	if len(errs) > 0 {
		return c, fail.Invalid(errs, "The closure needs another look; nothing was saved yet.")
	}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			insert into closure_days (tenant_id, day, name, created_by) values ($1, $2, $3, nullif($4, '')::uuid)
			on conflict (tenant_id, day) do nothing returning id`, a.TenantID, c.Day, c.Name, a.UserID).Scan(&c.ID)
		if err == pgx.ErrNoRows {
			return ErrClosureTaken
		}
		if err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "closure.added", EntityType: "tenant", EntityID: a.TenantID,
			Detail: map[string]any{"day": c.Day.Format(calendar.DateLayout), "name": c.Name}})
	})
	return c, err
}

// RemoveClosure opens a's organisation again on the closure id, with an
// audit event. Another tenant's closure, or one removed already, is not
// found.
func (s *Service) RemoveClosure(ctx context.Context, a Actor, id string) (Closure, error) {
	var c Closure
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `delete from closure_days where tenant_id = $1 and id = $2 returning id, day, name`, a.TenantID, id)
		var err error
		if c, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Closure]); err != nil {
			return db.NotFound(err)
		}
		return a.Audit(ctx, tx, audit.Event{Action: "closure.removed", EntityType: "tenant", EntityID: a.TenantID,
			Detail: map[string]any{"day": c.Day.Format(calendar.DateLayout), "name": c.Name}})
	})
	return c, err
}
