package caseload

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Period is a span of whole days, From and To included.
type Period struct {
	From, To time.Time // dates (midnight UTC)
}

// end is the instant the period ends: midnight after To, as the database
// session counts days.
func (p Period) endDate() time.Time { return p.To.AddDate(0, 0, 1) }

// Measure is one of the team's measures for a period.
type Measure struct {
	Key        string
	Label      string
	Definition string
	// Unit is "%" for shares and " days" for the median.
	Unit string
	// Value is the share (0–100) or the number of days; Known is false when
	// nothing was there to measure (no patients, no discharges…).
	Value float64
	Known bool
	// Of says what the value was computed from, e.g. "41 of 52 patients".
	Numerator, Denominator int
}

// Measure keys, in the order the page shows them.
const (
	MeasurePlans     = "plans"
	MeasureCadence   = "cadence"
	MeasureDischarge = "discharge"
	MeasureFirst     = "first_contact"
	MeasureScreened  = "screened"
)

// Definitions of the measures, as the page states them. "Patients in
// care" are those whose status is referred, active or on hold today and
// who were taken in by the end of the period: CareCoord keeps no history
// of statuses, so a patient discharged since is left out of past periods.
var definitions = map[string][3]string{
	MeasurePlans: {"Patients with an approved care plan", "%",
		"Of the active patients in care at the end of the period, the share with a care plan that had been approved by then and was not yet completed or cancelled."},
	MeasureCadence: {"Contacted within cadence", "%",
		"Of the active patients in care at the end of the period, the share whose last successful contact before then lay within their risk tier's cadence (the organisation's days for high, moderate and low risk)."},
	MeasureDischarge: {"Discharges followed up within 7 days", "%",
		"Of the hospital discharges dated in the period, the share where the patient was reached by phone, video or in person " +
			"on days 1 to 7 after the discharge. The discharge day itself does not count, nor does a declined call, a letter, a text, " +
			"an email or a message left. A discharge counts once followed up or once its 7 days are over. Left out (as recorded on " +
			"the discharge): a readmission or transfer within the 7 days, hospice, death. After NCQA HEDIS Follow-Up After " +
			"Hospitalization (FUH, 7-day rate) and Transitions of Care; the follow-up task closes by the same rule."},
	MeasureFirst: {"Median days from referral to first contact", " days",
		"For patients referred in the period who have been reached, the median number of days from the referral date to the first successful contact with them."},
	MeasureScreened: {"Screened for social needs in the last 12 months", "%",
		"Of the active patients in care at the end of the period, the share with a completed social needs screen (AHC-HRSN) in the 12 months before the period's end."},
}

// MeasureOrder is the order the page shows the measures in.
var MeasureOrder = []string{MeasurePlans, MeasureCadence, MeasureDischarge, MeasureFirst, MeasureScreened}

func newMeasure(key string) Measure {
	d := definitions[key]
	return Measure{Key: key, Label: d[0], Unit: d[1], Definition: d[2]}
}

// share fills the measure from a numerator and denominator.
func (m *Measure) share(n, of int) {
	m.Numerator, m.Denominator, m.Known = n, of, of > 0
	if of > 0 {
		m.Value = 100 * float64(n) / float64(of)
	}
}

// inCareSQL selects the active patients in care at the period's end ($2),
// for the measures counted from history.
const inCareSQL = `p.tenant_id = $1 and p.status = 'active' and p.created_at < $2`

// Measures computes the team's measures for the period, with the
// organisation's cadence days by tier. The shares of patients in care
// are read from the summaries the database keeps (measure_days,
// migrations/00021_caseload_summaries.sql), so a period in the past costs
// what this one does: a few hundred rows of the tenant's daily changes.
func Measures(ctx context.Context, q db.DBTX, tenantID string, p Period, cadence map[string]int) ([]Measure, error) {
	c, err := countsAt(ctx, q, tenantID, p.endDate(), cadence)
	if err != nil {
		return nil, err
	}
	out := make([]Measure, 0, len(MeasureOrder))
	for _, key := range MeasureOrder {
		m := newMeasure(key)
		switch key {
		case MeasurePlans:
			m.share(c.plan, c.inCare)
		case MeasureCadence:
			if c.cadenceCurrent {
				m.share(c.cadence, c.inCare)
			} else {
				err = withinCadence(ctx, q, tenantID, p, cadence, &m)
			}
		case MeasureDischarge:
			err = dischargeFollowUp(ctx, q, tenantID, p, &m)
		case MeasureFirst:
			err = daysToFirstContact(ctx, q, tenantID, p, &m)
		case MeasureScreened:
			m.share(c.screened, c.inCare)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// inCareCounts are the patients counted by the measures of patients in
// care at an instant.
type inCareCounts struct {
	inCare, plan, cadence, screened int
	// cadenceCurrent: the cadence counts were kept by the cadence asked
	// for (after a change of settings they are not, until the job
	// caseload.measure_cadence has recomputed them).
	cadenceCurrent bool
}

// countsAt sums the tenant's daily changes of each measure up to the
// instant end (a midnight, as Period.endDate gives it).
func countsAt(ctx context.Context, q db.DBTX, tenantID string, end time.Time, cadence map[string]int) (inCareCounts, error) {
	var c inCareCounts
	err := q.QueryRow(ctx, `
		select coalesce(sum(d.delta) filter (where d.measure = 'in_care'), 0),
		       coalesce(sum(d.delta) filter (where d.measure = 'plan'), 0),
		       coalesce(sum(d.delta) filter (where d.measure = 'cadence'), 0),
		       coalesce(sum(d.delta) filter (where d.measure = 'screened'), 0),
		       coalesce((select (m.high, m.moderate, m.low) = ($3::int, $4::int, $5::int)
		                   from measure_cadence m where m.tenant_id = $1), true)
		  from measure_days d
		 where d.tenant_id = $1 and d.measure in ('in_care', 'plan', 'cadence', 'screened') and d.day <= $2::date`,
		tenantID, end, cadence["high"], cadence["moderate"], cadence["low"]).Scan(&c.inCare, &c.plan, &c.cadence, &c.screened, &c.cadenceCurrent)
	return c, err
}

// daysToFirstContact reads each referred patient's days to first contact
// from patient_firsts (kept with every contact and intake).
func daysToFirstContact(ctx context.Context, q db.DBTX, tenantID string, p Period, m *Measure) error {
	var median *float64
	var reached, referred int
	err := q.QueryRow(ctx, `
		select percentile_cont(0.5) within group (order by f.first_contact_days) filter (where f.first_contact_days is not null),
		       count(f.first_contact_days), count(*)
		  from patient_firsts f
		 where f.tenant_id = $1 and f.referral_day between $2 and $3`,
		tenantID, p.From, p.To).Scan(&median, &reached, &referred)
	m.Numerator, m.Denominator = reached, referred
	if median != nil {
		m.Value, m.Known = *median, true
	}
	return err
}

// withinCadence counts the cadence measure from the contacts themselves:
// seconds at 100,000 patients, used only while the kept counts are of an
// older cadence setting.
func withinCadence(ctx context.Context, q db.DBTX, tenantID string, p Period, cadence map[string]int, m *Measure) error {
	var n, of int
	err := q.QueryRow(ctx, `
		select count(*) filter (where last.at >= $2::timestamptz - make_interval(days =>
		           case p.risk_tier when 'high' then $3::int when 'low' then $5::int else $4::int end)),
		       count(*)
		  from patients p
		  left join lateral (
		       select max(c.occurred_at) as at from contacts c
		        where c.tenant_id = p.tenant_id and c.patient_id = p.id and c.party = 'patient'
		          and c.outcome in ('reached', 'declined') and c.occurred_at < $2) last on true
		 where `+inCareSQL, tenantID, p.endDate(), cadence["high"], cadence["moderate"], cadence["low"]).Scan(&n, &of)
	m.share(n, of)
	return err
}

// WeekCount is the number of successful contacts in the week starting on
// Week (a Monday).
type WeekCount struct {
	Week  time.Time
	Count int
}

// SuccessfulContactsByWeek counts the team's successful contacts with
// patients in each of the last n weeks, this week (so far) last, with the
// weeks that had none as zero.
func SuccessfulContactsByWeek(ctx context.Context, q db.DBTX, tenantID string, today time.Time, n int) ([]WeekCount, error) {
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*(n-1))
	// Each week's bounds are columns of their own (a materialised CTE), so
	// both are conditions of the index scan: under row-level security an
	// expression such as w + interval '7 days' may only filter rows the
	// scan has already read, which is every later contact, week after week.
	rows, _ := q.Query(ctx, `
		with w as materialized (
		    select w::timestamptz as starts, (w + interval '7 days')::timestamptz as ends
		      from generate_series($2::date, $3::date, interval '7 days') as w)
		select w.starts::date as week, count(c.occurred_at) as count
		  from w
		  left join contacts c on c.tenant_id = $1 and c.party = 'patient' and c.outcome in ('reached', 'declined')
		       and c.occurred_at >= w.starts and c.occurred_at < w.ends
		 group by w.starts order by w.starts`, tenantID, first, monday)
	return pgx.CollectRows(rows, pgx.RowToStructByName[WeekCount])
}

// PeriodForm is the measures page's period as chosen; a date left out is
// the default period's (the last 30 days).
type PeriodForm struct {
	From, To string
}

// lastDays is the default period: the last 30 days, today included.
func lastDays(today time.Time) Period { return Period{From: today.AddDate(0, 0, -29), To: today} }

// ParsePeriod reads the chosen period from the page's query.
func ParsePeriod(v url.Values, today time.Time) PeriodForm {
	d := lastDays(today)
	f := PeriodForm{From: v.Get("from"), To: v.Get("to")}
	if f.From == "" {
		f.From = d.From.Format(calendar.DateLayout)
	}
	if f.To == "" {
		f.To = d.To.Format(calendar.DateLayout)
	}
	return f
}

// Validate checks a chosen period: real dates, in order, not in the
// future, at most two years long.
func (f PeriodForm) Validate(today time.Time) (Period, map[string]string) {
	errs := map[string]string{}
	from, err1 := calendar.ParseDate(f.From)
	to, err2 := calendar.ParseDate(f.To)
	switch {
	case err1 != nil:
		errs["from"] = "Enter a real date, for example 2026-10-01."
	case err2 != nil:
		errs["to"] = "Enter a real date, for example 2026-10-31."
	case to.After(today):
		errs["to"] = "The period can't end in the future."
	case from.After(to):
		errs["from"] = "The start must be on or before the end."
	case to.Sub(from) > 731*24*time.Hour:
		errs["from"] = "Choose a period of two years or less."
	}
	return Period{From: from, To: to}, errs
}

// Report is the measures page: the team's measures for a period, and
// each measure month by month.
type Report struct {
	// Period is the period measured: the one chosen, or the default when
	// the chosen one was refused (Errors says why, per field).
	Period   Period
	Errors   map[string]string
	Measures []Measure
	Trend    []TrendMonth
}

// TrendMonth is the measures of one month (this month so far).
type TrendMonth struct {
	Month    time.Time
	Measures []Measure
}

// TrendMonths is how many months the trend shows, this one last.
const TrendMonths = 6

// Measures computes the team's measures for the chosen period, by the
// tenant's cadence, and their monthly trend. The shares of patients in
// care come from the kept summaries (milliseconds); the discharge measure
// still reads its transitions and contacts per period, so this process
// keeps the results ten minutes per tenant, day and cadence (and period),
// and supervisors who arrive together share one computation.
func (s *Service) Measures(ctx context.Context, a tenants.Actor, f PeriodForm) (Report, error) {
	today := a.Today()
	rep := Report{}
	if rep.Period, rep.Errors = f.Validate(today); len(rep.Errors) > 0 {
		rep.Period = lastDays(today)
	}
	cadence := cadenceOf(a.Settings)
	key := a.TenantID + "/" + today.Format(calendar.DateLayout) + "/" + fmt.Sprint(cadence["high"], cadence["moderate"], cadence["low"])
	// The chosen period's measures are kept like the trend, per period:
	// supervisors mostly look at the default one, and those who arrive
	// together share one computation.
	period := key + "/" + rep.Period.From.Format(calendar.DateLayout) + "/" + rep.Period.To.Format(calendar.DateLayout)
	measures, err := s.periods.Get(ctx, period, a.At, func(ctx context.Context) (Computed[[]Measure], error) {
		var ms []Measure
		err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
			ms, err = Measures(ctx, tx, a.TenantID, rep.Period, cadence)
			return err
		})
		return Computed[[]Measure]{Value: ms, At: a.At}, err
	})
	if err != nil {
		return rep, err
	}
	rep.Measures = measures.Value
	trend, err := s.trends.Get(ctx, key, a.At, func(ctx context.Context) (Computed[[]TrendMonth], error) {
		months, err := s.trend(ctx, a.TenantID, today, cadence)
		return Computed[[]TrendMonth]{Value: months, At: a.At}, err
	})
	rep.Trend = trend.Value
	return rep, err
}

// trend computes every measure for each of the last TrendMonths months.
func (s *Service) trend(ctx context.Context, tenantID string, today time.Time, cadence map[string]int) ([]TrendMonth, error) {
	var out []TrendMonth
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	err := db.InTenant(ctx, s.pool, tenantID, func(tx pgx.Tx) error {
		for i := TrendMonths - 1; i >= 0; i-- {
			from := first.AddDate(0, -i, 0)
			to := from.AddDate(0, 1, -1)
			if to.After(today) {
				to = today
			}
			ms, err := Measures(ctx, tx, tenantID, Period{From: from, To: to}, cadence)
			if err != nil {
				return err
			}
			out = append(out, TrendMonth{Month: from, Measures: ms})
		}
		return nil
	})
	return out, err
}

// cadenceOf is the tenant's contact cadence in days by risk tier.
func cadenceOf(s tenants.Settings) map[string]int {
	return map[string]int{"high": s.CadenceHighDays, "moderate": s.CadenceModerateDays, "low": s.CadenceLowDays}
}

// RefreshMeasureCadence recomputes the kept cadence counts of the measures
// when the organisation's cadence is no longer the one they were kept by:
// the scheduler's job caseload.measure_cadence. Until it has run after a
// change of settings, the page counts that measure from the contacts.
func RefreshMeasureCadence(ctx context.Context, q db.DBTX, a tenants.Actor) error {
	c := cadenceOf(a.Settings)
	tag, err := q.Exec(ctx, `
		update measure_cadence set high = $2, moderate = $3, low = $4
		 where tenant_id = $1 and (high, moderate, low) <> ($2::int, $3::int, $4::int)`,
		a.TenantID, c["high"], c["moderate"], c["low"])
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	_, err = q.Exec(ctx, `
		select measure_refresh($1, array(select p.id from patients p where p.tenant_id = $1 and p.status = 'active'))`, a.TenantID)
	return err
}
