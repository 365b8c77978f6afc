package web

// Administration (issue 9): the tenant admin's users, settings and audit
// log, the platform admin's organisations, and everyone's account.

// ShownLink is a secret link made by the previous request (an invitation,
// a password reset), shown once to the admin who made it.
type ShownLink struct {
	Title string
	// URL is empty when the link was emailed instead.
	URL     string
	Emailed bool
	Note    string
}

// InviteFormView is the form that invites a person.
type InviteFormView struct {
	Action string
	Email  string
	Role   string
	// Roles are the roles offered; with one role the choice is not shown.
	Roles  []SelectOption
	Errors FieldErrors
}

// InvitationRow is an invitation that was not accepted yet.
type InvitationRow struct {
	Email        string
	RoleLabel    string
	InvitedBy    string
	Sent         string
	Expires      string
	Expired      bool
	RenewAction  string
	RevokeAction string
}

// UsersView is the tenant admin's list of users.
type UsersView struct {
	Shell       Shell
	Rows        []MemberRow
	Invitations []InvitationRow
	Invite      InviteFormView
	Shown       *ShownLink
}

// MemberView is one member's page for the tenant admin.
type MemberView struct {
	Shell       Shell
	UsersHref   string
	Name        string
	Email       string
	Role        string
	RoleLabel   string
	Active      bool
	IsSelf      bool
	LastSignIn  string
	Caseload    int
	Roles       []SelectOption
	RoleAction  string
	StateAction string
	ResetAction string
	// MFAEnrolled: they have an authenticator app; MFAResetAction removes
	// it (refused for the same reasons as a reset link).
	MFAEnrolled    bool
	MFAResetAction string
	// ResetBlocked explains why no reset link can be made here, if so.
	ResetBlocked string
	SignIns      []SignInRow
	Shown        *ShownLink
	Problem      string
	Errors       FieldErrors
}

// SignInRow is one sign-in event of a person.
type SignInRow struct {
	When   string
	Action string
	IP     string
	Failed bool
}

// SettingsView is the tenant admin's settings page.
type SettingsView struct {
	Shell   Shell
	Action  string
	Name    string
	Groups  []SettingsGroup
	Errors  FieldErrors
	Problem string
	// RequireMFA: every member must use two-step sign-in.
	RequireMFA bool
	// TimeZone is the organisation's zone as stored or typed.
	TimeZone string
}

// SettingsGroup is one section of the settings page.
type SettingsGroup struct {
	Title  string
	Fields []SettingField
}

// SettingField is one number on the settings page.
type SettingField struct {
	Key   string
	Label string
	Hint  string
	Unit  string
	Min   int
	Max   int
	Value string
}

// AuditView is the tenant admin's audit log.
type AuditView struct {
	Shell     Shell
	Action    string
	CSVHref   string
	User      string
	Users     []SelectOption
	Patient   string
	Act       string
	Actions   []SelectOption
	From      string
	To        string
	Errors    FieldErrors
	Filtering bool
	Rows      []AuditRow
	NextHref  string
	FirstHref string
}

// AuditRow is one line of the audit log.
type AuditRow struct {
	When        string
	Who         string
	WhoEmail    string
	Action      string
	Code        string
	Subject     string
	PatientHref string
	Patient     string
	IP          string
	Detail      string
	Account     bool
}

// PlatformTenantsView is the platform admin's list of organisations.
type PlatformTenantsView struct {
	Shell   Shell
	Rows    []TenantRow
	NewHref string
}

// NewTenantView is the form that creates an organisation and invites its
// first administrator.
type NewTenantView struct {
	Shell      Shell
	Action     string
	CancelHref string
	Name       string
	Slug       string
	AdminEmail string
	Errors     FieldErrors
}

// PlatformTenantView is one organisation for the platform admin: no
// patient data, by design.
type PlatformTenantView struct {
	Shell          Shell
	BackHref       string
	Name           string
	Slug           string
	Status         string
	Created        string
	ActiveUsers    int
	RenameAction   string
	StatusAction   string
	RenameValue    string
	Errors         FieldErrors
	Invitations    []InvitationRow
	Invite         InviteFormView
	Shown          *ShownLink
	Problem        string
	SuspendedUsers int
}

// AccountView is a user's own account page.
type AccountView struct {
	Shell         Shell
	Name          string
	Email         string
	Organisations []TenantChoice
	Action        string
	Errors        FieldErrors
	Problem       string
	SignIns       []SignInRow
	MFA           MFACard
}

// Invitation modes: what the invitee is asked for.
const (
	// InviteNewAccount: name and password for a new account.
	InviteNewAccount = "new"
	// InviteSignIn: the password of the existing account.
	InviteSignIn = "sign-in"
	// InviteConfirm: signed in as the invited account; one click.
	InviteConfirm = "confirm"
	// InviteOtherUser: signed in as someone else.
	InviteOtherUser = "other-user"
)

// InvitationView is the page an invitation link opens.
type InvitationView struct {
	Mode       string
	Action     string
	TenantName string
	RoleLabel  string
	InvitedBy  string
	Expires    string
	Email      string
	Name       string
	SignedInAs string
	Errors     FieldErrors
	Problem    string
}

// PasswordResetView is the page a password-reset link opens.
type PasswordResetView struct {
	Action string
	Email  string
	Errors FieldErrors
}

// ClosuresView is the tenant admin's page of closure days.
type ClosuresView struct {
	Shell   Shell
	Action  string
	Rows    []ClosureRow
	Day     string
	Name    string
	Errors  FieldErrors
	Problem string
	// Holidays lists this year's observed federal holidays, in brief.
	Holidays string
}

// ClosureRow is one closure day with the button that removes it.
type ClosureRow struct {
	Day, Name    string
	RemoveAction string
}
