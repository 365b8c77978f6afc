// Package web holds CareCoord's presentation: the layout, shared form
// controls and one file of templ components per page family. Components take
// plain view structs built by internal/server and never query anything.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static is the stylesheet and images, served under /static/.
func Static() fs.FS {
	sub, _ := fs.Sub(static, "static")
	return sub
}

// Shell is what the frame around every signed-in page shows.
type Shell struct {
	UserName string
	// RoleLabel names the user's role in the current tenant, or "Platform
	// administrator".
	RoleLabel string
	// TenantName is empty outside a tenant.
	TenantName string
	// CanSwitchTenant: the user belongs to more than one tenant.
	CanSwitchTenant bool
	Nav             []NavItem
	Flash           string
}

// NavItem is one entry of the navigation.
type NavItem struct {
	Label  string
	Href   string
	Active bool
}

// FieldError returns the message for a form field, or "".
type FieldErrors map[string]string

// LoginView is the sign-in form.
type LoginView struct {
	Email  string
	Next   string
	Errors FieldErrors
	// Problem is a message about the attempt as a whole, above the fields.
	Problem string
	Flash   string
}

// TenantChoice is one tenant on the picker.
type TenantChoice struct {
	Name      string
	Href      string
	RoleLabel string
}

// WorklistView is a coordinator's home page: what to do next, most urgent
// first.
type WorklistView struct {
	Shell     Shell
	FirstName string
	Today     string
	// Counts are the sections' sizes, shown at the top, linking to each.
	Counts []WorklistCount
	// Totals are the patient sections' full sizes by section id, where a
	// section shows only its most urgent rows.
	Totals map[string]int
	// Overdue and DueToday are the signed-in user's open tasks; urgent
	// ones are always on the list, whenever due.
	Overdue  []TaskRow
	DueToday []TaskRow
	// The user's patients who need a contact, an assessment or a review.
	Unreachable   []PatientRow
	NewReferrals  []PatientRow
	DueForContact []PatientRow
	Reassessments []PatientRow
	PlanReviews   []PatientRow
	// RiskProposals are the risk tiers the evidence proposes for the
	// user's patients, waiting for their decision.
	RiskProposals []PatientRow
	// Appointments of the user's patients in the next two days that still
	// need something arranged, and those past that nobody recorded.
	Appointments []PatientRow
	// ShowTeamAlerts is set for supervisors; TeamAlerts is then every open
	// safety alert task of the organisation.
	ShowTeamAlerts bool
	TeamAlerts     []TaskRow
}

// WorklistCount is one number at the top of the worklist.
type WorklistCount struct {
	// Key names the count for tests; Anchor is the section it links to.
	Key    string
	Label  string
	Count  int
	Anchor string
	Tone   string
}

// PatientRow is a patient on the worklist with the one action they need.
type PatientRow struct {
	PatientName string
	PatientHref string
	Risk        ChartBadge
	// Detail says why the patient is here; When is the date that matters.
	Detail string
	When   string
	Late   bool
	// ActionHref and ActionLabel are the row's one-click action.
	ActionHref  string
	ActionLabel string
}

// MemberRow is one user on the tenant admin's user list.
type MemberRow struct {
	Name       string
	Href       string
	Email      string
	RoleLabel  string
	Active     bool
	LastSignIn string
}

// TenantRow is one tenant on the platform admin's list.
type TenantRow struct {
	Name        string
	Href        string
	Slug        string
	Status      string
	ActiveUsers int
	Created     string
}

// ErrorView is a page for a request that cannot be served.
type ErrorView struct {
	Status  int
	Title   string
	Message string
	// Shell is nil when the visitor is not signed in.
	Shell *Shell
}

// Total is the full size of the patient section id whose rows are shown.
func (v WorklistView) Total(id string, rows []PatientRow) int { return max(v.Totals[id], len(rows)) }

// TaskTotal is the full size of the task section id whose rows are shown.
func (v WorklistView) TaskTotal(id string, rows []TaskRow) int { return max(v.Totals[id], len(rows)) }
