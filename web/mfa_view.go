package web

// CodeView is the second step of signing in: the code from the
// authenticator app, or a recovery code.
type CodeView struct {
	Action  string
	Errors  FieldErrors
	Problem string
}

// EnrolView is setting up an authenticator app: while signing in (Shell
// empty) or from the account page.
type EnrolView struct {
	Shell  Shell
	Action string
	// Secret is the key as text, for apps that cannot scan; QR is the same
	// key as a data: URI of a PNG.
	Secret  string
	QR      string
	Errors  FieldErrors
	Problem string
}

// RecoveryCodesView shows an enrolment's recovery codes, this once.
type RecoveryCodesView struct {
	Shell Shell
	Codes []string
	// Next is where the person carries on.
	Next string
}

// MFACard is the two-step sign-in part of the account page.
type MFACard struct {
	Enrolled  bool
	Since     string
	CodesLeft int
	// BeginAction starts setting up an authenticator app.
	BeginAction string
}
