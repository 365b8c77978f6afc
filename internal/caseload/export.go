package caseload

import (
	"strconv"
	"time"

	"carecoord/internal/calendar"
)

// The CSV exports, as tables of text with a header row. Whoever writes
// them out makes each cell safe for spreadsheets (audit.SafeCell).

// dashboardRecords is the dashboard table: a row per coordinator, then
// the team's total.
func dashboardRecords(snap Snapshot) [][]string {
	header := []string{"Coordinator", "Still active", "High risk", "Moderate risk", "Low risk", "Active patients", "Referred"}
	for _, f := range Flags {
		header = append(header, f.Label)
	}
	header = append(header, "Oldest open referral (days)")
	records := [][]string{header}
	for _, row := range append(snap.Rows, snap.Total) {
		rec := []string{row.Name, yesNo(row.Active), strconv.Itoa(row.High), strconv.Itoa(row.Moderate), strconv.Itoa(row.Low),
			strconv.Itoa(row.Caseload()), strconv.Itoa(row.Referred)}
		for _, f := range Flags {
			rec = append(rec, strconv.Itoa(row.Counts[f.Value]))
		}
		oldest := ""
		if row.OldestReferralDays >= 0 {
			oldest = strconv.Itoa(row.OldestReferralDays)
		}
		records = append(records, append(rec, oldest))
	}
	return records
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// patientRecords is a patient list, each flag a column: "yes", or the
// number of overdue tasks; dates are days in loc.
func patientRecords(list []PatientRow, loc *time.Location) [][]string {
	header := []string{"Patient", "Coordinator", "Status", "Risk", "Last reached", "Unsuccessful attempts"}
	for _, f := range Flags {
		header = append(header, f.Label)
	}
	records := [][]string{header}
	for _, p := range list {
		last := ""
		if p.LastReached != nil {
			last = p.LastReached.In(loc).Format(calendar.DateLayout)
		}
		rec := []string{p.Name, p.Assigned(), p.Status.Label(), p.Tier.Label(), last, strconv.Itoa(p.Attempts)}
		for _, f := range Flags {
			cell := ""
			if p.Has(f.Value) {
				cell = "yes"
			}
			if f.Value == FlagOverdueTasks && p.OverdueTasks > 0 {
				cell = strconv.Itoa(p.OverdueTasks)
			}
			rec = append(rec, cell)
		}
		records = append(records, rec)
	}
	return records
}
