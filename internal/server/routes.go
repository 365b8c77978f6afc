package server

import (
	"net/http"

	"carecoord/internal/auth"
	"carecoord/web"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Handler is the whole HTTP surface of CareCoord.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.logRequests, s.recoverPanics, s.securityHeaders)
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errMethodNotAllowed }))

	// Probes and assets: no session, no body.
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle("/static/*", http.StripPrefix("/static/", s.staticFiles(web.Static())))

	r.Group(func(r chi.Router) {
		r.Use(limitBody, s.crossOriginProtection, s.bounded, s.preload, s.sessions.LoadAndSave, s.loadUser, s.oncePerForm)

		// Signed out.
		r.Get("/login", s.handle(s.loginForm))
		r.Post("/login", s.handle(s.login))
		// The second step, between the password and being signed in.
		r.Get("/login/code", s.handle(s.codeForm))
		r.Post("/login/code", s.handle(s.checkCode))
		r.Get("/login/enrol", s.handle(s.enrolForm))
		r.Post("/login/enrol", s.handle(s.enrol))

		// Links with a secret token, signed in or not: the token is the
		// visitor's only proof (and is never logged).
		r.Get("/invitations/{token}", s.handle(s.invitationPage))
		r.Post("/invitations/{token}", s.handle(s.acceptInvitation))
		r.Get("/password-reset/{token}", s.handle(s.passwordResetPage))
		r.Post("/password-reset/{token}", s.handle(s.resetPassword))

		// Signed in, any role.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.Post("/logout", s.handle(s.logout))
			r.Get("/", s.handle(s.home))
			r.Get("/tenants", s.handle(s.tenantPicker))
			r.Get("/account", s.handle(s.accountPage))
			r.Post("/account/password", s.handle(s.changePassword))
			r.Post("/account/mfa/begin", s.handle(s.beginEnrolment))
			r.Get("/account/mfa", s.handle(s.accountEnrolForm))
			r.Post("/account/mfa", s.handle(s.accountEnrol))
		})

		// Platform admins: tenants only, never patient data.
		r.Route("/platform", func(r chi.Router) {
			r.Use(s.requireUser, s.requirePlatformAdmin)
			r.Get("/tenants", s.handle(s.platformTenants))
			r.Get("/tenants/new", s.handle(s.newTenantForm))
			r.Post("/tenants", s.handle(s.createTenant))
			r.Route("/tenants/{tenantID}", func(r chi.Router) {
				r.Get("/", s.handle(s.platformTenant))
				r.Post("/name", s.handle(s.renameTenant))
				r.Post("/status", s.handle(s.setTenantStatus))
				r.Post("/invitations", s.handle(s.inviteTenantAdmin))
				r.Post("/invitations/{invitationID}/renew", s.handle(s.renewTenantInvitation))
				r.Post("/invitations/{invitationID}/revoke", s.handle(s.revokeTenantInvitation))
			})
		})

		// One tenant: membership is checked before anything else runs, then
		// each group states the capability its pages need.
		r.Route("/t/{tenant}", func(r chi.Router) {
			r.Use(s.requireUser, s.requireMembership)
			r.Get("/", s.handle(s.tenantHome))

			// Coordinators and supervisors: the patient work.
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.Role.WorksWithPatients))
				r.Get("/worklist", s.handle(s.worklist))
				r.Get("/patients", s.handle(s.patientList))
				r.Get("/patients/new", s.handle(s.intakeForm))
				r.Post("/patients", s.handle(s.intake))
				r.Get("/referrals", s.handle(s.openReferrals))

				// One patient's chart and everything edited from it.
				r.Route("/patients/{patientID}", func(r chi.Router) {
					r.Use(s.patientAddress)
					r.Get("/", s.handle(s.chart))
					r.Get("/edit", s.handle(s.editPatientForm))
					r.Post("/edit", s.handle(s.editPatient))
					r.Post("/status", s.handle(s.changePatientStatus))
					r.Get("/care-team/new", s.handle(s.newMemberForm))
					r.Post("/care-team", s.handle(s.addMember))
					r.Get("/care-team/{memberID}/edit", s.handle(s.editMemberForm))
					r.Post("/care-team/{memberID}", s.handle(s.updateMember))
					r.Post("/care-team/{memberID}/remove", s.handle(s.removeMember))
					r.Get("/coverage/new", s.handle(s.newCoverageForm))
					r.Post("/coverage", s.handle(s.addCoverage))
					r.Get("/coverage/{coverageID}/edit", s.handle(s.editCoverageForm))
					r.Post("/coverage/{coverageID}", s.handle(s.updateCoverage))
					r.Post("/coverage/{coverageID}/remove", s.handle(s.removeCoverage))
					r.Get("/consents/new", s.handle(s.newConsentForm))
					r.Post("/consents", s.handle(s.addConsent))
					r.Post("/consents/{consentID}/revoke", s.handle(s.revokeConsent))
					r.Get("/assessments/new", s.handle(s.newAssessmentForm))
					r.Post("/assessments", s.handle(s.startAssessment))
					r.Get("/assessments/{assessmentID}", s.handle(s.showAssessment))
					r.Post("/assessments/{assessmentID}", s.handle(s.postAssessment))
					r.Post("/assessments/{assessmentID}/amend", s.handle(s.amendAssessment))
					r.Post("/assessments/{assessmentID}/error", s.handle(s.markAssessmentInError))
					r.Post("/assessments/{assessmentID}/needs", s.handle(s.decideNeed))
					r.Get("/referrals/new", s.handle(s.newReferral))
					r.Post("/referrals", s.handle(s.createReferral))
					r.Get("/referrals/{referralID}", s.handle(s.showReferral))
					r.Get("/referrals/{referralID}/print", s.handle(s.printReferral))
					r.Post("/referrals/{referralID}/send", s.handle(s.sendReferral))
					r.Post("/referrals/{referralID}/status", s.handle(s.moveReferral))
					r.Post("/referrals/{referralID}/close-loop", s.handle(s.closeLoop))
					r.Post("/referrals/{referralID}/authorization", s.handle(s.saveAuthorization))
					r.Get("/appointments/new", s.handle(s.newAppointment))
					r.Post("/appointments", s.handle(s.createAppointment))
					r.Get("/appointments.ics", s.handle(s.appointmentsCalendar))
					r.Post("/appointments/{appointmentID}", s.handle(s.markAppointment))
					r.Get("/care-plan", s.handle(s.carePlan))
					r.Post("/care-plans", s.handle(s.startPlan))

					// One care plan: its editor, history and print view;
					// supervisors alone approve or return it.
					r.Route("/care-plans/{planID}", func(r chi.Router) {
						r.Get("/", s.handle(s.showPlan))
						r.Get("/history", s.handle(s.planHistory))
						r.Get("/print", s.handle(s.printPlan))
						r.Post("/details", s.handle(s.updatePlanDetails))
						r.Post("/needs", s.handle(s.addPlanNeed))
						r.Post("/needs/{itemID}/remove", s.handle(s.removePlanNeed))
						r.Post("/needs/{itemID}/goals", s.handle(s.addPlanGoal))
						r.Post("/move", s.handle(s.movePlanItem))
						r.Post("/goals/{goalID}", s.handle(s.updatePlanGoal))
						r.Post("/goals/{goalID}/remove", s.handle(s.removePlanGoal))
						r.Post("/goals/{goalID}/notes", s.handle(s.addGoalNote))
						r.Post("/goals/{goalID}/status", s.handle(s.setGoalStatus))
						r.Post("/goals/{goalID}/interventions", s.handle(s.addPlanIntervention))
						r.Post("/interventions/{interventionID}", s.handle(s.updatePlanIntervention))
						r.Post("/interventions/{interventionID}/remove", s.handle(s.removePlanIntervention))
						r.Post("/interventions/{interventionID}/status", s.handle(s.setInterventionStatus))
						r.Post("/submit", s.handle(s.submitPlan))
						r.Post("/revise", s.handle(s.revisePlan))
						r.Post("/complete", s.handle(s.completePlan))
						r.Post("/cancel", s.handle(s.cancelPlan))
						r.With(s.requireRole(auth.Role.ReviewsCaseloads)).Post("/approve", s.handle(s.approvePlan))
						r.With(s.requireRole(auth.Role.ReviewsCaseloads)).Post("/return", s.handle(s.returnPlan))
					})
					r.Get("/contacts/new", s.handle(s.newContactForm))
					r.Post("/contacts", s.handle(s.logContact))
					r.Get("/contacts/{contactID}", s.handle(s.showContact))
					r.Get("/contacts/{contactID}/correct", s.handle(s.correctContactForm))
					r.Post("/contacts/{contactID}/correct", s.handle(s.correctContact))
					r.Post("/contacts/{contactID}/addenda", s.handle(s.addAddendum))
					r.Get("/transitions/new", s.handle(s.newTransitionForm))
					r.Post("/transitions", s.handle(s.recordTransition))
					r.Get("/transitions/{transitionID}/exclusion", s.handle(s.excludeDischargeForm))
					r.Post("/transitions/{transitionID}/exclusion", s.handle(s.excludeDischarge))
					r.Post("/risk-proposals/{proposalID}/accept", s.handle(s.acceptRiskProposal))
					r.Post("/risk-proposals/{proposalID}/override", s.handle(s.overrideRiskProposal))
					r.Get("/tasks/{taskID}", s.handle(s.showTask))
					r.Post("/tasks/{taskID}/complete", s.handle(s.taskHandler(completeTask)))
					r.Post("/tasks/{taskID}/reschedule", s.handle(s.taskHandler(rescheduleTask)))
					r.Post("/tasks/{taskID}/hand-over", s.handle(s.taskHandler(handOverTask)))
				})
			})

			// Supervisors: the team's caseload, reassignment and sign-off.
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.Role.ReviewsCaseloads))
				r.Get("/caseload", s.handle(s.caseloadDashboard))
				r.Get("/caseload.csv", s.handle(s.caseloadCSV))
				r.Get("/caseload/patients", s.handle(s.caseloadPatients))
				r.Get("/caseload/patients.csv", s.handle(s.caseloadPatientsCSV))
				r.Post("/caseload/reassign", s.handle(s.reassignPatients))
				r.Get("/caseload/measures", s.handle(s.caseloadMeasures))
				r.Get("/approvals", s.handle(s.approvalQueue))
			})

			// Supervisors: possible duplicates, and merging two records of
			// one person (the survivor's address, so it is audited and a
			// foreign id is 404 like every patient page).
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.Role.ReviewsCaseloads))
				r.Get("/duplicates", s.handle(s.duplicateList))
				r.Post("/duplicates/distinct", s.handle(s.markDistinct))
				r.With(s.patientAddress).Get("/patients/{patientID}/merge/{otherID}", s.handle(s.mergeComparison))
				r.With(s.patientAddress).Post("/patients/{patientID}/merge/{otherID}", s.handle(s.mergePatients))
			})

			// The resource directory: everyone reads it; supervisors and
			// admins maintain it. It holds no patient data (see resources.go).
			r.Route("/resources", func(r chi.Router) {
				r.Get("/", s.handle(s.resourceList))
				r.Get("/{resourceID}", s.handle(s.showResource))
				r.Group(func(r chi.Router) {
					r.Use(s.requireRole(auth.Role.MaintainsDirectory))
					r.Get("/new", s.handle(s.newResourceForm))
					r.Post("/", s.handle(s.createResource))
					r.Get("/{resourceID}/edit", s.handle(s.editResourceForm))
					r.Post("/{resourceID}", s.handle(s.updateResource))
					r.Post("/{resourceID}/active", s.handle(s.setResourceActive))
				})
			})

			// Tenant admins: users, settings, audit.
			r.Route("/admin", func(r chi.Router) {
				r.Use(s.requireRole(auth.Role.Administers))
				r.Get("/users", s.handle(s.adminUsers))
				r.Get("/users/{userID}", s.handle(s.memberPage))
				r.Post("/users/{userID}/role", s.handle(s.changeMemberRole))
				r.Post("/users/{userID}/active", s.handle(s.setMemberActive))
				r.Post("/users/{userID}/reset-link", s.handle(s.createResetLink))
				r.Post("/users/{userID}/mfa-reset", s.handle(s.resetMemberMFA))
				r.Post("/invitations", s.handle(s.invite))
				r.Post("/invitations/{invitationID}/renew", s.handle(s.renewInvitation))
				r.Post("/invitations/{invitationID}/revoke", s.handle(s.revokeInvitation))
				r.Get("/settings", s.handle(s.settingsPage))
				r.Post("/settings", s.handle(s.saveSettings))
				r.Get("/closures", s.handle(s.closuresPage))
				r.Post("/closures", s.handle(s.addClosure))
				r.Post("/closures/{closureID}/remove", s.handle(s.removeClosure))
				r.Get("/audit", s.handle(s.auditLog))
				r.Get("/audit.csv", s.handle(s.auditCSV))
			})
		})
	})
	return r
}
