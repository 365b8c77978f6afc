package auth

import "carecoord/internal/forms"

// Role is what a user may do within one tenant (DESIGN.md section 3).
// Platform admin is not a role in a tenant but a flag on the user.
type Role string

// The roles a membership can carry.
const (
	Coordinator Role = "coordinator"
	Supervisor  Role = "supervisor"
	TenantAdmin Role = "tenant_admin"
)

// Roles lists every tenant role with its name on screen, in the order
// they are offered in forms.
var Roles = forms.Choices[Role]{
	{Value: Coordinator, Label: "Care coordinator"},
	{Value: Supervisor, Label: "Supervisor"},
	{Value: TenantAdmin, Label: "Administrator"},
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return Roles.Has(r) }

// Label is how the role is named on screen.
func (r Role) Label() string { return Roles.Label(r) }

// WorksWithPatients: intake, assessment, care plans and contacts, and seeing
// any patient of the tenant.
func (r Role) WorksWithPatients() bool { return r == Coordinator || r == Supervisor }

// ReviewsCaseloads: caseload review, reassignment and care-plan approval.
func (r Role) ReviewsCaseloads() bool { return r == Supervisor }

// Administers: users, roles, tenant settings and the audit log. Never
// patient data.
func (r Role) Administers() bool { return r == TenantAdmin }

// MaintainsDirectory: adding, editing and archiving the tenant's directory
// of community resources. The directory holds no patient data, so tenant
// admins keep it as well as supervisors; everyone in the tenant may read it.
func (r Role) MaintainsDirectory() bool { return r == Supervisor || r == TenantAdmin }
