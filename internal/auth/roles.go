package auth

// Role is what a user may do within one tenant (DESIGN.md section 3).
// Platform admin is not a role in a tenant but a flag on the user.
type Role string

// The roles a membership can carry.
const (
	Coordinator Role = "coordinator"
	Supervisor  Role = "supervisor"
	TenantAdmin Role = "tenant_admin"
)

// Roles lists every tenant role, in the order they are offered in forms.
var Roles = []Role{Coordinator, Supervisor, TenantAdmin}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case Coordinator, Supervisor, TenantAdmin:
		return true
	}
	return false
}

// Label is how the role is named on screen.
func (r Role) Label() string {
	switch r {
	case Coordinator:
		return "Care coordinator"
	case Supervisor:
		return "Supervisor"
	case TenantAdmin:
		return "Administrator"
	}
	return string(r)
}

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
